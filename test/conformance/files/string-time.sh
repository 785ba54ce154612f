iptables -A INPUT -p tcp --dport 80 -m string --string "GET /admin" --algo bm -j DROP
iptables -A INPUT -p tcp --dport 80 -m string --algo kmp --string "/etc/passwd" --from 40 --to 1500 -j DROP
iptables -A INPUT -p udp --dport 53 -m string --hex-string "|07|example|03|com|00|" --algo bm -j DROP
iptables -A FORWARD -m time --timestart 09:00 --timestop 17:00 --weekdays Mon,Tue,Wed,Thu,Fri -j ACCEPT
iptables -A FORWARD -m time --datestart 2024-01-01T00:00:00 --datestop 2024-12-31T23:59:59 --kerneltz -j DROP
iptables -S
iptables -L -n
