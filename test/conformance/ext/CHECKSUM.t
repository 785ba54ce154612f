# CHECKSUM target (libxt_CHECKSUM, kernel xt_CHECKSUM): computes the checksum of a packet
# whose checksum was left to offloading; mangle table only.
*mangle
:POSTROUTING
-j CHECKSUM --checksum-fill
-p udp --dport 68 -j CHECKSUM --checksum-fill
-o virbr0 -p udp -m udp --dport 68 -j CHECKSUM --checksum-fill
-j CHECKSUM
-j CHECKSUM --checksum-fill --checksum-fill
-j CHECKSUM ! --checksum-fill
-j CHECKSUM --checksum-fill 1
-j CHECKSUM --checksum
-j CHECKSUM --fill
-j CHECKSUM --checksum-f
:PREROUTING
-j CHECKSUM --checksum-fill
:INPUT
-j CHECKSUM --checksum-fill
:FORWARD
-j CHECKSUM --checksum-fill
:OUTPUT
-j CHECKSUM --checksum-fill
-N CSUM
:CSUM
-j CHECKSUM --checksum-fill
*filter
:INPUT
-j CHECKSUM --checksum-fill
*nat
:POSTROUTING
-j CHECKSUM --checksum-fill
*raw
:PREROUTING
-j CHECKSUM --checksum-fill
*mangle
:POSTROUTING
-p tcp -j CHECKSUM --checksum-fill
! -p udp -j CHECKSUM --checksum-fill
-j CHECKSUM --checksum-fill -p udp
