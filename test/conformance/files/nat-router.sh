# Home router / NAT gateway.
iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE
iptables -A FORWARD -i eth0 -o eth1 -m state --state RELATED,ESTABLISHED -j ACCEPT
iptables -A FORWARD -i eth1 -o eth0 -j ACCEPT
iptables -t nat -A PREROUTING -i eth0 -p tcp --dport 2222 -j DNAT --to-destination 192.168.1.10:22
iptables -t nat -A PREROUTING -i eth0 -p tcp --dport 8000:8010 -j DNAT --to-destination 192.168.1.20:9000-9010
iptables -t nat -A PREROUTING -i eth0 -p udp --dport 1194 -j DNAT --to 192.168.1.30
iptables -A FORWARD -p tcp -d 192.168.1.10 --dport 22 -j ACCEPT
iptables -t nat -A POSTROUTING -s 192.168.1.0/24 -o eth0 -j SNAT --to-source 203.0.113.5
iptables -t nat -A POSTROUTING -s 10.8.0.0/24 -o eth0 -j SNAT --to-source 203.0.113.6-203.0.113.9
iptables -t nat -A POSTROUTING -o eth0 -p tcp -j MASQUERADE --to-ports 1024-65535
iptables -t nat -L -n -v
iptables -t nat -L
iptables -L FORWARD -v
