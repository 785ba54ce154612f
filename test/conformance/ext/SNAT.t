# SNAT target: --to-source a[-b][:p[-q]], --random, --random-fully, --persistent.
# nat table only, from POSTROUTING and INPUT. Revision 0: a "/base" keeps only its flag.
*nat
:POSTROUTING
-j SNAT --to-source 1.1.1.1
-j SNAT --to-source 1.1.1.1-1.1.1.10
-j SNAT --to-source 1.1.1.10-1.1.1.1
-j SNAT --to-source 1.1.1.1 --random
-j SNAT --to-source 1.1.1.1 --random-fully
-j SNAT --to-source 1.1.1.1 --persistent
-j SNAT --to-source 1.1.1.1 --random --persistent
-j SNAT --to-source 1.1.1.1 --random --random-fully
-j SNAT --to-source 1.1.1.1 --persistent --random-fully --random
-p tcp -j SNAT --to-source 1.1.1.1:1025-65535
-p tcp -j SNAT --to-source 1.1.1.1-1.1.1.10:1025-65535
-p udp -j SNAT --to-source 192.0.2.1:53
-p icmp -j SNAT --to-source 192.0.2.1:7
-p tcp -j SNAT --to-source :1024-2047
-p tcp -j SNAT --to-source 1.1.1.1:http
-p tcp -j SNAT --to-source 1.1.1.1:1000-2000/3000
-p tcp -j SNAT --to-source 1.1.1.1:1000-2000/ssh
-p udp -j SNAT --to-source 1.1.1.1:0x400-0x7ff
-o eth0 -s 10.0.0.0/8 -j SNAT --to-source 203.0.113.5
-j SNAT --to 1.1.1.1
-j SNAT --to-source 1.1.1.1 --random-f
# errors
-j SNAT
-j SNAT --random
-j SNAT --to-source 1.1.1.1:1025-65535
-j SNAT --to-source 1.1.1.1 --to-source 2.2.2.2
-p tcp -j SNAT --to-source 1.1.1.1-1.1.1.10:1025-65536
-p tcp -j SNAT --to-source 1.1.1.1-1.1.1.10:1025-65535 --to-source 2.2.2.2-2.2.2.20:1025-65535
-j SNAT --to-source 1.1.1.1 --random --random
-j SNAT --to-source 1.1.1.1 --to-ports 80
-j SNAT --to-source 1.1.1.1/24
-j SNAT --to-source 1.1.1.1,2.2.2.2
-j SNAT --to-source 10.1
-p tcp -j SNAT --to-source 1.1.1.1:5:6
-p tcp -j SNAT --to-source 1.1.1.1:6-5
-j SNAT ! --to-source 1.1.1.1
:INPUT
-j SNAT --to-source 1.1.1.1
:PREROUTING
-j SNAT --to-source 1.1.1.1
:OUTPUT
-j SNAT --to-source 1.1.1.1
*filter
:OUTPUT
-j SNAT --to-source 1.1.1.1
