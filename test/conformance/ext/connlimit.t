# connlimit match (libxt_connlimit revision 1, kernel xt_connlimit): connection count
# per source (or destination) network; above/upto, grouping mask, saddr/daddr.
-m connlimit --connlimit-above 3
-m connlimit --connlimit-above 0
-m connlimit --connlimit-above 4294967295
-m connlimit --connlimit-above 4294967296
-m connlimit --connlimit-above 0x10
-m connlimit --connlimit-above 010
-m connlimit --connlimit-above -1
-m connlimit --connlimit-above abc
-m connlimit --connlimit-upto 5
-m connlimit ! --connlimit-above 5
-m connlimit ! --connlimit-upto 5
-m connlimit --connlimit-upto 1 --connlimit-above 1
-m connlimit --connlimit-above 1 --connlimit-above 2
-m connlimit --connlimit-above 2 --connlimit-mask 24
-m connlimit --connlimit-above 2 --connlimit-mask 0
-m connlimit --connlimit-above 2 --connlimit-mask 32
-m connlimit --connlimit-above 2 --connlimit-mask 33
-m connlimit --connlimit-above 2 --connlimit-mask 255.255.0.0
-m connlimit --connlimit-above 2 --connlimit-mask 255.0.255.0
-m connlimit --connlimit-above 2 --connlimit-mask 0.0.0.0
-m connlimit --connlimit-above 2 --connlimit-mask 0x18
-m connlimit --connlimit-above 2 --connlimit-mask foo
-m connlimit --connlimit-above 2 ! --connlimit-mask 8
-m connlimit --connlimit-above 10 --connlimit-saddr
-m connlimit --connlimit-above 10 --connlimit-daddr
-m connlimit --connlimit-above 10 --connlimit-daddr --connlimit-mask 16
-m connlimit --connlimit-above 10 --connlimit-saddr --connlimit-daddr
-m connlimit --connlimit-above 10 --connlimit-daddr --connlimit-daddr
-m connlimit --connlimit-above 10 ! --connlimit-daddr
-m connlimit --connlimit-mask 24
-m connlimit
-m connlimit --connlimit-above
-m connlimit --conlimit-above 1
-m connlimit --connlimit-a 7
-p tcp --syn --dport 22 -m connlimit --connlimit-above 3 -j REJECT --reject-with tcp-reset
-m connlimit --connlimit-above 3 -m connlimit --connlimit-upto 9 --connlimit-mask 8
:OUTPUT
-m connlimit --connlimit-upto 50 --connlimit-daddr
*nat
:POSTROUTING
-m connlimit --connlimit-above 1
*raw
:PREROUTING
-m connlimit --connlimit-above 1
