# ttl match (libipt_ttl, kernel ipt_ttl): --ttl-eq/--ttl-lt/--ttl-gt and the hidden --ttl.
-m ttl --ttl-eq 0
-m ttl --ttl-eq 255
-m ttl ! --ttl-eq 0
-m ttl ! --ttl-eq 255
-m ttl --ttl-gt 0
-m ttl --ttl-gt 255
-m ttl --ttl-lt 0
-m ttl --ttl-lt 64
-m ttl --ttl 64
-m ttl ! --ttl 64
-m ttl --ttl-eq 0x40
-m ttl --ttl-eq 010
-m ttl --ttl-eq 256
-m ttl --ttl-eq -1
-m ttl --ttl-eq abc
-m ttl --ttl-eq 1x
-m ttl --ttl-eq ""
-m ttl ! --ttl-lt 5
-m ttl ! --ttl-gt 5
-m ttl --ttl-eq 1 --ttl-eq 2
-m ttl --ttl-eq 1 --ttl 2
-m ttl --ttl-eq 1 --ttl-lt 2
-m ttl --ttl-lt 1 --ttl-gt 2
-m ttl --ttl-gt 1 --ttl-eq 2
-m ttl --ttl-gt 1 --ttl 2
-m ttl
-m ttl --ttl-eq
-m ttl --ttl-e 3
-m ttl --ttl-lt 5 -j DROP
-m ttl --ttl-eq 1 -m ttl --ttl-gt 1
*mangle
:PREROUTING
-m ttl --ttl-lt 2
*raw
:OUTPUT
-m ttl --ttl-gt 200
-m ttl --tt 5
-m ttl --ttl- 5
