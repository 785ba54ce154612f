# Mixed sudo usage as copied from a blog post.
sudo iptables -A INPUT -p tcp --dport 22 -j ACCEPT
iptables -A INPUT -p tcp --dport 80 -j ACCEPT
sudo   iptables -A INPUT -p tcp --dport 443 -j ACCEPT
    sudo iptables -P INPUT DROP
sudo iptables -L
