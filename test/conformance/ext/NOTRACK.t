# NOTRACK target: an alias of CT --notrack (revision 2); it saves as "-j NOTRACK" and
# lists as target CT with " NOTRACK". raw table only, no options.
*raw
:PREROUTING
-j NOTRACK
-p udp --dport 53 -j NOTRACK
-i lo -j NOTRACK
-d 127.0.0.0/8 -j NOTRACK
! -s 10.0.0.0/8 -j NOTRACK
-p tcp -m tcp --dport 80 -j NOTRACK
-m comment --comment "no conntrack" -j NOTRACK
-s 192.0.2.1 -d 192.0.2.2 -j NOTRACK
-i eth0 -p icmp -j NOTRACK
-p udp -m udp --sport 53 -j NOTRACK
-p tcp --sport 1024:65535 --dport 80 -j NOTRACK
-f -j NOTRACK
-j NOTRACK -p udp
--jump NOTRACK
-N notrack-chain
:notrack-chain
-j NOTRACK
:OUTPUT
-j NOTRACK
-o lo -p tcp -j NOTRACK
# errors
:PREROUTING
-j NOTRACK --notrack
-j NOTRACK --zone 1
-j NOTRACK --helper ftp
-j NOTRACK ! --notrack
-j NOTRACK 1
-j NOTRACK --zone-orig 1
-j NOTRACK --ctevents new
-j NOTRACK --timeout x
-j NOTRACK --to 1.2.3.4
-j notrack
*mangle
:PREROUTING
-j NOTRACK
*filter
:INPUT
-j NOTRACK
*nat
:OUTPUT
-j NOTRACK
*security
:INPUT
-j NOTRACK
