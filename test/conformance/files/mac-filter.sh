iptables -A INPUT -m mac --mac-source 00:11:22:33:44:55 -j ACCEPT
iptables -A INPUT -m mac --mac-source AA:BB:CC:DD:EE:FF -j ACCEPT
iptables -A INPUT -m mac ! --mac-source 0a:0b:0c:0d:0e:0f -j DROP
iptables -A FORWARD -i br0 -m mac --mac-source 02:42:ac:11:00:02 -j ACCEPT
iptables -S
iptables -L -n
