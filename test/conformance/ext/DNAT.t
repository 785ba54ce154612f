# DNAT target: --to-destination a[-b][:p[-q[/base]]], --random, --persistent.
# nat table only, from PREROUTING and OUTPUT; ports need -p tcp/udp/sctp/dccp (or icmp).
*nat
:PREROUTING
-j DNAT --to-destination 1.1.1.1
-j DNAT --to-destination 1.1.1.1-1.1.1.10
-j DNAT --to-destination 1.1.1.10-1.1.1.1
-j DNAT --to-destination 0.0.0.0
-p tcp -j DNAT --to-destination 255.255.255.255:65535
-p tcp -j DNAT --to-destination 1.1.1.1:1025-65535
-p tcp -j DNAT --to-destination 1.1.1.1-1.1.1.10:1025-65535
-p udp -j DNAT --to-destination 10.0.0.1:53
-p sctp -j DNAT --to-destination 10.0.0.1:80
-p dccp -j DNAT --to-destination 10.0.0.1:80
-p icmp -j DNAT --to-destination 10.0.0.1:80
-p 17 -j DNAT --to-destination 10.0.0.1:80
! -p tcp -j DNAT --to-destination 10.0.0.1:80
-p tcp -j DNAT --to-destination :8080
-p tcp -j DNAT --to-destination ab:8080
-p tcp -j DNAT --to-destination 1.1.1.1:80-80
-p tcp -j DNAT --to-destination 1.1.1.1:0-65535
-p tcp -j DNAT --to-destination 1.1.1.1:0x50
-p tcp -j DNAT --to-destination 1.1.1.1:070000
-p tcp -j DNAT --to-destination 1.1.1.1:+80
-p tcp -j DNAT --to-destination 1.1.1.1:ssh
-p tcp -j DNAT --to-destination 1.1.1.1:ftp-data
-p tcp -j DNAT --to-destination 1.1.1.1:1000-2000/1000
-p tcp -j DNAT --to-destination 1.1.1.1:1000-2000/3000
-p tcp -j DNAT --to-destination 1.1.1.1:1000-2000/65535
-p tcp -j DNAT --to-destination 1.1.1.1:10-20/ftp
-p tcp -j DNAT --to-destination 1.1.1.1:10-20/30junk
-p tcp -j DNAT --to-destination 1.1.1.1 --random
-p tcp -j DNAT --to-destination 1.1.1.1 --persistent --random
-p tcp -j DNAT --to-dest 1.1.1.1:80 --rand
-p tcp -j DNAT --to 1.1.1.1
-p tcp -j DNAT --to-destination=1.1.1.1
-p tcp -m tcp --dport 80 -j DNAT --to-destination 192.168.0.10:8080
# errors
-j DNAT
-j DNAT --random
-j DNAT --to-destination 1.1.1.1:1025-65535
-j DNAT --to-destination 1.1.1.1:80 -p tcp
-p udplite -j DNAT --to-destination 1.1.1.1:80
-j DNAT --to-destination 1.1.1.1 --to-destination 2.2.2.2
-j DNAT --to-destination 1.1.1.1 --persistent --persistent
-j DNAT --to-destination 1.1.1.1 --random-fully
-j DNAT --to-destination 1.1.1.1 --to-ports 80
-j DNAT ! --to-destination 1.1.1.1
-j DNAT --to-destination
-j DNAT --to-destination ""
-j DNAT --to-destination 1.1.1
-j DNAT --to-destination 01.1.1.1
-j DNAT --to-destination 1.1.1.256
-j DNAT --to-destination 1.1.1.1-
-j DNAT --to-destination -1.1.1.1
-j DNAT --to-destination 1.1.1.1-1.1.1.2-1.1.1.3
-j DNAT --to-destination www.example.test
-j DNAT --to-destination [1.1.1.1]:80
-p tcp -j DNAT --to-destination 1.1.1.1:80:90
-p tcp -j DNAT --to-destination 1.1.1.1:
-p tcp -j DNAT --to-destination 1.1.1.1:65536
-p tcp -j DNAT --to-destination 1.1.1.1:-1
-p tcp -j DNAT --to-destination 1.1.1.1:80x
-p tcp -j DNAT --to-destination 1.1.1.1:90-80
-p tcp -j DNAT --to-destination 1.1.1.1:80-x
-p tcp -j DNAT --to-destination 1.1.1.1:80-ssh
-p tcp -j DNAT --to-destination 1.1.1.1:1025-65536
-p tcp -j DNAT --to-destination 1.1.1.1:80-90x
-p tcp -j DNAT --to-destination 1.1.1.1:echo-ssh
-p tcp -j DNAT --to-destination 1.1.1.1:1000-2000/0
-p tcp -j DNAT --to-destination 1.1.1.1:1000-2000/65536
-p tcp -j DNAT --to-destination 1.1.1.1:1000-2000/
:OUTPUT
-p tcp -j DNAT --to-destination 127.0.0.1:8080
:INPUT
-j DNAT --to-destination 1.1.1.1
:POSTROUTING
-j DNAT --to-destination 1.1.1.1
-N FROMPRE
:FROMPRE
-j DNAT --to-destination 1.1.1.1
*filter
:INPUT
-j DNAT --to-destination 1.1.1.1
*mangle
:PREROUTING
-j DNAT --to-destination 1.1.1.1
