# SYNPROXY target (libxt_SYNPROXY, kernel ipt_SYNPROXY): answers SYNs itself with the
# given TCP options and hands the connection over once the handshake completed.
:INPUT
-p tcp -m tcp --dport 80 -m state --state INVALID,UNTRACKED -j SYNPROXY --sack-perm --timestamp --wscale 7 --mss 1460
-p tcp -m tcp --dport 42 -m conntrack --ctstate INVALID,UNTRACKED -j SYNPROXY --sack-perm --timestamp --wscale 9 --mss 1460
-p tcp -j SYNPROXY
-p tcp -j SYNPROXY --sack-perm
-p tcp -j SYNPROXY --timestamp
-p tcp -j SYNPROXY --ecn
-p tcp -j SYNPROXY --wscale 0
-p tcp -j SYNPROXY --wscale 14
-p tcp -j SYNPROXY --wscale 255
-p tcp -j SYNPROXY --wscale 256
-p tcp -j SYNPROXY --wscale 300
-p tcp -j SYNPROXY --wscale 4294967295
-p tcp -j SYNPROXY --wscale 4294967296
-p tcp -j SYNPROXY --mss 0
-p tcp -j SYNPROXY --mss 65535
-p tcp -j SYNPROXY --mss 65536
-p tcp -j SYNPROXY --mss 70000
-p tcp -j SYNPROXY --mss 0x5b4
-p tcp -j SYNPROXY --mss -1
-p tcp -j SYNPROXY --mss abc
-p tcp -j SYNPROXY --mss
-p tcp -j SYNPROXY --ecn --mss 1400 --wscale 2 --timestamp --sack-perm
-p tcp -j SYNPROXY --sack-perm --sack-perm
-p tcp -j SYNPROXY ! --sack-perm
-p tcp -j SYNPROXY --mss 1 --mss 2
-p tcp -j SYNPROXY --sack
-j SYNPROXY --sack-perm --timestamp --mss 1460 --wscale 9
-p udp -j SYNPROXY --mss 1460
! -p tcp -j SYNPROXY --mss 1460
:FORWARD
-p tcp -j SYNPROXY --mss 1460
:OUTPUT
-p tcp -j SYNPROXY --mss 1460
-N SYN
:SYN
-p tcp -j SYNPROXY --mss 1460
*mangle
:INPUT
-p tcp -j SYNPROXY --mss 1460
:PREROUTING
-p tcp -j SYNPROXY --mss 1460
*raw
:PREROUTING
-p tcp -j SYNPROXY --mss 1460
