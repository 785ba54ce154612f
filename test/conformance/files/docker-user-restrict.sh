# Restricting published container ports through DOCKER-USER.
iptables -N DOCKER-USER
iptables -A DOCKER-USER -j RETURN
iptables -I FORWARD -j DOCKER-USER
iptables -I DOCKER-USER -i eth0 ! -s 192.168.1.0/24 -j DROP
iptables -I DOCKER-USER -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN
iptables -I DOCKER-USER -i eth0 -s 203.0.113.0/24 -p tcp -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL -j ACCEPT
iptables -I DOCKER-USER -i eth0 -m iprange --src-range 198.51.100.10-198.51.100.20 -j ACCEPT
iptables -L DOCKER-USER -n -v --line-numbers
iptables -S DOCKER-USER
