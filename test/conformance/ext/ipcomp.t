# ipcomp match (libxt_ipcomp, kernel xt_ipcomp): the IPComp header's CPI, a value or a
# range, and a test of the reserved field.
-p ipcomp -m ipcomp --ipcompspi 18 -j DROP
-p ipcomp -m ipcomp ! --ipcompspi 18 -j ACCEPT
-p ipcomp -m ipcomp --ipcompspi 0
-p ipcomp -m ipcomp --ipcompspi 4294967295
-p ipcomp -m ipcomp --ipcompspi 4294967296
-p ipcomp -m ipcomp --ipcompspi 1:100
-p ipcomp -m ipcomp --ipcompspi 100:1
-p ipcomp -m ipcomp --ipcompspi :
-p ipcomp -m ipcomp --ipcompspi 0:4294967295
-p ipcomp -m ipcomp ! --ipcompspi 0:4294967295
-p ipcomp -m ipcomp --ipcompspi 5:
-p ipcomp -m ipcomp --ipcompspi :5
-p ipcomp -m ipcomp --ipcompspi 0x20
-p ipcomp -m ipcomp --ipcompspi -1
-p ipcomp -m ipcomp --ipcompspi abc
-p ipcomp -m ipcomp --ipcompspi 1 --ipcompspi 2
-p ipcomp -m ipcomp --compres
-p ipcomp -m ipcomp --ipcompspi 7 --compres
-p ipcomp -m ipcomp ! --compres
-p ipcomp -m ipcomp --compres --compres
-p ipcomp -m ipcomp
-p ipcomp --ipcompspi 7
-p 108 -m ipcomp --ipcompspi 7
-m ipcomp --ipcompspi 7
-p esp -m ipcomp --ipcompspi 7
:OUTPUT
-p ipcomp -m ipcomp --ipcompspi 7
