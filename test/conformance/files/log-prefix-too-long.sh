iptables -A INPUT -j LOG --log-prefix "this prefix is definitely longer than twenty-nine characters"
