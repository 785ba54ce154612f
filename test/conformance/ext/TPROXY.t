# TPROXY target, revision 1 (libxt_TPROXY, kernel xt_TPROXY): diverts a packet to a
# local socket without changing it; mangle PREROUTING, tcp or udp only.
*mangle
:PREROUTING
-p tcp -j TPROXY --on-port 3129
-p tcp -j TPROXY --on-port 3129 --tproxy-mark 0x1/0x1
-p tcp -j TPROXY --tproxy-mark 0x1/0x1 --on-port 3129
-p tcp -j TPROXY --on-ip 127.0.0.1 --on-port 3130
-p udp -j TPROXY --on-port 12345 --on-ip 10.0.0.1 --tproxy-mark 0x23/0xff
-p tcp -m tcp --dport 2342 -j TPROXY --on-port 12345 --on-ip 10.0.0.1 --tproxy-mark 0x23/0xff
-p tcp -j TPROXY --on-port 0
-p tcp -j TPROXY --on-port 65535
-p tcp -j TPROXY --on-port 65536
-p tcp -j TPROXY --on-port 70000
-p tcp -j TPROXY --on-port -1
-p tcp -j TPROXY --on-port http
-p tcp -j TPROXY --on-port 0x50
-p tcp -j TPROXY --on-port nosuchservice
-p tcp -j TPROXY --on-port 1 --on-port 2
-p tcp -j TPROXY --on-ip 10.0.0.1
-p tcp -j TPROXY
-p tcp -j TPROXY --on-port 1 --on-ip 10.1
-p tcp -j TPROXY --on-port 1 --on-ip 0x7f000001
-p tcp -j TPROXY --on-port 1 --on-ip 10.0.0.256
-p tcp -j TPROXY --on-port 1 --on-ip 10.0.0.1/24
-p tcp -j TPROXY --on-port 1 --on-ip 0.0.0.0
-p tcp -j TPROXY --on-port 1 --tproxy-mark 5
-p tcp -j TPROXY --on-port 1 --tproxy-mark 0xffffffff/0
-p tcp -j TPROXY --on-port 1 --tproxy-mark 4294967296
-p tcp -j TPROXY --on-port 1 --tproxy-mark 1/
-p tcp -j TPROXY --on-port 1 --tproxy-mark 1x
-p tcp -j TPROXY --on-port 1 ! --tproxy-mark 1
-p tcp -j TPROXY --on-port 1 --tproxy-mark 1 --tproxy-mark 2
-j TPROXY --on-port 12345 --on-ip 10.0.0.1 --tproxy-mark 0x23/0xff
-p icmp -j TPROXY --on-port 1
! -p tcp -j TPROXY --on-port 1
-N DIVERT
:DIVERT
-p tcp -j TPROXY --on-port 1
:INPUT
-p tcp -j TPROXY --on-port 1
:OUTPUT
-p tcp -j TPROXY --on-port 1
*nat
:PREROUTING
-p tcp -j TPROXY --on-port 1
*filter
:INPUT
-p tcp -j TPROXY --on-port 1
*raw
:PREROUTING
-p tcp -j TPROXY --on-port 1
