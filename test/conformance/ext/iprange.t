# iprange match, revision 1 (libxt_iprange, kernel xt_iprange): inclusive address ranges.
-m iprange --src-range 192.168.1.5-192.168.1.124
-m iprange --dst-range 10.0.0.1-10.0.0.9
-m iprange ! --src-range 192.168.1.5-192.168.1.124
-m iprange ! --dst-range 10.0.0.1-10.0.0.9
-m iprange --src-range 1.1.1.1-1.1.1.2 --dst-range 2.2.2.2-2.2.2.3
-m iprange ! --src-range 1.1.1.1-1.1.1.2 ! --dst-range 2.2.2.2-2.2.2.3
-m iprange --dst-range 2.2.2.2-2.2.2.3 --src-range 1.1.1.1-1.1.1.2
-m iprange --src-range 192.168.1.1
-m iprange --src-range 10.0.0.0-10.255.255.255
-m iprange --src-range 0.0.0.0-255.255.255.255
-m iprange --src-range 10.1-10.2
-m iprange --src-range 10-11
-m iprange --src-range 0x0a.0.0.1-10.0.0.010
-m iprange --src-range 192.168.1.124-192.168.1.5
-m iprange --src-range 192.168.1.256-192.168.1.257
-m iprange --src-range 1.2.3.4-
-m iprange --src-range -1.2.3.4
-m iprange --src-range 1.2.3.4-5.6.7.8-9.9.9.9
-m iprange --src-range 1.2.3.4/24
-m iprange --src-range 1.2.3.4.5-1.2.3.6
-m iprange --src-range localhost
-m iprange --src-range 1.1.1.1-1.1.1.2 --src-range 1.1.1.3-1.1.1.4
-m iprange
-m iprange --src-range
-m iprange --dst-range 127.0.0.1-127.0.0.1
-m iprange --src-range 192.0.2.10-192.0.2.20
-s 10.0.0.0/8 -m iprange --dst-range 192.168.0.1-192.168.0.100 -j ACCEPT
-m iprange --src-range 1.1.1.1-1.1.1.2 -m iprange --dst-range 2.2.2.2-2.2.2.3
*nat
:POSTROUTING
-m iprange --src-range 10.0.0.1-10.0.0.50
*filter
:INPUT
-m iprange --dst-range " 1.2.3.4"
