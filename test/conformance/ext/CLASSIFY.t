# CLASSIFY target: --set-class MAJOR:MINOR read as sscanf("%x:%x") (trailing text
# ignored, each half cut to 16 bits); saved zero-padded, listed unpadded.
*mangle
:POSTROUTING
-j CLASSIFY --set-class 1:2
-j CLASSIFY --set-class 0000:ffff
-j CLASSIFY --set-class ffff:ffff
-j CLASSIFY --set-class 0:0
-j CLASSIFY --set-class 00001:0002
-j CLASSIFY --set-class 0x10:0x20
-j CLASSIFY --set-class 0X1:0Xa
-j CLASSIFY --set-class A:bC
-j CLASSIFY --set-class +a:+B
-j CLASSIFY --set-class 10000:1
-j CLASSIFY --set-class 1:10000
-j CLASSIFY --set-class 1:ffffffff
-j CLASSIFY --set-class 1:-1
-j CLASSIFY --set-class -1:1
-j CLASSIFY --set-class -0x10000:1
-j CLASSIFY --set-class ffffffffffffffffffff:1
-j CLASSIFY --set-class 1:2junk
-j CLASSIFY --set-class 0x:1
-j CLASSIFY --set-class " 1: 2"
-j CLASSIFY --set-class "1 :2"
-j CLASSIFY --set-class 1
-j CLASSIFY --set-class 1:
-j CLASSIFY --set-class :1
-j CLASSIFY --set-class g:1
-j CLASSIFY --set-class 1:g
-j CLASSIFY --set-class -:1
-j CLASSIFY --set-class ""
-j CLASSIFY --set-class
-j CLASSIFY
-j CLASSIFY --set-class 1:2 --set-class 3:4
-j CLASSIFY ! --set-class 1:2
-p udp -o eth0 -j CLASSIFY --set-class 1:10

# --- hooks: FORWARD, OUTPUT, POSTROUTING only; any table ---------------------------
:FORWARD
-j CLASSIFY --set-class 1:1
:OUTPUT
-j CLASSIFY --set-class 1:1
:PREROUTING
-j CLASSIFY --set-class 1:1
:INPUT
-j CLASSIFY --set-class 1:1
-N classify_chain
:classify_chain
-j CLASSIFY --set-class 2:3
*filter
:OUTPUT
-j CLASSIFY --set-class 1:2
:FORWARD
-j CLASSIFY --set-class 1:2
:INPUT
-j CLASSIFY --set-class 1:2
*raw
:OUTPUT
-j CLASSIFY --set-class 1:2
:PREROUTING
-j CLASSIFY --set-class 1:2
*nat
:POSTROUTING
-j CLASSIFY --set-class 1:2
