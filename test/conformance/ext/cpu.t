# cpu match (libxt_cpu, kernel xt_cpu): the CPU handling the packet.
-m cpu --cpu 0
-m cpu ! --cpu 0
-m cpu --cpu 1
-m cpu --cpu 4294967295
-m cpu --cpu 4294967296
-m cpu --cpu 0x10
-m cpu --cpu 010
-m cpu --cpu -1
-m cpu --cpu abc
-m cpu --cpu " 3"
-m cpu --cpu 1 --cpu 2
-m cpu
-m cpu --cpu
-p tcp --dport 80 -m cpu --cpu 2 -j REDIRECT
-m cpu --cpu 0 -m cpu ! --cpu 1 -j ACCEPT
:OUTPUT
-m cpu --cpu 3
*nat
:PREROUTING
-p tcp --dport 80 -m cpu --cpu 0 -j REDIRECT --to-ports 8080
*mangle
:POSTROUTING
-m cpu --cpu 1
*raw
:PREROUTING
-m cpu --cpu 1
*filter
:FORWARD
-m cpu --cpu +5
-m cpu ! --cpu 4294967295 -j DROP
-m cpu --cp 6
