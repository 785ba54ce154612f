# TCPMSS target: --set-mss value | --clamp-mss-to-pmtu. Needs -p tcp and a tcp match
# whose flag comparison includes SYN (not inverted); clamping only from FORWARD,
# OUTPUT and POSTROUTING. No table restriction.
*mangle
:FORWARD
-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j TCPMSS --set-mss 42
-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j TCPMSS --clamp-mss-to-pmtu
-p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
-p tcp --syn -j TCPMSS --set-mss 1400
-p tcp --tcp-flags SYN SYN -j TCPMSS --clamp-mss-to-pmtu
-p tcp --tcp-flags ALL SYN,ACK -j TCPMSS --clamp-mss-to-pmtu
-p tcp --tcp-flags SYN,RST SYN,RST -j TCPMSS --clamp-mss-to-pmtu
-p tcp --tcp-flags NONE SYN -j TCPMSS --clamp-mss-to-pmtu
-p tcp --syn -j TCPMSS --set-mss 0
-p tcp --syn -j TCPMSS --set-mss 65515
-p tcp --syn -j TCPMSS --set-mss 0x578
-p tcp --syn -j TCPMSS --set-mss 01000
-p tcp --syn -j TCPMSS --set-mss 1400 --clamp-mss-to-pmtu
-p tcp --syn -j TCPMSS --clamp-mss-to-pmtu --set-mss 1400
-p tcp --syn -j TCPMSS --clamp
-p tcp --syn -j TCPMSS --set 1400
-p tcp --dport 22 --syn -m tcp --dport 80 -j TCPMSS --set-mss 5
-p tcp -m tcp --dport 80 -m tcp --syn -j TCPMSS --set-mss 5
-o ppp0 -p tcp -m tcp --tcp-flags SYN,RST SYN -m tcpmss --mss 1400:1536 -j TCPMSS --clamp-mss-to-pmtu
# errors
-j TCPMSS
-p tcp --syn -j TCPMSS
-j TCPMSS --set-mss 42
-p tcp -j TCPMSS --set-mss 42
-p tcp -m tcp --dport 80 -j TCPMSS --set-mss 42
-p udp -j TCPMSS --set-mss 42
! -p tcp --syn -j TCPMSS --set-mss 42
-p tcp ! --syn -j TCPMSS --clamp-mss-to-pmtu
-p tcp --tcp-flags SYN,ACK ACK -j TCPMSS --clamp-mss-to-pmtu
-p tcp --syn -j TCPMSS --set-mss 65516
-p tcp --syn -j TCPMSS --set-mss -1
-p tcp --syn -j TCPMSS --set-mss x
-p tcp --syn -j TCPMSS --set-mss 1 --set-mss 2
-p tcp --syn -j TCPMSS --clamp-mss-to-pmtu --clamp-mss-to-pmtu
-p tcp --syn -j TCPMSS ! --set-mss 1
-p tcp --syn -j TCPMSS --set-mss
:PREROUTING
-p tcp --syn -j TCPMSS --set-mss 500
-p tcp --syn -j TCPMSS --clamp-mss-to-pmtu
:INPUT
-p tcp --syn -j TCPMSS --clamp-mss-to-pmtu
:OUTPUT
-p tcp --syn -j TCPMSS --clamp-mss-to-pmtu
:POSTROUTING
-p tcp --syn -j TCPMSS --clamp-mss-to-pmtu
*filter
:FORWARD
-p tcp --syn -j TCPMSS --clamp-mss-to-pmtu
:INPUT
-p tcp --syn -j TCPMSS --set-mss 500
-p tcp --syn -j TCPMSS --clamp-mss-to-pmtu
*nat
:POSTROUTING
-p tcp --syn -j TCPMSS --clamp-mss-to-pmtu
*raw
:PREROUTING
-p tcp --syn -j TCPMSS --set-mss 500
