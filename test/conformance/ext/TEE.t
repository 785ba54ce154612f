# TEE target (libxt_TEE revision 1, kernel xt_TEE): sends a copy of the packet to a
# gateway (optionally through a given interface); mangle table only.
*mangle
:PREROUTING
-j TEE --gateway 1.1.1.1
-j TEE --gateway 192.0.2.10
-j TEE --gateway 10.1
-j TEE --gateway 0x0a000001
-j TEE --gateway 0.0.0.0
-j TEE --gateway 255.255.255.255
-j TEE --gateway 1.2.3.256
-j TEE --gateway 1.2.3.4/24
-j TEE --gateway 1.1.1.1 --oif eth0
-j TEE --gateway 1.1.1.1 --oif eth0.100
-j TEE --gateway 1.1.1.1 --oif 123456789012345
-j TEE --gateway 1.1.1.1 --oif 1234567890123456
-j TEE --gateway 1.1.1.1 --oif ""
-j TEE --gateway 1.1.1.1 --oif "a b"
-j TEE --oif eth0 --gateway 1.1.1.1
-j TEE ! --gateway 1.1.1.1
-j TEE
-j TEE --oif eth0
-j TEE --gateway 1.1.1.1 --gateway 2.2.2.2
-j TEE --gateway
-p udp --dport 514 -j TEE --gateway 192.0.2.20
:INPUT
-j TEE --gateway 1.1.1.1
:FORWARD
-j TEE --gateway 1.1.1.1
:OUTPUT
-j TEE --gateway 1.1.1.1
:POSTROUTING
-j TEE --gateway 1.1.1.1
*filter
:INPUT
-j TEE --gateway 1.1.1.1
*nat
:PREROUTING
-j TEE --gateway 1.1.1.1
*raw
:PREROUTING
-j TEE --gateway 1.1.1.1
