iptables -A INPUT -p tcp --dport 22 -j ACCEPT
iptables -R INPUT 2 -p tcp --dport 80 -j ACCEPT
