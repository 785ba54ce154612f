# Names are resolved once, when the rule is added (hosts file of the corpus).
iptables -A INPUT -s www.example.test -j ACCEPT
iptables -A INPUT -d db.example.test -p tcp --dport 5432 -j ACCEPT
iptables -A INPUT -s multi.example.test -j ACCEPT
iptables -A INPUT -s localhost -j ACCEPT
iptables -A INPUT -s 192.0.2.10 -d 198.51.100.1 -j ACCEPT
iptables -A INPUT -s 127.0.0.0/8 -d 0.0.0.0/8 -j DROP
iptables -A INPUT -s 169.254.0.0/16 -j DROP
iptables -L INPUT
iptables -L INPUT -v
iptables -A INPUT -s unknown.example.test -j DROP
