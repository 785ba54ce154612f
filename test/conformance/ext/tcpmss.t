# tcpmss match (libxt_tcpmss, kernel xt_tcpmss): MSS option value of SYN packets.
-p tcp -m tcpmss --mss 42
-p tcp -m tcpmss --mss :
-p tcp -m tcpmss --mss :42
-p tcp -m tcpmss --mss 42:
-p tcp -m tcpmss --mss 42:42
-p tcp -m tcpmss --mss 42:12345
-p tcp -m tcpmss --mss 0x100:0x200
-p tcp -m tcpmss --mss 0
-p tcp -m tcpmss --mss 65535
-p tcp -m tcpmss ! --mss 1460
-p tcp -m tcpmss ! --mss 536:1460
-p tcp -m tcpmss --mss 42:65536
-p tcp -m tcpmss --mss 65536
-p tcp -m tcpmss --mss 65535:1000
-p tcp -m tcpmss --mss 1:2:3
-p tcp -m tcpmss --mss -1
-p tcp -m tcpmss --mss abc
-p tcp -m tcpmss --mss 1x
-p tcp -m tcpmss --mss 1 --mss 2
-p tcp -m tcpmss
-p tcp -m tcpmss --mss
-m tcpmss --mss 42
-p udp -m tcpmss --mss 42
! -p tcp -m tcpmss --mss 42
-p 6 -m tcpmss --mss 42
-p tcp --syn -m tcpmss --mss 1400:1536 -j DROP
-p tcp -m tcp --tcp-flags SYN,RST SYN -m tcpmss ! --mss 1000:1500
*mangle
:FORWARD
-p tcp -m tcpmss --mss 1453:65535
