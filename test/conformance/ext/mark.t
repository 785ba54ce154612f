# mark match, revision 1 (libxt_mark, kernel xt_mark): --mark value[/mask].
-m mark --mark 1
-m mark --mark 0
-m mark --mark 0x10
-m mark --mark 010
-m mark --mark 4294967295
-m mark --mark 0xffffffff
-m mark --mark 4294967296
-m mark --mark 1/1
-m mark --mark 0x1/0xff
-m mark --mark 0x1/0xffffffff
-m mark --mark 0x1/0
-m mark --mark 0x5/0x1
-m mark ! --mark 1
-m mark ! --mark 0x10/0xf0
-m mark --mark -1
-m mark --mark abc
-m mark --mark 1/abc
-m mark --mark 1x
-m mark --mark 1/2x
-m mark --mark 1/
-m mark --mark /1
-m mark --mark 1/2/3
-m mark --mark " 5"
-m mark --mark +5
-m mark --mark 1 --mark 2
-m mark
-m mark --mark
-m mark --mark 1 -m mark --mark 2/3
-m mark --mark 1 -j ACCEPT
*mangle
:PREROUTING
-m mark --mark 0x100/0x100
:POSTROUTING
-m mark ! --mark 7
*nat
:PREROUTING
-m mark --mark 1
*raw
:OUTPUT
-m mark --mark 1
