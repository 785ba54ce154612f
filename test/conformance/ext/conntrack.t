# conntrack match, revision 3 (libxt_conntrack, kernel xt_conntrack).
# --ctstate: names by case-insensitive prefix, printed in a fixed order.
-m conntrack --ctstate NEW
-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-m conntrack --ctstate NEW,RELATED,ESTABLISHED
-m conntrack --ctstate INVALID -j DROP
-m conntrack --ctstate UNTRACKED
-m conntrack --ctstate SNAT,DNAT
-m conntrack --ctstate dnat,snat,untracked,established,related,new,invalid
-m conntrack --ctstate est,rel
-m conntrack --ctstate N
-m conntrack ! --ctstate NEW,INVALID
-m conntrack --ctstate wrong
-m conntrack --ctstate NEW,wrong,RELATED
-m conntrack --ctstate NEWX
-m conntrack --ctstate ,NEW
-m conntrack --ctstate NEW,
-m conntrack --ctstate ""
-m conntrack --ctstate NEW --ctstate INVALID
# --ctproto: by number or name, always printed as a number
-m conntrack --ctproto tcp
-m conntrack ! --ctproto udp
-m conntrack --ctproto 47
-m conntrack --ctproto TCP
-m conntrack --ctproto 0
-m conntrack ! --ctproto 0
-m conntrack ! --ctstatus NONE --ctproto 0
-m conntrack --ctproto 256
-m conntrack --ctproto nosuchproto
# addresses: host bits are kept; masks as prefix length or dotted netmask
-m conntrack --ctorigsrc 10.1.2.3/8
-m conntrack --ctorigdst 192.168.0.0/255.255.0.0
-m conntrack ! --ctreplsrc 127.0.0.1
-m conntrack --ctrepldst 0.0.0.0/0
-m conntrack --ctorigsrc 0/0
-m conntrack --ctorigsrc 0.0.0.0/8
-m conntrack --ctorigsrc 1.2.3.4/0
-m conntrack --ctorigsrc 10.1
-m conntrack --ctorigsrc 0x0a000001
-m conntrack --ctorigsrc 010.1.2.3
-m conntrack --ctorigsrc 1.65535
-m conntrack --ctorigsrc 4294967295
-m conntrack --ctorigsrc 1.2.3.4/0x10
-m conntrack --ctorigsrc 1.2.3.4/010
-m conntrack --ctorigsrc 1.2.3.4/+8
-m conntrack --ctorigsrc 1.2.3.4/255.0.255.0
-m conntrack --ctorigsrc 1.2.3.4/33
-m conntrack --ctorigsrc 1.2.3.4/4294967040
-m conntrack --ctorigsrc 1.2.3.4/
-m conntrack --ctorigsrc 1.2.3.4/-1
-m conntrack --ctorigsrc 1.2.3.4/24/2
-m conntrack --ctorigsrc 10.0.0.1 --ctorigdst 10.0.0.2 --ctreplsrc 10.0.0.3 --ctrepldst 10.0.0.4
# listing names come from /etc/hosts and /etc/networks unless -n
-m conntrack --ctorigsrc 192.0.2.10 --ctorigdst 127.0.0.0/8 ! --ctreplsrc 169.254.0.0/16
# ports: services, ranges with open ends, no order check in 1.8.9, 16-bit wrap
-m conntrack --ctorigsrcport 22
-m conntrack --ctorigdstport ssh
-m conntrack --ctreplsrcport domain:http
-m conntrack ! --ctrepldstport 1024:
-m conntrack --ctorigsrcport :1023
-m conntrack --ctorigsrcport :
-m conntrack --ctorigsrcport 4:4
-m conntrack --ctorigsrcport 5:3
-m conntrack --ctorigsrcport 5:0
-m conntrack --ctorigsrcport 70000
-m conntrack --ctorigsrcport 010
-m conntrack --ctorigsrcport +22
-m conntrack --ctorigsrcport ""
-m conntrack --ctorigsrcport 0x10
-m conntrack --ctorigsrcport -1
-m conntrack --ctorigsrcport nosuchservice
-m conntrack --ctorigsrcport 1:2:3
-m conntrack -p tcp --ctorigdstport 80 --ctrepldstport 1:2 --ctreplsrcport 3 --ctorigsrcport 4
# --ctstatus
-m conntrack --ctstatus NONE
-m conntrack --ctstatus EXPECTED
-m conntrack --ctstatus SEEN_REPLY
-m conntrack --ctstatus ASSURED
-m conntrack --ctstatus CONFIRMED
-m conntrack ! --ctstatus confirmed,assured,seen_reply,expected
-m conntrack --ctstatus NONE,ASSURED
-m conntrack --ctstatus s
-m conntrack --ctstatus ,
-m conntrack --ctstatus FOO
# --ctexpire: 32-bit range, no order check in 1.8.9
-m conntrack --ctexpire 0
-m conntrack --ctexpire 4294967295
-m conntrack --ctexpire 0:4294967295
-m conntrack --ctexpire 3:3
-m conntrack --ctexpire 4:3
-m conntrack ! --ctexpire 5:10
-m conntrack --ctexpire :3
-m conntrack --ctexpire 3:
-m conntrack --ctexpire :
-m conntrack --ctexpire ""
-m conntrack --ctexpire 0x10:010
-m conntrack --ctexpire 42949672956
-m conntrack --ctexpire -1
-m conntrack --ctexpire 5x
-m conntrack --ctexpire 1:2:3
# --ctdir
-m conntrack --ctdir ORIGINAL
-m conntrack --ctdir reply
-m conntrack --ctdir foo
-m conntrack ! --ctdir REPLY
# everything at once, in the fixed print order
-m conntrack --ctdir REPLY ! --ctexpire 1:9 --ctstatus ASSURED --ctrepldstport 53 --ctreplsrcport 53 --ctorigdstport 53 --ctorigsrcport 53 --ctrepldst 4.4.4.4 --ctreplsrc 3.3.3.3/24 --ctorigdst 2.2.2.2 ! --ctorigsrc 1.1.1.1 --ctproto udp --ctstate NEW
# errors
-m conntrack
-m conntrack --ctstate
-m conntrack --ctfoo 1
*raw
-m conntrack --ctstate NEW
*nat
:POSTROUTING
-m conntrack --ctstate DNAT -j MASQUERADE
# port readers: getaddrinfo() limits and service names of any protocol
-m conntrack --ctorigsrcport 4294967295
-m conntrack --ctorigsrcport 2147483648
-m conntrack --ctorigsrcport 2147483647
-m conntrack --ctorigsrcport 65536
-m conntrack --ctorigdstport 70000
-m conntrack --ctorigdstport domain
-m conntrack --ctrepldstport ssh:http
