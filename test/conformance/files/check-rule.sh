# -C answers through its exit status; a missing rule ends the script.
iptables -A INPUT -p tcp --dport 22 -j ACCEPT
iptables -C INPUT -p tcp --dport 22 -j ACCEPT
iptables -C INPUT -p tcp -m tcp --dport 22 -j ACCEPT
iptables -C INPUT -p tcp --dport 23 -j ACCEPT
