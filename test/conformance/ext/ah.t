# ah match (libipt_ah, kernel ipt_ah): the AH header's SPI, a value or a range.
-p ah -m ah --ahspi 0
-p ah -m ah --ahspi 4294967295
-p ah -m ah --ahspi 0:4294967295
-p ah -m ah ! --ahspi 0:4294967295
-p ah -m ah ! --ahspi 0
-p ah -m ah --ahspi -1
-p ah -m ah --ahspi 4294967296
-p ah -m ah --ahspi invalid
-p ah -m ah --ahspi 0:invalid
-p ah -m ah --ahspi :3
-p ah -m ah --ahspi 3:
-p ah -m ah --ahspi 3:3
-p ah -m ah --ahspi 4:3
-p ah -m ah --ahspi :
-p ah -m ah --ahspi 0x10:0x20
-p ah -m ah --ahspi 1:2:3
-p ah -m ah --ahspi 1 --ahspi 2
-p ah --ahspi 500
-p 51 -m ah --ahspi 500
-m ah --ahspi 0
-m ah --ahspi
-m ah
-p ah -m ah
-p esp -m ah --ahspi 1
! -p ah -m ah --ahspi 1
-p ah -m ah --ahspi 1 -j DROP
*raw
:PREROUTING
-p ah -m ah ! --ahspi 10:20
