# getopt_long accepts unambiguous prefixes of long options.
iptables -A INPUT -p tcp --dp 22 -j ACCEPT
iptables -A INPUT -p tcp --sp 1024: -j ACCEPT
iptables -A INPUT -p tcp --dport :1023 -j ACCEPT
iptables -t nat -A PREROUTING -p tcp --dport 80 -j REDIRECT --to-port 8080
iptables -t nat -A PREROUTING -p tcp --dport 81 -j REDIRECT --to 8081
iptables -A INPUT --src 10.0.0.1 --dst 10.0.0.2 -j ACCEPT
iptables -A INPUT -m iprange --src-range 10.0.0.1-10.0.0.9 -j ACCEPT
iptables -A INPUT -j LOG --log-pref "abbrev: "
iptables -S
iptables -t nat -S
