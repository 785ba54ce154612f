# connbytes match (libxt_connbytes, kernel xt_connbytes): packets/bytes/average size
# counted by conntrack in one or both directions, as a 64-bit range.
-m connbytes --connbytes 0:1000 --connbytes-mode packets --connbytes-dir original
-m connbytes --connbytes 0:1000 --connbytes-mode bytes --connbytes-dir reply
-m connbytes --connbytes 0:1000 --connbytes-mode avgpkt --connbytes-dir both
-m connbytes --connbytes 10485760: --connbytes-mode bytes --connbytes-dir both
-m connbytes --connbytes 1000 --connbytes-mode packets --connbytes-dir original
-m connbytes --connbytes 1000:1000 --connbytes-mode packets --connbytes-dir original
-m connbytes --connbytes : --connbytes-mode packets --connbytes-dir original
-m connbytes --connbytes :1000 --connbytes-mode packets --connbytes-dir original
-m connbytes --connbytes 1000:0 --connbytes-mode packets --connbytes-dir original
-m connbytes --connbytes 5:3 --connbytes-mode packets --connbytes-dir original
-m connbytes --connbytes 0 --connbytes-mode packets --connbytes-dir original
-m connbytes ! --connbytes 0:1000 --connbytes-mode bytes --connbytes-dir both
-m connbytes ! --connbytes 1000 --connbytes-mode bytes --connbytes-dir both
-m connbytes ! --connbytes 10: --connbytes-mode bytes --connbytes-dir both
-m connbytes ! --connbytes 0 --connbytes-mode bytes --connbytes-dir both
-m connbytes ! --connbytes 5:5 --connbytes-mode bytes --connbytes-dir both
-m connbytes ! --connbytes 5:3 --connbytes-mode bytes --connbytes-dir both
-m connbytes --connbytes 0x10:0x20 --connbytes-mode bytes --connbytes-dir both
-m connbytes --connbytes 010:020 --connbytes-mode bytes --connbytes-dir both
-m connbytes --connbytes 0:18446744073709551615 --connbytes-mode avgpkt --connbytes-dir both
-m connbytes --connbytes 18446744073709551615 --connbytes-mode avgpkt --connbytes-dir both
-m connbytes --connbytes 9007199254740993:18446744073709551614 --connbytes-mode bytes --connbytes-dir both
-m connbytes --connbytes 0:18446744073709551616 --connbytes-mode avgpkt --connbytes-dir both
-m connbytes --connbytes -1:0 --connbytes-mode packets --connbytes-dir original
-m connbytes --connbytes 0:-1 --connbytes-mode packets --connbytes-dir original
-m connbytes --connbytes 1:2:3 --connbytes-mode packets --connbytes-dir original
-m connbytes --connbytes 1x --connbytes-mode packets --connbytes-dir original
-m connbytes --connbytes 0:1000 --connbytes-mode wrong --connbytes-dir both
-m connbytes --connbytes 0:1000 --connbytes-mode packets --connbytes-dir wrong
-m connbytes --connbytes 0:1000 --connbytes-mode Packets --connbytes-dir both
-m connbytes --connbytes 0:1000 --connbytes-dir original
-m connbytes --connbytes 0:1000 --connbytes-mode packets
-m connbytes --connbytes-dir original
-m connbytes --connbytes 0:1000
-m connbytes
-m connbytes --connbytes 1 --connbytes 2 --connbytes-mode packets --connbytes-dir both
-m connbytes --connbytes 1 --connbytes-mode packets --connbytes-mode bytes --connbytes-dir both
-m connbytes --connbytes 1 --connbytes-mode packets --connbytes-dir both ! --connbytes-dir reply
-m connbytes --connbytes 1 --connbytes-mode packets ! --connbytes-dir both
:OUTPUT
-m connbytes --connbytes 0:100 --connbytes-dir reply --connbytes-mode packets -j DROP
*mangle
:POSTROUTING
-m connbytes --connbytes 0:3 --connbytes-dir original --connbytes-mode avgpkt
