# socket match, revision 3 (libxt_socket, kernel xt_socket): a local socket exists for
# the packet; transparent-only, wildcard listeners, restoring the socket mark.
*mangle
:PREROUTING
-m socket
-m socket --transparent
-m socket --nowildcard
-m socket --restore-skmark
-m socket --transparent --nowildcard
-m socket --transparent --nowildcard --restore-skmark
-m socket --restore-skmark --nowildcard --transparent
-m socket --transparent --restore-skmark
-m socket --nowildcard --restore-skmark
-p tcp -m socket -j ACCEPT
-p tcp -m socket --transparent -j MARK --set-mark 1
-m socket --transparent --transparent
-m socket ! --transparent
-m socket --transparent 1
-m socket --wildcard
-m socket -m socket --transparent
:INPUT
-m socket
-m socket --nowildcard
:FORWARD
-m socket
:OUTPUT
-m socket
:POSTROUTING
-m socket
-N DIVERT
:DIVERT
-m socket
*filter
:INPUT
-m socket --transparent
:OUTPUT
-m socket
*nat
:PREROUTING
-m socket
*raw
:PREROUTING
-m socket
