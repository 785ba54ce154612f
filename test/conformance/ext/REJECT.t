# REJECT target: --reject-with types, aliases and abbreviations, the tcp-reset
# protocol requirement and the filter-only table restriction (kernel side).

# --- default and every type by full name -------------------------------------
-j REJECT
-j REJECT --reject-with icmp-net-unreachable
-j REJECT --reject-with icmp-host-unreachable
-j REJECT --reject-with icmp-port-unreachable
-j REJECT --reject-with icmp-proto-unreachable
-j REJECT --reject-with icmp-net-prohibited
-j REJECT --reject-with icmp-host-prohibited
-j REJECT --reject-with icmp-admin-prohibited
-p tcp -j REJECT --reject-with tcp-reset

# --- aliases -----------------------------------------------------------------
-j REJECT --reject-with net-unreach
-j REJECT --reject-with host-unreach
-j REJECT --reject-with port-unreach
-j REJECT --reject-with proto-unreach
-j REJECT --reject-with net-prohib
-j REJECT --reject-with host-prohib
-j REJECT --reject-with admin-prohib
-p tcp -j REJECT --reject-with tcp-rst

# --- abbreviations and case: first table entry the text is a prefix of -------
-j REJECT --reject-with icmp
-j REJECT --reject-with icmp-h
-j REJECT --reject-with ICMP-PORT-UNREACHABLE
-j REJECT --reject-with Host
-j REJECT --reject-with admin
-j REJECT --reject-with icmp-host-p
-p tcp -j REJECT --reject-with tcp
-p tcp -j REJECT --reject-with TCP-RST
-p 6 -j REJECT --reject-with tcp-reset
-p tcp --dport 22 -j REJECT --reject-with tcp-reset

# --- bad types ------------------------------------------------------------------
-j REJECT --reject-with bogus
-j REJECT --reject-with icmp-port-unreachablex
-j REJECT --reject-with echo-reply
-j REJECT --reject-with echo
-j REJECT --reject-with ""
-j REJECT --reject-with
-j REJECT ! --reject-with icmp-net-unreachable
-j REJECT --reject-with icmp-net-unreachable --reject-with icmp-host-unreachable
-j REJECT --reject-to icmp-net-unreachable

# --- tcp-reset needs a rule that can only see TCP (kernel) ---------------------
-j REJECT --reject-with tcp-reset
-p udp -j REJECT --reject-with tcp-reset
! -p tcp -j REJECT --reject-with tcp-reset
-p all -j REJECT --reject-with tcp-rst

# --- hooks and tables ---------------------------------------------------------
:FORWARD
-j REJECT --reject-with icmp-host-prohibited
:OUTPUT
-p tcp -j REJECT --reject-with tcp-reset
-N reject_chain
:reject_chain
-j REJECT --reject-with icmp-admin-prohibited
*mangle
:INPUT
-j REJECT
:FORWARD
-j REJECT
*raw
:PREROUTING
-j REJECT
*nat
:OUTPUT
-j REJECT
*security
:INPUT
-j REJECT --reject-with icmp-host-prohibited
