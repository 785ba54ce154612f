# NFLOG target: group, prefix (63-byte cut), size vs the obsolete range,
# threshold, defaults that are not saved.

-j NFLOG
-j NFLOG --nflog-group 1
-j NFLOG --nflog-group 65535
-j NFLOG --nflog-group 65536
-j NFLOG --nflog-group 0
-j NFLOG --nflog-group 0x10
-j NFLOG --nflog-group 010
-j NFLOG --nflog-group -1
-j NFLOG --nflog-group abc
-j NFLOG --nflog-group
-j NFLOG --nflog-group 1 --nflog-group 2
-j NFLOG ! --nflog-group 1

# --- size and range --------------------------------------------------------------
-j NFLOG --nflog-size 0
-j NFLOG --nflog-size 1
-j NFLOG --nflog-size 128
-j NFLOG --nflog-size 4294967295
-j NFLOG --nflog-size 4294967296
-j NFLOG --nflog-size -1
-j NFLOG --nflog-range 1
-j NFLOG --nflog-range 0
-j NFLOG --nflog-range 4294967295
-j NFLOG --nflog-range 4294967296
-j NFLOG --nflog-size 100 --nflog-range 5
-j NFLOG --nflog-range 5 --nflog-size 100

# --- threshold -------------------------------------------------------------------
-j NFLOG --nflog-threshold 1
-j NFLOG --nflog-threshold 0
-j NFLOG --nflog-threshold 65535
-j NFLOG --nflog-threshold 65536

# --- prefix ----------------------------------------------------------------------
-j NFLOG --nflog-prefix foo
-j NFLOG --nflog-prefix "hello world"
-j NFLOG --nflog-prefix "q\"uote"
-j NFLOG --nflog-prefix xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
-j NFLOG --nflog-prefix xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
-j NFLOG --nflog-prefix ""
-j NFLOG --nflog-prefix

# --- everything, in a different order than saved ----------------------------------
-j NFLOG --nflog-threshold 10 --nflog-size 256 --nflog-prefix "all: " --nflog-group 5
-p udp -j NFLOG --nflog-group 2 --nflog-range 64

# --- any table ---------------------------------------------------------------------
*raw
:OUTPUT
-j NFLOG --nflog-group 3
*mangle
:FORWARD
-j NFLOG --nflog-prefix mangled
*nat
:POSTROUTING
-j NFLOG
