# Option values glued to the option letter, as getopt allows.
iptables -AINPUT -ptcp --dport 22 -jACCEPT
iptables -A INPUT -s10.0.0.0/8 -ieth0 -j DROP
iptables -S
