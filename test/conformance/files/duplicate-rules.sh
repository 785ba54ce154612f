# Appending the same rule twice keeps both; -D by specification removes the first.
iptables -A INPUT -s 10.0.0.1 -j ACCEPT
iptables -A INPUT -s 10.0.0.2 -j ACCEPT
iptables -A INPUT -s 10.0.0.1 -j ACCEPT
iptables -D INPUT -s 10.0.0.1 -j ACCEPT
iptables -L INPUT -n --line-numbers
iptables -D INPUT -s 10.0.0.1/32 -j ACCEPT
iptables -D INPUT -s 10.0.0.2/255.255.255.255 -j ACCEPT
iptables -S INPUT
