# Building a chain from the top with -I, as some scripts do.
iptables -I INPUT -j DROP
iptables -I INPUT -p tcp --dport 443 -j ACCEPT
iptables -I INPUT -p tcp --dport 80 -j ACCEPT
iptables -I INPUT -p tcp --dport 22 -j ACCEPT
iptables -I INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
iptables -I INPUT -i lo -j ACCEPT
iptables -I INPUT 6 -p icmp -j ACCEPT
iptables -I INPUT 8 -j LOG --log-prefix "end "
iptables -L INPUT --line-numbers -n
