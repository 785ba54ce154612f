# rpfilter match (libxt_rpfilter, kernel ipt_rpfilter): reverse path check by route
# lookup; only in raw and mangle PREROUTING.
*raw
:PREROUTING
-m rpfilter
-m rpfilter --loose
-m rpfilter --validmark
-m rpfilter --accept-local
-m rpfilter --invert
-m rpfilter --loose --validmark --accept-local --invert
-m rpfilter --invert --accept-local --validmark --loose
-m rpfilter --invert -j DROP
-m rpfilter --loose --loose
-m rpfilter ! --invert
-m rpfilter ! --loose
-m rpfilter --loose 1
-m rpfilter --strict
-m rpfilter --inv
-m rpfilter -m rpfilter --invert
-i eth0 -m rpfilter
:OUTPUT
-m rpfilter
-N RPF
:RPF
-m rpfilter --invert -j DROP
*mangle
:PREROUTING
-m rpfilter
-m rpfilter --validmark --invert
:INPUT
-m rpfilter
:FORWARD
-m rpfilter
:POSTROUTING
-m rpfilter
*filter
:INPUT
-m rpfilter
*nat
:PREROUTING
-m rpfilter
