# MASQUERADE target: --to-ports p[-q], --random, --random-fully. nat POSTROUTING only.
*nat
:POSTROUTING
-j MASQUERADE
-j MASQUERADE --random
-j MASQUERADE --random-fully
-j MASQUERADE --random --random-fully
-j MASQUERADE --random-fully --random
-o eth0 -j MASQUERADE
-s 10.0.0.0/8 ! -d 10.0.0.0/8 -j MASQUERADE
-p tcp -j MASQUERADE --to-ports 1024
-p udp -j MASQUERADE --to-ports 1024-65535
-p tcp -j MASQUERADE --to-ports 1024-1024
-p tcp -j MASQUERADE --to-ports 0
-p sctp -j MASQUERADE --to-ports 1024-2048
-p dccp -j MASQUERADE --to-ports 1024-2048
-p icmp -j MASQUERADE --to-ports 5
-p tcp -j MASQUERADE --to-ports http
-p tcp -j MASQUERADE --to-ports 0x400-02000
-p tcp -j MASQUERADE --to-ports 1000-2000/3000
-p tcp -j MASQUERADE --to-ports 1024-65535 --random
-p tcp -j MASQUERADE --to-port 1024
-p tcp -j MASQUERADE --to 1024
# errors
-p udp -j MASQUERADE --to-ports 1024-65536
-p udp -j MASQUERADE --to-ports -1
-p udp -j MASQUERADE --to-ports 5-4
-p udp -j MASQUERADE --to-ports 5:6
-p udp -j MASQUERADE --to-ports :6
-p udp -j MASQUERADE --to-ports 5-
-p udp -j MASQUERADE --to-ports nosuchservice
-p udp -j MASQUERADE --to-ports 1.2.3.4:5
-j MASQUERADE --to-ports 1024
-p gre -j MASQUERADE --to-ports 1024
-p tcp -j MASQUERADE --to-ports 1024 --to-ports 2048
-j MASQUERADE --random --random
-j MASQUERADE --persistent
-j MASQUERADE --to-source 1.1.1.1
-j MASQUERADE --to-ports
:PREROUTING
-j MASQUERADE
:INPUT
-j MASQUERADE
:OUTPUT
-j MASQUERADE
-N masq
:masq
-j MASQUERADE
*filter
:FORWARD
-j MASQUERADE
