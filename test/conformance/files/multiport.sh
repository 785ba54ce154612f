iptables -A INPUT -p tcp -m multiport --dports 22,80,443 -j ACCEPT
iptables -A INPUT -p udp -m multiport --dports 53,123,1000:2000 -j ACCEPT
iptables -A INPUT -p tcp -m multiport --sports 1024:65535 -j ACCEPT
iptables -A INPUT -p tcp -m multiport --ports 25,587,465 -j ACCEPT
iptables -A INPUT -p tcp -m multiport ! --dports 22,80 -j DROP
iptables -A INPUT -p tcp -m multiport --dports ssh,http,https -j ACCEPT
iptables -A INPUT -p tcp -m multiport --destination-ports 8000:8080 -j ACCEPT
iptables -A INPUT -p tcp --match multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15 -j ACCEPT
iptables -L INPUT -n -v
