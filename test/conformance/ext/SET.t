# SET target, revision 3 (libxt_SET, kernel xt_set): adds to, deletes from or maps from
# an ipset. iptables looks the set up while parsing; no set exists in a fresh network
# namespace, so every complete rule is refused ("Set NAME doesn't exist.") and these
# cases pin down the order of the checks made before and after that lookup.
-j SET --add-set foo src,dst
-j SET --add-set foo src
-j SET --del-set foo dst
-j SET --map-set foo src --map-mark
-j SET --add-set foo src --exist --timeout 10
-j SET
-j SET --exist
-j SET --timeout 10
-j SET --map-mark
-j SET --map-prio
-j SET --map-queue
-j SET --timeout 4294967295
-j SET --timeout abc
-j SET --add-set foo
-j SET --add-set foo -j ACCEPT
-j SET --add-set foo !src
-j SET --del-set
-j SET --add-set 1234567890123456789012345678901 src
-j SET --add-set 12345678901234567890123456789012 src
-j SET --map-set 12345678901234567890123456789012 src
-j SET ! --add-set foo src
-j SET --add-set foo src --add-set bar dst
-j SET --add-set foo src,dst,src,dst,src,dst,src
-j SET --add-set foo bogus
:OUTPUT
-j SET --del-set foo src
*mangle
:PREROUTING
-j SET --map-set foo src --map-mark --map-prio --map-queue
