# Generic (non-extension) rule options: protocol, addresses, interfaces,
# fragments, counters, jumps and gotos, plus the option spellings people use.

# --- targets --------------------------------------------------------------
-j ACCEPT
-j DROP
-j RETURN
-j QUEUE
-j accept
-j
--jump ACCEPT
--jump=DROP
-jACCEPT

# --- protocol -------------------------------------------------------------
-p tcp -j ACCEPT
-p udp
-p icmp
-p all
-p 0
-p ALL
-p TCP
-p Udp
-p 6
-p 17
-p 1
-p 47
-p gre
-p esp
-p ah
-p sctp
-p udplite
-p icmpv6
-p ipv6-icmp
-p 255
-p 256
-p -1
-p nosuchproto
-p 41
-p ipv6
-p 112
-p vrrp
! -p tcp
! -p udp -j ACCEPT
-p ! tcp
! -p 0 -j ACCEPT
! -p all
--protocol tcp
--proto udp
--prot icmp
--protocol=sctp
-ptcp
-p tcp -p udp

# --- source / destination -------------------------------------------------
-s 1.2.3.4
-s 1.2.3.4/32
-s 1.2.3.4/24
-s 1.2.3.0/24 -j DROP
-d 10.0.0.0/8 -j ACCEPT
-s 10.11.12.13/8
-s 10.11.12.13/9
-s 10.11.12.13/31
-s 10.11.12.13/0
-s 0.0.0.0/0
-s 0/0
-d 0.0.0.0/0 -j ACCEPT
-s 0.0.0.0
-s 0.0.0.0/8
-d 0.0.0.0/8
-s 127.0.0.0/8
-s 127.0.0.1
-d 169.254.0.0/16
-s 192.0.2.10
-s 192.0.2.10/31
-d 192.0.2.20
-s 10.11.12.13/255.0.0.0
-s 10.11.12.13/255.128.0.0
-s 10.11.12.13/255.255.255.255
-s 10.11.12.13/0.0.0.0
-s 10.11.12.13/255.0.255.0
-s 10.11.12.13/255.0.12.0
-s 10.11.12.13/0.255.0.255
-s 10.11.12.13/255.255.255.254
-s 10.11.12.13/33
-s 10.11.12.13/-1
-s 10.11.12.13/
-s 10.11.12.13/255.255.255.256
-s 1.2.3
-s 1.2
-s 1
-s 10
-s 10/8
-s 1.2.3.4.5
-s 256.1.1.1
-s 01.02.03.04
-s 010.0.0.1
-s 0x0a.0.0.1
-s 1.2.3.4 -d 5.6.7.8 -j DROP
-s 1.2.3.4,5.6.7.8
-s 1.2.3.4,5.6.7.8 -d 9.9.9.9,8.8.8.8 -j ACCEPT
-s 1.2.3.4/24,1.2.3.4/16
-s 1.2.3.4,1.2.3.4
-s 1.2.3.4,
-s ,1.2.3.4
-s localhost
-s www.example.test
-s www
-d db.example.test -j ACCEPT
-s multi.example.test
-s multi.example.test/24
-s no-such-host.invalid
-s ""
! -s 1.2.3.4
! -s 1.2.3.4 -j ACCEPT
-s ! 1.2.3.4
! -d 10.0.0.0/8
-d ! 10.0.0.0/8 -j DROP
! -s 1.2.3.4 ! -d 5.6.7.8
! -s 0.0.0.0/0
! -s 1.2.3.4,5.6.7.8
! ! -s 1.2.3.4
--source 1.2.3.4
--src 1.2.3.4
--destination 1.2.3.4
--dst 1.2.3.4
--source=1.2.3.4/16
-s1.2.3.4
-d1.2.3.4/24
-s 1.2.3.4 -s 5.6.7.8

# --- interfaces -----------------------------------------------------------
-i eth0
-i eth+
-i +
! -i +
-i lo -j ACCEPT
! -i eth0
-i ! eth0
-i eth0.100
-i br-1a2b3c4d5e6f
-i veth1234567
-i alongifacename0
-i thisinterfaceistoolong0
-i abcdefghijklmno
-i abcdefghijklmnop
-i eth0+
-i eth+0
-i eth*
-i "eth 0"
-i eth:0
-i eth/0
-i "eth0!"
-i wlan0 -s 192.168.0.0/16 -j ACCEPT
--in-interface eth1
--in eth1
-ieth1
-i eth0 -i eth1
-o eth0
-o eth0 -j ACCEPT
--out-interface eth0

