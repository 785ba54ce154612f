# Comments as people write them on the command line.
iptables -A INPUT -p tcp --dport 22 -m comment --comment "allow ssh" -j ACCEPT
iptables -A INPUT -p tcp --dport 80 -m comment --comment 'allow http' -j ACCEPT
iptables -A INPUT -p tcp --dport 443 -m comment --comment nospaces -j ACCEPT
iptables -A INPUT -p tcp --dport 8080 -m comment --comment "it's quoted" -j ACCEPT
iptables -A INPUT -p tcp --dport 8081 -m comment --comment 'say "hi"' -j ACCEPT
iptables -A INPUT -p tcp --dport 8082 -m comment --comment "back\\slash" -j ACCEPT
iptables -A INPUT -p tcp --dport 8083 -m comment --comment "" -j ACCEPT
iptables -A INPUT -p tcp --dport 8084 -m comment --comment "multiple   spaces  " -j ACCEPT
iptables -A INPUT -p tcp --dport 8085 -m comment --comment "default/web:http cluster IP" -j ACCEPT
iptables -L INPUT -n
iptables -L INPUT -v
iptables -S INPUT
