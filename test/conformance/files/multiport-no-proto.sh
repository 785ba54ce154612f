# multiport without -p tcp/udp is refused.
iptables -A INPUT -m multiport --dports 22,80 -j ACCEPT
