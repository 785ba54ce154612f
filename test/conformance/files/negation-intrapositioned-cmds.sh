# Old-style "--option ! value" negation.
iptables -A INPUT -p tcp --dport ! 22 -j ACCEPT
iptables -A INPUT -p tcp ! --dport 23 -j ACCEPT
iptables -A INPUT -m state --state ! ESTABLISHED -j LOG
iptables -A INPUT -p tcp -m multiport --dports ! 80,443 -j DROP
iptables -S INPUT
iptables -A INPUT -s ! 10.0.0.0/8 -j DROP
