iptables -A INPUT -p tcp --tcp-option 8 -j ACCEPT
iptables -A INPUT -p tcp ! --tcp-option 2 -j DROP
iptables -A INPUT -p tcp -m tcpmss --mss 1:500 -j DROP
iptables -A INPUT -p tcp --syn -m tcpmss ! --mss 536:65535 -j DROP
iptables -A INPUT -m ecn --ecn-tcp-cwr -p tcp -j ACCEPT
iptables -A INPUT -m dscp --dscp 0x2e -j ACCEPT
iptables -A INPUT -m tos --tos 0x10/0x3f -j ACCEPT
iptables -A INPUT -m ttl --ttl-gt 64 -j ACCEPT
iptables -A INPUT -m length ! --length 40:1500 -j DROP
iptables -S INPUT
iptables -L INPUT -n
iptables -L INPUT -v
