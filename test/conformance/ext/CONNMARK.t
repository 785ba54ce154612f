# CONNMARK target (revision 2): set/and/or/xor fold into --set-xmark; save and
# restore always save both masks; --mask, --ctmask, --nfmask and the shifts.
*mangle
:PREROUTING

# --- set-style operations -------------------------------------------------------------
-j CONNMARK --set-mark 12
-j CONNMARK --set-mark 0xc/0xff
-j CONNMARK --set-mark 0
-j CONNMARK --set-xmark 0x5/0xf
-j CONNMARK --set-xmark 0xffffffff/0xffffffff
-j CONNMARK --set-xmark 7
-j CONNMARK --and-mark 0xff
-j CONNMARK --and-mark 0
-j CONNMARK --or-mark 0x10
-j CONNMARK --xor-mark 3
-j CONNMARK --set-mark 1x
-j CONNMARK --set-mark 1/2/3
-j CONNMARK --set-mark 4294967296
-j CONNMARK --or-mark -1

# --- save / restore and masks ------------------------------------------------------------
-j CONNMARK --save-mark
-j CONNMARK --restore-mark
-j CONNMARK --save-mark --mask 0xff
-j CONNMARK --restore-mark --mask 0xff
-j CONNMARK --save-mark --mask 0
-j CONNMARK --save-mark --nfmask 0xff
-j CONNMARK --save-mark --ctmask 0xff
-j CONNMARK --save-mark --nfmask 0xfffffff --ctmask 0xffffffff
-j CONNMARK --restore-mark --nfmask 0xfffffff --ctmask 0xffffffff
-j CONNMARK --save-mark --nfmask 0xf0 --ctmask 0xff
-j CONNMARK --restore-mark --nfmask 0xf0 --ctmask 0xff
-j CONNMARK --restore-mark --ctmask 0xf0
-j CONNMARK --save-mark --ctmask 5 --nfmask 5
-j CONNMARK --save-mark --mask 0xff --nfmask 1
-j CONNMARK --save-mark --ctmask 1 --mask 0xff
-j CONNMARK --save-mark --mask -1
-j CONNMARK --save-mark --mask 0x100000000
-j CONNMARK --save-mark ! --mask 1

# --- masks interact with set-style operations in command-line order -------------------------
-j CONNMARK --set-mark 1 --mask 0xf
-j CONNMARK --mask 0xf --set-mark 1
-j CONNMARK --ctmask 0xf0 --set-mark 1
-j CONNMARK --set-xmark 1/2 --ctmask 0xf0 --nfmask 3

# --- shifts -----------------------------------------------------------------------------
-j CONNMARK --save-mark --left-shift-mark 3
-j CONNMARK --restore-mark --right-shift-mark 8 --mask 0xff
-j CONNMARK --set-mark 5 --left-shift-mark 2
-j CONNMARK --left-shift-mark 31 --save-mark
-j CONNMARK --right-shift-mark 31 --set-mark 1
-j CONNMARK --right-shift-mark 0 --save-mark
-j CONNMARK --left-shift-mark 2 --right-shift-mark 3 --save-mark
-j CONNMARK --save-mark --right-shift-mark 3 --left-shift-mark 0
-j CONNMARK --left-shift-mark 32 --save-mark
-j CONNMARK --right-shift-mark 32 --restore-mark
-j CONNMARK --left-shift-mark 33 --save-mark
-j CONNMARK --left-shift-mark 1 --left-shift-mark 2 --save-mark

# --- missing or conflicting operations -------------------------------------------------------
-j CONNMARK
-j CONNMARK --mask 0xff
-j CONNMARK --left-shift-mark 1
-j CONNMARK --save-mark --restore-mark
-j CONNMARK --set-xmark 1 --save-mark
-j CONNMARK --restore-mark --or-mark 1
-j CONNMARK --save-mark --save-mark
-j CONNMARK --set-mark

# --- any table -----------------------------------------------------------------------------
*filter
:INPUT
-j CONNMARK --save-mark
*raw
:PREROUTING
-j CONNMARK --restore-mark
*nat
:POSTROUTING
-j CONNMARK --set-mark 1
