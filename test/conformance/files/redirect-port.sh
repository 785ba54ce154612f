# Forward port 80 to a local app on 3000 (node/express style tutorials).
sudo iptables -t nat -A PREROUTING -p tcp --dport 80 -j REDIRECT --to-port 3000
sudo iptables -t nat -A PREROUTING -i eth0 -p tcp --dport 443 -j REDIRECT --to-ports 3443
sudo iptables -t nat -A OUTPUT -o lo -p tcp --dport 80 -j REDIRECT --to-port 3000
sudo iptables -t nat -A PREROUTING -p udp --dport 5000:5010 -j REDIRECT --to-ports 6000-6010
sudo iptables -t nat -A PREROUTING -p tcp -m tcp --dport 8080 -j REDIRECT
sudo iptables -t nat -L -n -v --line-numbers
sudo iptables -t nat -S
