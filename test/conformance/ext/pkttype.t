# pkttype match (libxt_pkttype, kernel xt_pkttype): link-layer packet type.
-m pkttype --pkt-type unicast
-m pkttype --pkt-type broadcast
-m pkttype --pkt-type multicast
-m pkttype --pkt-type otherhost
-m pkttype --pkt-type host
-m pkttype --pkt-type bcast
-m pkttype --pkt-type mcast
-m pkttype --pkt-type UNICAST
-m pkttype --pkt-type Broadcast
-m pkttype ! --pkt-type broadcast
-m pkttype ! --pkt-type host
-m pkttype --pkt-type outgoing
-m pkttype --pkt-type uni
-m pkttype --pkt-type 0
-m pkttype --pkt-type wrong
-m pkttype --pkt-type ""
-m pkttype --pkt-type unicast --pkt-type multicast
-m pkttype
-m pkttype --pkt-type
-m pkttype --pkt-type multicast -j DROP
:FORWARD
-m pkttype --pkt-type broadcast
:OUTPUT
-m pkttype --pkt-type multicast
*mangle
:POSTROUTING
-m pkttype ! --pkt-type unicast
*raw
:PREROUTING
-m pkttype --pkt-type broadcast
*filter
:INPUT
-m pkttype ! --pkt-type otherhost
-m pkttype --pkt-type BCAST
