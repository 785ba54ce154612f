# devgroup match (libxt_devgroup, kernel xt_devgroup): the device group of the incoming
# and/or outgoing interface, value[/mask] or a name from /etc/iproute2/group.
:FORWARD
-m devgroup --src-group 1
-m devgroup --dst-group 1
-m devgroup --src-group 1 --dst-group 2
-m devgroup ! --src-group 1 ! --dst-group 2
-m devgroup --src-group 0
-m devgroup --src-group default
-m devgroup ! --dst-group default
-m devgroup --src-group 0x10
-m devgroup --src-group 010
-m devgroup --src-group 0x10/0xf0
-m devgroup --src-group 5/0xffffffff
-m devgroup --src-group 5/0
-m devgroup --src-group 4294967295
-m devgroup --src-group 4294967296
-m devgroup --src-group nosuchgroup
-m devgroup --src-group 1x
-m devgroup --src-group 1/
-m devgroup --src-group 1/2x
-m devgroup --src-group -1
-m devgroup --src-group 1 --src-group 2
-m devgroup
-m devgroup --src-group
-m devgroup --dst-group 3 -j ACCEPT
:INPUT
-m devgroup --src-group 1
-m devgroup --dst-group 1
:OUTPUT
-m devgroup --dst-group 1
-m devgroup --src-group 1
*mangle
:PREROUTING
-m devgroup --src-group 1
-m devgroup --dst-group 1
:POSTROUTING
-m devgroup --dst-group 1
-m devgroup --src-group 1
