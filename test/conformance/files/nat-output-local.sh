# Locally generated traffic: nat OUTPUT and INPUT chains.
iptables -t nat -A OUTPUT -d 10.10.10.10 -p tcp --dport 80 -j DNAT --to-destination 127.0.0.1:8080
iptables -t nat -A OUTPUT -o lo -p tcp --dport 5432 -j REDIRECT --to-ports 6432
iptables -t nat -A INPUT -p tcp --dport 8080 -j SNAT --to-source 127.0.0.2
iptables -t nat -A POSTROUTING -m owner --uid-owner 0 -o eth0 -j MASQUERADE
iptables -t nat -L -n -v
iptables -t nat -S
