# quota match (libxt_quota, kernel xt_quota): a byte budget shared by the rule; matches
# until it is used up (or, negated, once it is).
-m quota --quota 0
-m quota ! --quota 0
-m quota --quota 1073741824
-m quota --quota 18446744073709551615
-m quota ! --quota 18446744073709551615
-m quota --quota 9007199254740993
-m quota --quota 18446744073709551616
-m quota --quota 0x400
-m quota --quota 0400
-m quota --quota " 7"
-m quota --quota +7
-m quota --quota -1
-m quota --quota 1k
-m quota --quota ""
-m quota --quota abc
-m quota --quota 1 --quota 2
-m quota
-m quota --quota
-m quota --quota 5 -m quota --quota 6
-m quota --quota 5 -j ACCEPT
-p tcp --dport 80 -m quota ! --quota 1000000 -j DROP
:OUTPUT
-m quota --quota 100
*mangle
:PREROUTING
-m quota --quota 100
*nat
:POSTROUTING
-m quota --quota 100
*raw
:PREROUTING
-m quota --quota 100
