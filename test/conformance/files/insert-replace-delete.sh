# Rule positions: insert, replace, delete by number and by specification.
iptables -A INPUT -p tcp --dport 22 -j ACCEPT
iptables -A INPUT -p tcp --dport 80 -j ACCEPT
iptables -I INPUT -p tcp --dport 443 -j ACCEPT
iptables -I INPUT 1 -i lo -j ACCEPT
iptables -I INPUT 5 -j DROP
iptables -R INPUT 2 -p tcp --dport 8443 -j ACCEPT
iptables -L INPUT -n --line-numbers
iptables -D INPUT -p tcp --dport 80 -j ACCEPT
iptables -D INPUT -p tcp -m tcp --dport 22 -j ACCEPT
iptables -D INPUT 1
iptables -C INPUT -p tcp --dport 8443 -j ACCEPT
iptables -A INPUT -s 10.0.0.0/8 -j ACCEPT
iptables -A INPUT -s 10.0.0.0/8 -j ACCEPT
iptables -D INPUT -s 10.0.0.0/8 -j ACCEPT
iptables --list INPUT --numeric --line-numbers
iptables -S INPUT
iptables -S INPUT 1
iptables -L INPUT 2 -n
