# NFQUEUE target, revision 3 (libxt_NFQUEUE, kernel xt_NFQUEUE): hands the packet to a
# userspace queue, one or a balanced range, optionally bypassing when nobody listens.
-j NFQUEUE
-j NFQUEUE --queue-num 0
-j NFQUEUE --queue-num 1
-j NFQUEUE --queue-num 65535
-j NFQUEUE --queue-num 65536
-j NFQUEUE --queue-num -1
-j NFQUEUE --queue-num 0x10
-j NFQUEUE --queue-num 010
-j NFQUEUE --queue-num abc
-j NFQUEUE --queue-num 1 --queue-num 2
-j NFQUEUE --queue-balance 0:65534
-j NFQUEUE --queue-balance 0:65535
-j NFQUEUE --queue-balance 0:65536
-j NFQUEUE --queue-balance -1:65535
-j NFQUEUE --queue-balance 0:6
-j NFQUEUE --queue-balance 2:3
-j NFQUEUE --queue-balance 3:3
-j NFQUEUE --queue-balance 4:3
-j NFQUEUE --queue-balance 5
-j NFQUEUE --queue-balance 5:
-j NFQUEUE --queue-balance :5
-j NFQUEUE --queue-balance 1:2:3
-j NFQUEUE --queue-balance 0x10:0x20
-j NFQUEUE --queue-num 1 --queue-balance 2:3
-j NFQUEUE --queue-num 10 --queue-bypass
-j NFQUEUE --queue-bypass
-j NFQUEUE --queue-bypass --queue-bypass
-j NFQUEUE ! --queue-bypass
-j NFQUEUE --queue-balance 0:6 --queue-cpu-fanout --queue-bypass
-j NFQUEUE --queue-bypass --queue-balance 0:6 --queue-cpu-fanout
-j NFQUEUE --queue-balance 0:6 --queue-bypass
-j NFQUEUE --queue-balance 0:6 --queue-cpu-fanout
-j NFQUEUE --queue-cpu-fanout
-j NFQUEUE --queue-num 3 --queue-cpu-fanout
-j NFQUEUE --queue-num 3 --fail-open
-j NFQUEUE --queue-num
-p tcp --dport 80 -j NFQUEUE --queue-num 7 --queue-bypass
:OUTPUT
-j NFQUEUE --queue-num 2
*mangle
:POSTROUTING
-j NFQUEUE --queue-balance 10:20
*nat
:PREROUTING
-j NFQUEUE --queue-num 1
*raw
:PREROUTING
-j NFQUEUE --queue-num 1
