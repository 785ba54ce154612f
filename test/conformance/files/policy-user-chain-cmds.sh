iptables -N CUSTOM
iptables -A CUSTOM -j ACCEPT
iptables -P CUSTOM DROP
