# TCPOPTSTRIP target (libxt_TCPOPTSTRIP, kernel xt_TCPOPTSTRIP): replaces the listed TCP
# options with NOPs; mangle table, -p tcp only.
*mangle
:PREROUTING
-p tcp -j TCPOPTSTRIP
-p tcp -j TCPOPTSTRIP --strip-options 2,3,4,5,6,7
-p tcp -j TCPOPTSTRIP --strip-options wscale
-p tcp -j TCPOPTSTRIP --strip-options mss,sack-permitted,sack,timestamp,md5
-p tcp -j TCPOPTSTRIP --strip-options md5,mss
-p tcp -j TCPOPTSTRIP --strip-options 19,2
-p tcp -j TCPOPTSTRIP --strip-options 255
-p tcp -j TCPOPTSTRIP --strip-options 256
-p tcp -j TCPOPTSTRIP --strip-options 0x1e
-p tcp -j TCPOPTSTRIP --strip-options 030
-p tcp -j TCPOPTSTRIP --strip-options 0
-p tcp -j TCPOPTSTRIP --strip-options 1
-p tcp -j TCPOPTSTRIP --strip-options 1,2
-p tcp -j TCPOPTSTRIP --strip-options 2,2
-p tcp -j TCPOPTSTRIP --strip-options mss,2
-p tcp -j TCPOPTSTRIP --strip-options MSS
-p tcp -j TCPOPTSTRIP --strip-options foo
-p tcp -j TCPOPTSTRIP --strip-options 2,
-p tcp -j TCPOPTSTRIP --strip-options ""
-p tcp -j TCPOPTSTRIP --strip-options 2 --strip-options 3
-p tcp -j TCPOPTSTRIP ! --strip-options 2
-p tcp -j TCPOPTSTRIP --strip-options
-j TCPOPTSTRIP --strip-options 2
-p udp -j TCPOPTSTRIP --strip-options 2
! -p tcp -j TCPOPTSTRIP --strip-options 2
-p tcp --syn -j TCPOPTSTRIP --strip-options timestamp
:INPUT
-p tcp -j TCPOPTSTRIP --strip-options 2
:FORWARD
-p tcp -j TCPOPTSTRIP --strip-options 2
:OUTPUT
-p tcp -j TCPOPTSTRIP --strip-options 2
:POSTROUTING
-p tcp -j TCPOPTSTRIP --strip-options 2
*filter
:INPUT
-p tcp -j TCPOPTSTRIP --strip-options 2
*raw
:PREROUTING
-p tcp -j TCPOPTSTRIP --strip-options 2
