# set match, revision 4 (libxt_set, kernel xt_set). iptables asks the kernel for the set
# while parsing; the recording namespace has no ipsets, so every existing-set case is an
# error "Set NAME doesn't exist.", which is checked before the directions are parsed.
-m set --match-set foo src
-m set --match-set foo src,dst
-m set ! --match-set blocklist src -j DROP
-m set --match-set foo src --return-nomatch
-m set --match-set foo dst ! --update-counters ! --update-subcounters
-m set --match-set foo src --packets-eq 5 ! --bytes-eq 7
-m set --match-set foo srcx
-m set --match-set foo sr
-m set --set foo src
-m set --match-set 0123456789012345678901234567890 src
# errors found before the set lookup
-m set --match-set 01234567890123456789012345678901 src
-m set --match-set foo
-m set --match-set foo -j ACCEPT
-m set --match-set foo ! src
-m set --match-set
-m set
-m set --return-nomatch
-m set --update-counters
-m set ! --return-nomatch --match-set foo src
-m set --packets-eq 1 --packets-lt 2 --match-set foo src
-m set --bytes-gt 1 --bytes-eq 2 --match-set foo src
-m set ! --packets-lt 2 --match-set foo src
-m set ! --packets-gt 2 --match-set foo src
-m set ! --bytes-lt 2 --match-set foo src
-m set ! --bytes-gt 2 --match-set foo src
-m set --packets-eq -1 --match-set foo src
-m set --bytes-eq abc --match-set foo src
-m set --bytes-eq 18446744073709551616 --match-set foo src
-m set --packets-eq 5
-m set --packets-eq 0x10 --bytes-lt 18446744073709551615
-m set ! --update-counters ! --update-subcounters
