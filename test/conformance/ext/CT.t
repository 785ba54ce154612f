# CT target: --notrack, --helper, --timeout, --ctevents, --expevents, --zone[-orig|-reply].
# raw table only; the kernel refuses unknown helpers, helpers without a matching -p,
# and timeout policies nfct has not created.
*raw
:PREROUTING
-j CT --notrack
-j CT
-j CT --ctevents new,related,destroy,reply,assured,protoinfo,helper,mark
-j CT --ctevents secmark,new,natseqinfo
-j CT --ctevents new,new
-j CT --expevents new
-j CT --zone 65535
-j CT --zone 0
-j CT --zone 0x10
-j CT --zone 010
-j CT --zone mark
-j CT --zone MARK
-j CT --zone-orig 3
-j CT --zone-reply 4
-j CT --zone-orig 0
-j CT --zone-orig mark
-j CT --zone-orig 3 --zone-reply 4
-j CT --zone-orig mark --zone-reply 5
-j CT --zone-reply 5 --zone 6
-j CT --notrack --zone 4 --ctevents new
-j CT --notrack --helper nosuchhelper
-j CT --notrack --timeout nosuchpolicy
-j CT --notrack --helper abcdefghijklmnopqrstuvwxyz
-j CT --helper ""
-p tcp -j CT --helper ftp
-p tcp --dport 21 -j CT --helper ftp --zone 5 --ctevents new,related --expevents new
-p udp -j CT --helper tftp
-p udp -j CT --helper sip
-p tcp -j CT --helper sip
-p tcp -j CT --helper irc
-p udp -j CT --helper snmp
-p tcp -j CT --helper Q.931
-p udp -j CT --helper RAS
-p udp -j CT --helper netbios-ns
-p tcp -j CT --helper pptp
-p tcp -j CT --notr
# errors the kernel raises
-j CT --helper ftp
! -p tcp -j CT --helper ftp
-p udp -j CT --helper ftp
-p tcp -j CT --helper FTP
-p tcp -j CT --helper nosuchhelper
-p tcp -j CT --helper abcdefghijklmnopqrstuvwxyz
-j CT --timeout nosuchpolicy
# errors iptables raises
-j CT --zone 65536
-j CT --zone -1
-j CT --zone x
-j CT --zone ""
-j CT --zone-orig 65536
-j CT --ctevents new,,related
-j CT --ctevents NEW
-j CT --ctevents ""
-j CT --expevents related
-j CT --helper
-j CT --notrack --notrack
-j CT --zone 1 --zone 2
-j CT ! --notrack
-j CT --zone
:OUTPUT
-j CT --notrack
-o lo -j CT --zone 7
*mangle
:PREROUTING
-j CT --notrack
*filter
:INPUT
-j CT --notrack
