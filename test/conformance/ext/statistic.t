# statistic match (libxt_statistic, kernel xt_statistic).
# random mode: the probability is kept as a 31-bit fixed-point number and printed
# back from it with 11 decimals
-m statistic --mode random --probability 0.1
-m statistic --mode random --probability 0.5
-m statistic --mode random ! --probability 0.50000000000
-m statistic --mode random --probability 1
-m statistic --mode random --probability 0
-m statistic --mode random --probability 0.000244140625
-m statistic --mode random --probability 0.3333
-m statistic --mode random --probability 1e-1
-m statistic --mode random --probability .25
-m statistic --mode random --probability 0x0.8
-m statistic --mode random --probability -0
-m statistic --mode random --probability nan
-m statistic --mode random --probability " 0.5"
-m statistic --mode random --probability 0.0000000001
-m statistic --mode random --probability 0.5 -j DROP
-m statistic --mode random ! --probability 1.1
-m statistic --mode random --probability -0.1
-m statistic --mode random --probability 0.5x
-m statistic --mode random --probability inf
-m statistic --mode random --probability ""
# nth mode
-m statistic --mode nth --every 3 --packet 0
-m statistic --mode nth ! --every 5 --packet 2
-m statistic --mode nth --every 1 --packet 0
-m statistic --mode nth --every 0x10 --packet 010
-m statistic --mode nth --every 4294967295 --packet 4294967294
-m statistic --mode nth --every 5 --packet 5
-m statistic --mode nth --every 0 --packet 0
-m statistic --mode nth --every 4294967296 --packet 0
-m statistic --mode nth --every 3
-m statistic --mode nth --packet 1
-m statistic --mode nth ! --every 5
-m statistic --mode nth --every 3 ! --packet 1
# mode errors and option conflicts
-m statistic
-m statistic --probability 1
-m statistic --every 3 --packet 1
-m statistic --mode foo --probability 0.5
-m statistic --mode Random --probability 0.5
-m statistic ! --mode random --probability 0.5
-m statistic --mode random --probability 0.5 --mode nth
-m statistic --mode random --every 3 --packet 1
-m statistic --mode nth --probability 0.5
-m statistic --mode random --probability 0.5 --every 3 --packet 1
-m statistic --mode random --probability 0.5 --probability 0.2
:OUTPUT
-m statistic --mode nth --every 2 --packet 1 -j ACCEPT
*nat
:PREROUTING
-p tcp -m statistic --mode nth --every 3 --packet 0 -j DNAT --to-destination 10.0.0.1
