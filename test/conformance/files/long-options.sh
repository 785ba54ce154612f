iptables --append INPUT --protocol tcp --destination-port 22 --jump ACCEPT
iptables --append INPUT --source 10.0.0.0/8 --in-interface eth0 --jump DROP
iptables --insert INPUT 1 --protocol udp --dport 53 --jump ACCEPT
iptables --new-chain MYCHAIN
iptables --append MYCHAIN --jump RETURN
iptables --append INPUT --jump MYCHAIN
iptables --table nat --append POSTROUTING --out-interface eth0 --jump MASQUERADE
iptables -t nat --list-rules
iptables --list-rules
iptables --policy FORWARD DROP
iptables --delete INPUT 1
iptables --flush MYCHAIN
iptables --zero
iptables --delete INPUT --jump MYCHAIN
iptables --delete-chain MYCHAIN
