# AUDIT target (libxt_AUDIT, kernel xt_AUDIT): records the packet in the audit log as
# accepted, dropped or rejected (the type is only informative).
-j AUDIT --type accept
-j AUDIT --type drop
-j AUDIT --type reject
-j AUDIT --type ACCEPT
-j AUDIT --type Drop
-j AUDIT --type wrong
-j AUDIT --type ""
-j AUDIT
-j AUDIT --type
-j AUDIT ! --type drop
-j AUDIT --type drop --type accept
-p tcp --dport 22 -j AUDIT --type accept
:OUTPUT
-j AUDIT --type drop
*mangle
:PREROUTING
-j AUDIT --type drop
:POSTROUTING
-j AUDIT --type accept
*nat
:PREROUTING
-j AUDIT --type accept
*raw
:PREROUTING
-j AUDIT --type reject
*security
:INPUT
-j AUDIT --type accept
*filter
:FORWARD
-j AUDIT --type REJECT
-j AUDIT --ty accept
-j AUDIT --type drop -p tcp
