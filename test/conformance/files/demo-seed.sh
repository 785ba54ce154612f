# Seed ruleset for the demo: a small, stateless server firewall in the style of the
# classic iptables tutorials (user chains HOGE1..3 with RETURN and goto, MARK across
# hooks, REDIRECT of port 80, LOG before DROP). Stateless on purpose: services are
# accepted by port in both directions of a connection, as tutorials do before they
# introduce conntrack.
iptables -P INPUT DROP
iptables -P FORWARD DROP
iptables -A INPUT -i lo -j ACCEPT
iptables -A INPUT -p icmp --icmp-type echo-request -j ACCEPT
iptables -A INPUT -p tcp -m multiport --dports 22,80,443 -j ACCEPT
iptables -N HOGE1
iptables -N HOGE2
iptables -N HOGE3
iptables -A INPUT -p tcp --dport 22222 -j HOGE1
iptables -A HOGE1 -j LOG --log-prefix "hoge1: "
iptables -A HOGE1 -p tcp --tcp-flags SYN,ACK,FIN,RST SYN -j HOGE2
iptables -A HOGE1 -j RETURN
iptables -A HOGE2 -s 192.0.2.0/24 -g HOGE3
iptables -A HOGE2 -j DROP
iptables -A HOGE3 -m limit --limit 3/min -j ACCEPT
iptables -t mangle -A PREROUTING -p udp --dport 53 -j MARK --set-mark 12
iptables -A INPUT -m mark --mark 12 -p udp -j ACCEPT
iptables -t nat -A PREROUTING -p tcp --dport 80 -j REDIRECT --to-port 3000
iptables -A INPUT ! -i eth+ -j DROP
iptables -A INPUT -j LOG --log-prefix "drop: " --log-level 4
