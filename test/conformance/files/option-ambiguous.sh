# --d is a prefix of several options.
iptables -A INPUT -p tcp --d 22 -j ACCEPT
