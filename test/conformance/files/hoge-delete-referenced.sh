# Deleting a chain that is still jumped to is refused.
iptables -N HOGE
iptables -A HOGE -j ACCEPT
iptables -A INPUT -p tcp --dport 22222 -j HOGE
iptables -X HOGE
iptables -A INPUT -j DROP
