iptables -A INPUT -p sctp --dport 5060 -j ACCEPT
iptables -A INPUT -p sctp -m sctp --sport 2905 --chunk-types any INIT,SACK -j ACCEPT
iptables -A INPUT -p dccp --dport 5001 -j ACCEPT
iptables -A INPUT -p udp -m multiport --dports 5060,5061 -j ACCEPT
iptables -S INPUT
iptables -L INPUT -n
