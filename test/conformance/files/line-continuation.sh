# Long commands wrapped with backslashes.
iptables -A INPUT \
  -p tcp \
  --dport 22 \
  -m conntrack --ctstate NEW,ESTABLISHED \
  -j ACCEPT
iptables -A OUTPUT -p tcp --sport 22 \
  -m conntrack --ctstate ESTABLISHED -j ACCEPT
