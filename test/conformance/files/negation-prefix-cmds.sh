iptables -A INPUT ! -s 10.0.0.0/8 -j DROP
iptables -A INPUT ! -d 192.168.0.0/16 ! -i lo -j DROP
iptables -A INPUT ! -p tcp -j ACCEPT
iptables -A INPUT -p tcp ! --syn -j ACCEPT
iptables -A INPUT ! -f -j ACCEPT
iptables -A INPUT -p icmp ! --icmp-type echo-request -j ACCEPT
iptables -A INPUT -m conntrack ! --ctstate NEW -j ACCEPT
iptables -L INPUT -n -v
iptables -L INPUT
