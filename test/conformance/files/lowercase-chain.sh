iptables -A input -p tcp --dport 22 -j ACCEPT
