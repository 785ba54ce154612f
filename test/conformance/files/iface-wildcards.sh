iptables -A INPUT -i lo -j ACCEPT
iptables -A INPUT ! -i lo -s 127.0.0.0/8 -j DROP
iptables -A INPUT -i eth+ -p tcp --dport 22 -j ACCEPT
iptables -A INPUT -i wlan+ -j DROP
iptables -A FORWARD -i br-+ -o eth0 -j ACCEPT
iptables -A FORWARD -i eth0 ! -o ppp+ -j DROP
iptables -A FORWARD -i + -o + -j ACCEPT
iptables -A OUTPUT -o tun+ -j ACCEPT
iptables -L -v -n
