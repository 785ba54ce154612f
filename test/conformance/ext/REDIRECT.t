# REDIRECT target: --to-ports p[-q], --random. nat PREROUTING and OUTPUT.
*nat
:PREROUTING
-p tcp -j REDIRECT --to-ports 42
-p tcp -j REDIRECT --to-ports 0
-p tcp -j REDIRECT --to-ports 65535
-p udp -j REDIRECT --to-ports 0-0
-p udp -j REDIRECT --to-ports 512-512
-p udp -j REDIRECT --to-ports 42-1234
-p tcp -j REDIRECT --to-ports 42-1234 --random
-p tcp -j REDIRECT --to-ports ssh
-p tcp -j REDIRECT --to-ports ftp-data
-p tcp -j REDIRECT --to-ports 0x50-0120
-p tcp -j REDIRECT --to-ports " 80"
-p tcp -j REDIRECT --to-port 3000
-p tcp -j REDIRECT --to 3000
-p tcp -j REDIRECT --to-ports=3000
-p tcp --dport 80 -j REDIRECT --to-ports 3128
-p icmp -j REDIRECT --to-ports 1
-p sctp -j REDIRECT --to-ports 1
-j REDIRECT
-j REDIRECT --random
-i eth0 -p tcp -m tcp --dport 53 -j REDIRECT --to-ports 5353
# errors
-p tcp -j REDIRECT --to-ports 65536
-p tcp -j REDIRECT --to-ports 42-1234/567
-p tcp -j REDIRECT --to-ports ftp-ssh
-p tcp -j REDIRECT --to-ports 10-ssh
-p tcp -j REDIRECT --to-ports 10:20
-p tcp -j REDIRECT --to-ports 20-10
-p tcp -j REDIRECT --to-ports 10-20-30
-p tcp -j REDIRECT --to-ports ""
-p tcp -j REDIRECT --to-ports
-p tcp -j REDIRECT --to-ports 1 --to-ports 2
-p tcp -j REDIRECT --random --random
-p tcp -j REDIRECT --random-fully
-p tcp -j REDIRECT ! --to-ports 1
-j REDIRECT --to-ports 42
:OUTPUT
-p tcp -j REDIRECT --to-ports 8080
:INPUT
-p tcp -j REDIRECT --to-ports 8080
:POSTROUTING
-p tcp -j REDIRECT --to-ports 8080
*mangle
:PREROUTING
-p tcp -j REDIRECT --to-ports 8080
