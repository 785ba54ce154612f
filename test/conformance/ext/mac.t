# mac match (libxt_mac, kernel xt_mac): source MAC, only before routing or on input.
-m mac --mac-source 42:01:02:03:04:05
-m mac --mac-source AA:BB:CC:DD:EE:FF
-m mac --mac-source aa:bb:cc:dd:ee:ff
-m mac --mac-source 0:1:2:3:4:5
-m mac ! --mac-source 00:11:22:33:44:55
-m mac --mac-source 42:01:02:03:04
-m mac --mac-source 42:01:02:03:04:05:06
-m mac --mac-source 42:01:02:03:04:
-m mac --mac-source 42::02:03:04:05
-m mac --mac-source 042:01:02:03:04:05
-m mac --mac-source 42-01-02-03-04-05
-m mac --mac-source 4g:01:02:03:04:05
-m mac --mac-source +f:01:02:03:04:05
-m mac --mac-source -1:01:02:03:04:05
-m mac --mac-source " f:01:02:03:04:05"
-m mac --mac-source 0x:01:02:03:04:05
-m mac --mac-source 42:01:02:03:04:05x
-m mac --mac-source ""
-m mac --mac-source 42:01:02:03:04:05 --mac-source 42:01:02:03:04:06
-m mac
-m mac --mac-source
-m mac --mac-source 42:01:02:03:04:05 -j DROP
:FORWARD
-m mac --mac-source 42:01:02:03:04:05
:OUTPUT
-m mac --mac-source 42:01:02:03:04:05
-N FROMIN
:FROMIN
-m mac --mac-source 42:01:02:03:04:05
*mangle
:PREROUTING
-m mac --mac-source 42:01:02:03:04:05
:INPUT
-m mac --mac-source 42:01:02:03:04:05
:POSTROUTING
-m mac --mac-source 42:01:02:03:04:05
*nat
:PREROUTING
-m mac --mac-source 42:01:02:03:04:05
:POSTROUTING
-m mac --mac-source 42:01:02:03:04:05
*raw
:PREROUTING
-m mac --mac-source 42:01:02:03:04:05
:OUTPUT
-m mac --mac-source 42:01:02:03:04:05
