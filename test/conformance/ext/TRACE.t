# TRACE target: no options, raw table only.
*raw
:PREROUTING
-j TRACE
-p tcp --dport 80 -j TRACE
-j TRACE --foo
:OUTPUT
-j TRACE
-N trace_chain
:trace_chain
-j TRACE
*filter
:INPUT
-j TRACE
*mangle
:PREROUTING
-j TRACE
*nat
:OUTPUT
-j TRACE
*security
:OUTPUT
-j TRACE
*raw
:PREROUTING
-s 10.0.0.0/8 -i eth0 -j TRACE
! -p udp -j TRACE
:OUTPUT
-o lo -j TRACE
