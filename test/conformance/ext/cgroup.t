# cgroup match, revision 2 (libxt_cgroup, kernel xt_cgroup): the socket's net_cls class
# id or its cgroup2 path (relative to the cgroup2 root, matched recursively).
:OUTPUT
-m cgroup --cgroup 1
-m cgroup ! --cgroup 1
-m cgroup --cgroup 0
-m cgroup --cgroup 0x100001
-m cgroup --cgroup 4294967295
-m cgroup --cgroup 4294967296
-m cgroup --cgroup -1
-m cgroup --cgroup abc
-m cgroup --cgroup 1 --cgroup 2
-m cgroup --path /
-m cgroup ! --path /
-m cgroup --path "/"
-m cgroup --path /a --path /b
-m cgroup --cgroup 1 --path /
-m cgroup
-m cgroup --path
-m cgroup --cgroup 7 -j DROP
-p tcp -m cgroup ! --cgroup 0x10001 -j REJECT
:INPUT
-m cgroup --cgroup 1
:FORWARD
-m cgroup --cgroup 1
*mangle
:POSTROUTING
-m cgroup --cgroup 1
:PREROUTING
-m cgroup --cgroup 1
*nat
:OUTPUT
-m cgroup --path /
*raw
:OUTPUT
-m cgroup --cgroup 1
:PREROUTING
-m cgroup --cgroup 1
