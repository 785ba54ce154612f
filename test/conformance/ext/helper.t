# helper match (libxt_helper, kernel xt_helper): name of the conntrack helper of the
# packet's connection (or its master), as a string of up to 29 bytes.
-m helper --helper ftp
-m helper --helper "sip"
-m helper --helper irc-6667
-m helper ! --helper ftp
-m helper --helper ftp-21
-m helper --helper ""
-m helper --helper "a b"
-m helper --helper 'x'
-m helper --helper "quo\"te"
-m helper --helper wrong
-m helper --helper 12345678901234567890123456789
-m helper --helper 123456789012345678901234567890
-m helper --helper 1234567890123456789012345678901234567890
-m helper --helper ftp --helper sip
-m helper
-m helper --helper
-p tcp --dport 21 -m helper --helper ftp -j ACCEPT
-m helper --helper ftp -m helper ! --helper tftp
-m conntrack --ctstate RELATED -m helper --helper ftp -j ACCEPT
:OUTPUT
-m helper --helper tftp
*nat
:PREROUTING
-m helper --helper ftp
*raw
:PREROUTING
-m helper --helper ftp
*mangle
:POSTROUTING
-m helper --helper ftp
