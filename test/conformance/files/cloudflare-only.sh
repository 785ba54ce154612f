# Only let the CDN reach the web ports.
iptables -N CF
iptables -A CF -s 173.245.48.0/20 -j ACCEPT
iptables -A CF -s 103.21.244.0/22 -j ACCEPT
iptables -A CF -s 103.22.200.0/22 -j ACCEPT
iptables -A CF -s 103.31.4.0/22 -j ACCEPT
iptables -A CF -s 141.101.64.0/18 -j ACCEPT
iptables -A CF -s 108.162.192.0/18 -j ACCEPT
iptables -A CF -s 190.93.240.0/20 -j ACCEPT
iptables -A CF -s 188.114.96.0/20 -j ACCEPT
iptables -A CF -s 197.234.240.0/22 -j ACCEPT
iptables -A CF -s 198.41.128.0/17 -j ACCEPT
iptables -A CF -s 162.158.0.0/15 -j ACCEPT
iptables -A CF -s 104.16.0.0/13 -j ACCEPT
iptables -A CF -s 104.24.0.0/14 -j ACCEPT
iptables -A CF -s 172.64.0.0/13 -j ACCEPT
iptables -A CF -s 131.0.72.0/22 -j ACCEPT
iptables -A CF -j DROP
iptables -A INPUT -p tcp -m multiport --dports http,https -j CF
iptables -L CF -n
iptables -L CF
