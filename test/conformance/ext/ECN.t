# ECN target (libipt_ECN, kernel ipt_ECN): clears or sets the ECN bits of the TCP
# header or the ECT codepoint of the IP header; mangle table only.
*mangle
:POSTROUTING
-p tcp -j ECN --ecn-tcp-remove
-p tcp -j ECN --ecn-tcp-cwr 0
-p tcp -j ECN --ecn-tcp-cwr 1
-p tcp -j ECN --ecn-tcp-ece 0
-p tcp -j ECN --ecn-tcp-ece 1
-p tcp -j ECN --ecn-tcp-ece 0 --ecn-tcp-cwr 0
-p tcp -j ECN --ecn-tcp-cwr 0 --ecn-tcp-ece 0
-p tcp -j ECN --ecn-tcp-ece 1 --ecn-tcp-cwr 1
-p tcp -j ECN --ecn-tcp-cwr 2
-p tcp -j ECN --ecn-tcp-ece -1
-p tcp -j ECN --ecn-ip-ect 0
-p tcp -j ECN --ecn-ip-ect 3
-p tcp -j ECN --ecn-ip-ect 4
-p tcp -j ECN --ecn-ip-ect 0x2
-j ECN --ecn-ip-ect 2
-p udp -j ECN --ecn-ip-ect 1
-p tcp -j ECN --ecn-tcp-remove --ecn-ip-ect 1
-p tcp -j ECN --ecn-ip-ect 1 --ecn-tcp-ece 1
-p tcp -j ECN --ecn-tcp-remove --ecn-tcp-cwr 1
-p tcp -j ECN --ecn-tcp-cwr 1 --ecn-tcp-remove
-p tcp -j ECN --ecn-tcp-remove --ecn-tcp-remove
-p tcp -j ECN ! --ecn-tcp-remove
-p tcp -j ECN
-j ECN
-j ECN --ecn-tcp-remove
-p udp -j ECN --ecn-tcp-remove
! -p tcp -j ECN --ecn-tcp-cwr 1
-p tcp -j ECN --ecn-tcp-cwr
:PREROUTING
-p tcp -j ECN --ecn-tcp-remove
:INPUT
-p tcp -j ECN --ecn-tcp-remove
:FORWARD
-p tcp -j ECN --ecn-tcp-remove
:OUTPUT
-p tcp -j ECN --ecn-tcp-remove
*filter
:INPUT
-p tcp -j ECN --ecn-tcp-remove
*raw
:PREROUTING
-p tcp -j ECN --ecn-tcp-remove
