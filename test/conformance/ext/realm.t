# realm match (libipt_realm, kernel xt_realm): the routing realm of the packet's route,
# value[/mask] or a name from /etc/iproute2/rt_realms.
-m realm --realm 0x1/0x2a
-m realm --realm 0x2a
-m realm --realm 1
-m realm ! --realm 1
-m realm --realm 0
-m realm --realm cosmos
-m realm ! --realm cosmos
-m realm --realm 0/0xff
-m realm --realm 010
-m realm --realm 4294967295
-m realm --realm 4294967296
-m realm --realm nosuchrealm
-m realm --realm 5x
-m realm --realm 5/
-m realm --realm 5/6/7
-m realm --realm -1
-m realm --realm 1 --realm 2
-m realm
-m realm --realm
-p tcp -m realm --realm 3 -j DROP
:FORWARD
-m realm --realm 1
:OUTPUT
-m realm --realm 1
*mangle
:POSTROUTING
-m realm --realm 1
:PREROUTING
-m realm --realm 1
*nat
:POSTROUTING
-m realm --realm 1
:PREROUTING
-m realm --realm 1
*raw
:OUTPUT
-m realm --realm 1
