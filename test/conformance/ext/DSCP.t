# DSCP target: --set-dscp number (0-63) or --set-dscp-class name; mangle only.
*mangle
:PREROUTING
-j DSCP --set-dscp 0x00
-j DSCP --set-dscp 0x3f
-j DSCP --set-dscp 0
-j DSCP --set-dscp 63
-j DSCP --set-dscp 46
-j DSCP --set-dscp 010
-j DSCP --set-dscp " 5"
-j DSCP --set-dscp -1
-j DSCP --set-dscp 64
-j DSCP --set-dscp 0x40
-j DSCP --set-dscp ef
-j DSCP --set-dscp

# --- classes ---------------------------------------------------------------------------
-j DSCP --set-dscp-class CS0
-j DSCP --set-dscp-class CS1
-j DSCP --set-dscp-class CS4
-j DSCP --set-dscp-class CS7
-j DSCP --set-dscp-class BE
-j DSCP --set-dscp-class AF11
-j DSCP --set-dscp-class AF23
-j DSCP --set-dscp-class AF32
-j DSCP --set-dscp-class AF43
-j DSCP --set-dscp-class EF
-j DSCP --set-dscp-class ef
-j DSCP --set-dscp-class af41
-j DSCP --set-dscp-class AF11x
-j DSCP --set-dscp-class CS0xyz
-j DSCP --set-dscp-class be-anything
-j DSCP --set-dscp-class AF1
-j DSCP --set-dscp-class CS8
-j DSCP --set-dscp-class bogus
-j DSCP --set-dscp-class ""
-j DSCP --set-dscp-class

# --- conflicts and missing option -----------------------------------------------------------
-j DSCP
-j DSCP --set-dscp 0x3f --set-dscp-class CS0
-j DSCP --set-dscp-class EF --set-dscp 1
-j DSCP --set-dscp 1 --set-dscp 2
-j DSCP --set-dscp-class EF --set-dscp-class BE
-j DSCP ! --set-dscp 1

# --- hooks and tables ---------------------------------------------------------------------
:INPUT
-j DSCP --set-dscp-class AF21
:FORWARD
-j DSCP --set-dscp 10
:OUTPUT
-p udp -j DSCP --set-dscp-class EF
:POSTROUTING
-j DSCP --set-dscp 0x2e
*filter
:INPUT
-j DSCP --set-dscp 1
*raw
:PREROUTING
-j DSCP --set-dscp 1
*nat
:OUTPUT
-j DSCP --set-dscp 1
