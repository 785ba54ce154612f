# Mark in mangle PREROUTING, then match the mark in filter INPUT.
iptables -t mangle -A PREROUTING -p tcp --dport 22222 -j MARK --set-mark 1
iptables -t mangle -A PREROUTING -s 192.168.1.0/24 -j MARK --set-mark 0x10/0xf0
iptables -t mangle -A PREROUTING -i eth1 -j MARK --or-mark 0x100
iptables -t mangle -A PREROUTING -i eth2 -j MARK --and-mark 0xff
iptables -t mangle -A PREROUTING -i eth3 -j MARK --xor-mark 4
iptables -A INPUT -m mark --mark 1 -j LOG --log-prefix "marked: "
iptables -A INPUT -m mark --mark 1 -j ACCEPT
iptables -A INPUT -m mark --mark 0x10/0xf0 -j ACCEPT
iptables -A INPUT -m mark ! --mark 0 -j DROP
iptables -t mangle -L -n -v
