iptables -A INPUT -p tcp --dport 22 -j ACCEPT
iptables -A INPUT -p udp --dport 53 -j ACCEPT
iptables -N LOGDROP
iptables -A LOGDROP -j LOG
iptables -A LOGDROP -j DROP
iptables -Z
iptables -Z INPUT
iptables -Z INPUT 2
iptables -Z LOGDROP
iptables -L -v -x -n
iptables -L -Z -v -n
iptables -Z INPUT 3
