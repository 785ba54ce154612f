# connmark match, revision 1 (libxt_connmark, kernel xt_connmark): --mark value[/mask].
-m connmark --mark 1
-m connmark --mark 0
-m connmark --mark 0x10
-m connmark --mark 010
-m connmark --mark 0xffffffff
-m connmark --mark 4294967296
-m connmark --mark 0x1/0xff
-m connmark --mark 0x1/0xffffffff
-m connmark --mark 0x1/0
-m connmark ! --mark 1
-m connmark ! --mark 0x10/0xf0
-m connmark --mark -1
-m connmark --mark abc
-m connmark --mark 1/abc
-m connmark --mark 1x
-m connmark --mark 1/2x
-m connmark --mark 1/
-m connmark --mark 1 --mark 2
-m connmark
-m connmark --mark
-m connmark --mark 1 -j ACCEPT
*mangle
:PREROUTING
-m connmark --mark 0x100/0x100
:OUTPUT
-m connmark ! --mark 7
*nat
:POSTROUTING
-m connmark --mark 1
*raw
:PREROUTING
-m connmark --mark 1
