iptables -A OUTPUT -p tcp --sport 80 -m quota --quota 1073741824 -j ACCEPT
iptables -A OUTPUT -p tcp --sport 80 -j DROP
iptables -t mangle -A FORWARD -m connbytes --connbytes 10485760: --connbytes-dir both --connbytes-mode bytes -j MARK --set-mark 0x9
iptables -t mangle -A FORWARD -m connbytes --connbytes 0:100 --connbytes-dir original --connbytes-mode packets -j ACCEPT
iptables -S
iptables -t mangle -S
iptables -t mangle -L -n -v
