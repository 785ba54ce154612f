# TTL target: set, increment, decrement; mangle table only.
*mangle
:PREROUTING
-j TTL --ttl-set 42
-j TTL --ttl-inc 1
-j TTL --ttl-dec 1
-j TTL --ttl-set 0
-j TTL --ttl-set 255
-j TTL --ttl-inc 255
-j TTL --ttl-dec 255
-j TTL --ttl-set 0x40
-j TTL --ttl-dec 010
-j TTL --ttl-set " 64"
-j TTL --ttl-set 256
-j TTL --ttl-inc 0
-j TTL --ttl-dec 0
-j TTL --ttl-inc 256
-j TTL --ttl-set -1
-j TTL --ttl-set abc
-j TTL --ttl-set 64x
-j TTL --ttl-set
-j TTL --ttl-set --ttl-inc 1
-j TTL
-j TTL --ttl-dec 1 --ttl-inc 1
-j TTL --ttl-set 1 --ttl-dec 2
-j TTL --ttl-inc 1 --ttl-set 0
-j TTL --ttl-dec 1 --ttl-set 3 --ttl-inc 2
-j TTL --ttl-set 1 --ttl-set 1
-j TTL ! --ttl-set 3
-p icmp -j TTL --ttl-set 128

# --- every mangle hook --------------------------------------------------------------
:INPUT
-j TTL --ttl-dec 3
:FORWARD
-j TTL --ttl-inc 1
:OUTPUT
-j TTL --ttl-set 1
:POSTROUTING
-j TTL --ttl-set 200
-N ttl_chain
:ttl_chain
-j TTL --ttl-set 9

# --- other tables: refused by the kernel --------------------------------------------
*filter
:INPUT
-j TTL --ttl-set 1
*raw
:PREROUTING
-j TTL --ttl-set 1
*nat
:OUTPUT
-j TTL --ttl-set 1
*security
:OUTPUT
-j TTL --ttl-set 1
