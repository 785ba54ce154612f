iptables -A OUTPUT -d 169.254.169.254 -m owner --uid-owner 0 -j ACCEPT
iptables -A OUTPUT -d 169.254.169.254 -j DROP
iptables -A FORWARD -d 169.254.169.254/32 -j REJECT --reject-with icmp-net-prohibited
iptables -L -v
iptables -L
