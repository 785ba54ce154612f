# A chain that still has rules cannot be deleted, even when nothing jumps to it.
iptables -N HOGE
iptables -A HOGE -j ACCEPT
iptables -X HOGE
