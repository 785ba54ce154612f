# User-defined chains, walked through step by step the way the classic
# "HOGE" tutorials do it.
iptables -N HOGE1
iptables -N HOGE2
iptables -N HOGE3
iptables -A INPUT -p tcp --dport 22222 -j HOGE1
iptables -A HOGE1 -j LOG --log-prefix "hoge1: "
iptables -A HOGE1 -p tcp --dport 22222 -j HOGE2
iptables -A HOGE2 -j LOG --log-prefix "hoge2: "
iptables -A HOGE2 -j RETURN
iptables -A HOGE3 -j LOG --log-prefix "hoge3: "
iptables -A HOGE3 -j DROP
iptables -L -n --line-numbers
iptables -R HOGE1 1 -p icmp --goto HOGE3
iptables -A INPUT -p tcp --dport 80 -j ACCEPT
iptables -A INPUT -p tcp --dport 443 -j ACCEPT
iptables -I INPUT 3 -p tcp --dport 22222 -j DROP
iptables -L INPUT -n --line-numbers
iptables -D INPUT 1
iptables -N HOGE
iptables -X HOGE
iptables -P INPUT DROP
iptables -L -v
iptables -S
