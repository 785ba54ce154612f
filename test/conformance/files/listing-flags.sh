# The listing incantations people paste.
iptables -A INPUT -i lo -j ACCEPT
iptables -A INPUT -p tcp -s 10.0.0.0/8 --dport 22 -j ACCEPT
iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE
iptables -nvL
iptables -vnxL INPUT
iptables -L -n -v --line-numbers -t nat
iptables -nL --line-numbers
iptables -L INPUT -n -v -x
iptables -S -t nat
iptables -t nat -nvL POSTROUTING
iptables -L -n --verbose --exact
iptables --list --numeric --line-numbers
iptables -n -L FORWARD
