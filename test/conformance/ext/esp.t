# esp match (libxt_esp, kernel xt_esp): the ESP header's SPI, a value or a range.
-p esp -m esp --espspi 0
-p esp -m esp --espspi 1
-p esp -m esp --espspi 4294967295
-p esp -m esp --espspi 4294967296
-p esp -m esp --espspi :32
-p esp -m esp --espspi 4:
-p esp -m esp --espspi 3:4
-p esp -m esp --espspi 4:4
-p esp -m esp --espspi 4:3
-p esp -m esp --espspi 0:4294967295
-p esp -m esp ! --espspi 0:4294967295
-p esp -m esp ! --espspi 0:4294967294
-p esp -m esp ! --espspi 5
-p esp -m esp --espspi :
-p esp -m esp --espspi 0x100
-p esp -m esp --espspi 010:0x20
-p esp -m esp --espspi -1
-p esp -m esp --espspi 1:2:3
-p esp -m esp --espspi 1x
-p esp -m esp --espspi 1 --espspi 2
-p esp -m esp --espspi
-p esp -m esp
-p esp --espspi 7
-p 50 -m esp --espspi 7
-m esp
-m esp --espspi 5
-p ah -m esp --espspi 5
! -p esp -m esp --espspi 5
-p esp -m esp --espspi 1 -m esp ! --espspi 2 -j DROP
*mangle
:PREROUTING
-p esp -m esp --espspi 1
