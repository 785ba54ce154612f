# ecn match (libxt_ecn, kernel xt_ecn): TCP ECE/CWR flags and the IP ECN codepoint.
-p tcp -m ecn --ecn-tcp-cwr
-p tcp -m ecn --ecn-tcp-ece
-p tcp -m ecn --ecn-tcp-ece --ecn-tcp-cwr --ecn-ip-ect 2
-p tcp -m ecn --ecn-ip-ect 2 --ecn-tcp-cwr --ecn-tcp-ece
-p tcp -m ecn ! --ecn-tcp-ece ! --ecn-tcp-cwr ! --ecn-ip-ect 2
-p tcp -m ecn ! --ecn-tcp-cwr
-m ecn --ecn-ip-ect 0
-m ecn --ecn-ip-ect 1
-m ecn --ecn-ip-ect 3
-m ecn ! --ecn-ip-ect 3
-p udp -m ecn --ecn-ip-ect 1
-m ecn --ecn-ip-ect 4
-m ecn --ecn-ip-ect -1
-m ecn --ecn-ip-ect 0x2
-m ecn --ecn-ip-ect x
-m ecn --ecn-tcp-cwr
-p udp -m ecn --ecn-tcp-ece
! -p tcp -m ecn --ecn-tcp-ece
-p 6 -m ecn --ecn-tcp-ece
-p tcp -m ecn --ecn-tcp-cwr --ecn-tcp-cwr
-p tcp -m ecn --ecn-ip-ect 1 --ecn-ip-ect 2
-m ecn
-m ecn --ecn-ip-ect
-p tcp -m ecn --ecn-tcp-ece -j DROP
*mangle
:FORWARD
-p tcp -m ecn --ecn-tcp-ece ! --ecn-ip-ect 0
