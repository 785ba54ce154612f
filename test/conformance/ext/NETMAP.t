# NETMAP target: --to address[/mask] (1:1 network mapping). nat table, every hook.
*nat
:PREROUTING
-j NETMAP --to 1.2.3.0/24
-j NETMAP --to 1.2.3.4
-j NETMAP --to 1.2.3.4/24
-j NETMAP --to 1.2.3.4/32
-j NETMAP --to 1.2.3.4/0
-j NETMAP --to 1.2.3.4/255.255.0.0
-j NETMAP --to 1.2.3.4/255.255.255.255
-j NETMAP --to 1.2.3.4/0.0.0.0
-j NETMAP --to 1.2.3.4/255.0.255.0
-j NETMAP --to 1.2.3.4/255.255.255
-j NETMAP --to 1.2.3.4/33
-j NETMAP --to 1.2.3.4/4294967295
-j NETMAP --to 1.2.3.4/0x10
-j NETMAP --to 1.2.3.4/010
-j NETMAP --to 1.2.3.4/+8
-j NETMAP --to "1.2.3.4/ 8"
-j NETMAP --to 1.2
-j NETMAP --to 1.2.3
-j NETMAP --to 1.16777215
-j NETMAP --to 4294967295
-j NETMAP --to 0x01020304
-j NETMAP --to 010.0x10.0X1.0377/16
-d 10.0.0.0/24 -j NETMAP --to 192.168.0.0/24
# errors
-j NETMAP
-j NETMAP --to
-j NETMAP --to 1.2.3.0/24 --to 1.2.4.0/24
-j NETMAP ! --to 1.2.3.0/24
-j NETMAP --to 1.2.3.4/
-j NETMAP --to 1.2.3.4/-1
-j NETMAP --to 1.2.3.4/8/8
-j NETMAP --to 1.2.3.4/4294967296
-j NETMAP --to 1.2.3.4/x
-j NETMAP --to 1.2.3.256
-j NETMAP --to 1.16777216
-j NETMAP --to 4294967296
-j NETMAP --to 08.1.1.1
-j NETMAP --to 0x
-j NETMAP --to /8
-j NETMAP --to nosuchhost.invalid
:INPUT
-j NETMAP --to 1.2.3.0/24
:OUTPUT
-j NETMAP --to 1.2.3.0/24
:POSTROUTING
-s 192.168.0.0/24 -j NETMAP --to 10.0.0.0/24
*filter
:FORWARD
-j NETMAP --to 1.2.3.0/24
