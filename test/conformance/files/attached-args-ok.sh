# Glued values work for commands and extension options.
iptables -AINPUT -p tcp --dport=22 -j ACCEPT
iptables -NFOO
iptables -IINPUT -j FOO
iptables -tnat -APOSTROUTING -o eth0 -j MASQUERADE
iptables -tnat -S
iptables -S
