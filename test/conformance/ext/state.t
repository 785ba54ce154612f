# state match: in iptables 1.8 an alias of conntrack revision 3 (libxt_conntrack "state").
-m state --state INVALID
-m state --state NEW,RELATED
-m state --state ESTABLISHED,RELATED -j ACCEPT
-m state --state UNTRACKED
-m state --state new,established
-m state --state related,new,invalid,established,untracked
-m state --state E,R
-m state ! --state INVALID -j DROP
-m state ! --state NEW,ESTABLISHED
-p tcp --dport 22 -m state --state NEW -j ACCEPT
-m state --state NEW -m state --state ESTABLISHED
-m state --state NEW -m conntrack --ctstate ESTABLISHED
# the alias knows neither SNAT nor DNAT
-m state --state SNAT
-m state --state DNAT
-m state --state wrong
-m state --state NEW,wrong
-m state --state NEWX
-m state --state ,NEW
-m state --state NEW,
-m state --state ""
-m state --state NEW --state INVALID
-m state wrong
-m state
-m state --state
-m state --ctstate NEW
*raw
-m state --state UNTRACKED
*mangle
:FORWARD
-m state --state INVALID -j DROP
