iptables -P INPUT DROP
iptables -P FORWARD REJECT
