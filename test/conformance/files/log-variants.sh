iptables -N LOGGING
iptables -A INPUT -j LOGGING
iptables -A LOGGING -m limit --limit 2/min -j LOG --log-prefix "IPTables-Dropped: " --log-level 4
iptables -A LOGGING -j LOG --log-prefix "[fw] " --log-level warning --log-tcp-sequence --log-tcp-options --log-ip-options --log-uid
iptables -A LOGGING -j LOG --log-prefix 'single quoted: '
iptables -A LOGGING -j LOG --log-level debug
iptables -A LOGGING -j LOG --log-prefix "a\"b"
iptables -A LOGGING -j NFLOG --nflog-group 5 --nflog-prefix "nf log"
iptables -A LOGGING -j DROP
iptables -L LOGGING -n
iptables -S LOGGING
