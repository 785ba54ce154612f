iptables -N web
iptables -A web -p tcp --dport 80 -j ACCEPT
iptables -A INPUT -j web
iptables -A FORWARD -g web
iptables -E web web-in
iptables -L -n
iptables -N other
iptables -E other web-in
