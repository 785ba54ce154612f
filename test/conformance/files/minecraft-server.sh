iptables -A INPUT -p tcp --dport 25565 -j ACCEPT
iptables -A INPUT -p udp --dport 19132:19133 -j ACCEPT
iptables -A INPUT -p tcp --dport 25575 -s 192.168.1.0/24 -j ACCEPT
iptables -A INPUT -p tcp --dport 25575 -j DROP
iptables -A INPUT -p tcp --dport 25565 -m connlimit --connlimit-above 5 -j REJECT
iptables -L INPUT -n --line-numbers
