iptables -A OUTPUT -m owner --uid-owner root -j ACCEPT
iptables -A OUTPUT -m owner --uid-owner 1000 -p tcp --dport 25 -j REJECT
iptables -A OUTPUT -m owner --gid-owner 0 -j ACCEPT
iptables -A OUTPUT -m owner ! --uid-owner 0 -d 169.254.169.254 -j DROP
iptables -A OUTPUT -m owner --uid-owner 1000-2000 -j LOG
iptables -S OUTPUT
iptables -L OUTPUT -n
