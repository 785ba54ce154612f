# owner match, revision 1 (libxt_owner, kernel xt_owner): only from OUTPUT and
# POSTROUTING. Names come from /etc/passwd and /etc/group.
:OUTPUT
-m owner --uid-owner root
-m owner --uid-owner 0
-m owner --uid-owner 0-10
-m owner --uid-owner 5:7
-m owner --uid-owner 2
-m owner --uid-owner 9999
-m owner --uid-owner 4294967294
-m owner --uid-owner 0x10
-m owner --uid-owner 010
-m owner --uid-owner " 5"
-m owner --uid-owner daemon
-m owner --uid-owner nobody
-m owner ! --uid-owner 2 ! --gid-owner 4
-m owner --gid-owner root
-m owner --gid-owner sudo
-m owner --gid-owner 0-10
-m owner --gid-owner 65534
-m owner --uid-owner root --gid-owner root
-m owner --uid-owner 0-10 --gid-owner 0-10
-m owner --gid-owner 0-10 --suppl-groups
-m owner --gid-owner sudo --suppl-groups
-m owner --socket-exists
-m owner ! --socket-exists
-m owner --socket-exists ! --uid-owner 5:7
-m owner --suppl-groups --gid-owner 5
-m owner --gid-owner 0-10 ! --suppl-groups
-m owner --suppl-groups
-m owner --uid-owner 10-5
-m owner --gid-owner 7:3
-m owner --uid-owner 5-5
-m owner --uid-owner 4294967295
-m owner --uid-owner nosuchuser
-m owner --gid-owner nosuchgroup
-m owner --uid-owner 5-
-m owner --uid-owner 5-x
-m owner --uid-owner 5x
-m owner --uid-owner -5
-m owner --uid-owner 5--6
-m owner --uid-owner ""
-m owner --uid-owner 1 --uid-owner 2
-m owner
-m owner --pid-owner 1
-m owner --uid-owner 0 -j REJECT
-N user_chain
:user_chain
-m owner --uid-owner 33
*mangle
:POSTROUTING
-m owner --uid-owner root
-m owner --gid-owner 0-10 --suppl-groups
:OUTPUT
-m owner --socket-exists -j MARK --set-mark 1
:INPUT
-m owner --uid-owner root
:PREROUTING
-m owner --socket-exists
:FORWARD
-m owner --gid-owner 0
*nat
:OUTPUT
-m owner --uid-owner 2 -j ACCEPT
:POSTROUTING
-m owner --uid-owner 2 -j MASQUERADE
*filter
:INPUT
-m owner --uid-owner root
:FORWARD
-m owner --socket-exists
