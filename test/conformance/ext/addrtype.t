# addrtype match, revision 1 (libxt_addrtype, kernel xt_addrtype): route types of the
# addresses, optionally limited to the incoming or outgoing interface.
-m addrtype --src-type LOCAL
-m addrtype --dst-type LOCAL
-m addrtype --src-type UNSPEC
-m addrtype --dst-type UNICAST
-m addrtype --dst-type BROADCAST
-m addrtype --dst-type ANYCAST
-m addrtype --dst-type MULTICAST
-m addrtype --dst-type BLACKHOLE
-m addrtype --dst-type UNREACHABLE
-m addrtype --dst-type PROHIBIT
-m addrtype --dst-type THROW
-m addrtype --dst-type NAT
-m addrtype --dst-type XRESOLVE
-m addrtype --dst-type local
-m addrtype --dst-type Loc
-m addrtype --dst-type U
-m addrtype --dst-type B
-m addrtype --dst-type LOCALX
-m addrtype --dst-type BROADCAST,MULTICAST
-m addrtype --dst-type MULTICAST,BROADCAST,LOCAL
-m addrtype --dst-type LOCAL,LOCAL
-m addrtype --src-type LOCAL --dst-type LOCAL
-m addrtype ! --src-type LOCAL
-m addrtype ! --dst-type LOCAL,BROADCAST
-m addrtype ! --src-type LOCAL ! --dst-type UNICAST
-m addrtype --dst-type LOCAL,
-m addrtype --dst-type ,LOCAL
-m addrtype --dst-type LOCAL,,UNICAST
-m addrtype --dst-type BOGUS
-m addrtype --dst-type LOCAL,BOGUS
-m addrtype --dst-type BOGUS,LOCAL
-m addrtype --dst-type ""
-m addrtype --dst-type LOCAL --dst-type UNICAST
-m addrtype
-m addrtype --limit-iface-in
-m addrtype --dst-type
-m addrtype --dst-type LOCAL --limit-iface-in
-m addrtype --dst-type LOCAL --limit-iface-out
-m addrtype --dst-type LOCAL --limit-iface-in --limit-iface-out
-m addrtype --dst-type LOCAL --limit-iface-in --limit-iface-in
-m addrtype --dst-type LOCAL ! --limit-iface-in
-m addrtype --dst-type LOCAL -j DROP
:FORWARD
-m addrtype --dst-type LOCAL --limit-iface-in
-m addrtype --dst-type LOCAL --limit-iface-out
:OUTPUT
-m addrtype --src-type LOCAL --limit-iface-out
-m addrtype --src-type LOCAL --limit-iface-in
-N USER
:USER
-m addrtype --dst-type LOCAL --limit-iface-in
-m addrtype --dst-type LOCAL --limit-iface-out
*nat
:PREROUTING
-m addrtype --dst-type LOCAL -j RETURN
-m addrtype --dst-type LOCAL --limit-iface-in
-m addrtype --dst-type LOCAL --limit-iface-out
:OUTPUT
-m addrtype --dst-type LOCAL
-m addrtype ! --dst-type LOCAL --limit-iface-out
:POSTROUTING
-m addrtype --src-type LOCAL --limit-iface-in
-m addrtype --src-type LOCAL --limit-iface-out
