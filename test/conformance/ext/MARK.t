# MARK target (revision 2): every operation is saved as --set-xmark value/mask;
# the listing names the simplest equivalent operation.
*mangle
:PREROUTING

# --- set-xmark ----------------------------------------------------------------------
-j MARK --set-xmark 0xfeedcafe/0xfeedcafe
-j MARK --set-xmark 0x0
-j MARK --set-xmark 4294967295
-j MARK --set-xmark 0x5/0x0f
-j MARK --set-xmark 0/0
-j MARK --set-xmark 0xc
-j MARK --set-xmark 4294967296
-j MARK --set-xmark -1

# --- set-mark -------------------------------------------------------------------------
-j MARK --set-mark 12
-j MARK --set-mark 0xc/0xff
-j MARK --set-mark 0
-j MARK --set-mark 1/0
-j MARK --set-mark 010
-j MARK --set-mark 0x10/0x10
-j MARK --set-mark 0xffffffff
-j MARK --set-mark " 7"
-j MARK --set-mark 0x1/0x100000000
-j MARK --set-mark 1x
-j MARK --set-mark 1/2x
-j MARK --set-mark 1/
-j MARK --set-mark /3
-j MARK --set-mark 1/2/3
-j MARK --set-mark -1
-j MARK --set-mark

# --- and / or / xor ---------------------------------------------------------------------
-j MARK --and-mark 0xff
-j MARK --and-mark 0xffffffff
-j MARK --and-mark 0
-j MARK --or-mark 0x10
-j MARK --or-mark 0
-j MARK --xor-mark 3
-j MARK --xor-mark 0
-j MARK --and-mark 1/2
-j MARK --or-mark 4294967296
-j MARK --xor-mark abc

# --- conflicts and missing operation -------------------------------------------------------
-j MARK
-j MARK --set-mark 0x1 --or-mark 2
-j MARK --xor-mark 1 --and-mark 2
-j MARK --set-xmark 1 --set-mark 2
-j MARK --or-mark 1 --xor-mark 2 --and-mark 3
-j MARK --set-mark 1 --set-mark 2
-j MARK ! --set-mark 1

# --- any table ----------------------------------------------------------------------------
*filter
:INPUT
-j MARK --set-mark 1
*nat
:OUTPUT
-j MARK --or-mark 0x100
*raw
:PREROUTING
-j MARK --set-xmark 0x2/0x3
*security
:FORWARD
-j MARK --and-mark 0xffff