# --- fragments ------------------------------------------------------------
-f
! -f
-f -j DROP
--fragment
--fragment -p tcp
-f -p tcp --dport 22
-f -f

# --- counters on the rule -------------------------------------------------
-c 2 3 -j ACCEPT
-c 1000 2000000
-c 0 0
-c 2,3 -j ACCEPT
-c 18446744073709551615 18446744073709551615
-c 18446744073709551616 1
-c -1 1
-c ""
-c ,3
-c 3,
-c ,
-c 1
-c a b
--set-counters 5 10 -j DROP
[5:10] -j ACCEPT
[5:10] -s 1.2.3.4

# --- combinations and ordering ------------------------------------------
-d 5.6.7.8 -s 1.2.3.4 -j ACCEPT
-j ACCEPT -s 1.2.3.4
-p tcp -s 1.2.3.4 -i eth0 -d 5.6.7.8 -j DROP
--protocol=tcp --source=1.2.3.4 --destination=5.6.7.8/32 --in-interface=eth0 --jump=ACCEPT
-ptcp -s1.2.3.4 -d5.6.7.8/32 -ieth0 -jACCEPT
-i + -d 1.2.3.4
-i + -p tcp

# --- loading matches ----------------------------------------------------
-p tcp -m tcp --dport 22
--match tcp -p tcp --dport 22
-m tcp -p tcp --dport 22
-m tcp --dport 22
-p udp -m tcp --dport 22
-p tcp -m tcp -m tcp --dport 22
-p tcp -m tcp --dport 22 -m tcp --sport 80
-p tcp --dport 22 -m tcp --sport 80
-p tcp -m TCP --dport 22
! -m tcp -p tcp

# --- unknown, missing or misplaced --------------------------------------
--no-such-option
-x
-s
-p
--source
-j ACCEPT extra
-j ACCEPT -j DROP
-j NOSUCHTARGET
-j FOO
-g FOO
-j LOG --no-such-log-option
-m nosuchmatch
-m
-A INPUT -j ACCEPT
-j ACCEPT # comment
--dport 22
-4 -j ACCEPT
--ipv4 -s 1.2.3.4
-6 -j ACCEPT
--ipv6
-w -j ACCEPT
-w 5 -j ACCEPT
-j ""
-g
-v -j ACCEPT
-n -j ACCEPT

:FORWARD
-i eth0 -o eth1 -j ACCEPT
-i eth+ -o alongifacename+
! -o eth+
-o ! eth0
-o + -j ACCEPT
-i docker0 ! -o docker0 -j ACCEPT

:OUTPUT
-o lo -j ACCEPT
-i eth0
-i eth0 -j ACCEPT

# --- user chains --------------------------------------------------------
-N FOO
-N BAR
-N foo-bar_2.x

:INPUT
-j FOO
-p tcp -j FOO
-g FOO
--goto FOO
-g BAR -s 10.0.0.0/8
-g ACCEPT
-g DROP
-g RETURN
-j foo
-g NOSUCH
-j FOO -g BAR
-j foo-bar_2.x
-g foo-bar_2.x

:FOO
-j ACCEPT
-j RETURN
-s 1.2.3.4 -j BAR
-j FOO
-g FOO
-i eth0 -j DROP

:BAR
-j FOO

# --- other tables -------------------------------------------------------
*nat
:PREROUTING
-i eth0 -j ACCEPT
-o eth0 -j ACCEPT
-p tcp -j RETURN
-j DROP

:POSTROUTING
-o eth0 -j ACCEPT
-i eth0 -j ACCEPT

:OUTPUT
-o eth0 -j RETURN

*mangle
:PREROUTING
-i eth0 -j ACCEPT
-p udp -j DROP
:FORWARD
-i eth0 -o eth1 -j RETURN
:POSTROUTING
-o eth1 -j ACCEPT

*raw
-i eth0 -j ACCEPT
-p tcp -j DROP
:OUTPUT
-o lo -j ACCEPT
-i lo -j ACCEPT
