iptables -A INPUT -p tcp -m multiport --dports 25,465,587 -m conntrack --ctstate NEW -j ACCEPT
iptables -A INPUT -p tcp -m multiport --dports 110,143,993,995 -j ACCEPT
iptables -A INPUT -p tcp --dport 4190 -s 192.168.0.0/16 -j ACCEPT
iptables -A OUTPUT -p tcp --dport 25 -m owner ! --uid-owner 0 -j REJECT --reject-with tcp-reset
iptables -L -n -v
