# getopt accepts --opt=value, but the generic options read the whole word.
iptables --append=INPUT --jump=ACCEPT
iptables --append INPUT --protocol=tcp --jump ACCEPT
