# TOS target (revision 1): --set-tos value[/mask] or a symbol (mask 0x3f),
# --and/--or/--xor-tos folded into value/mask; symbolic listing without -n.
*mangle
:PREROUTING

# --- numeric set-tos ------------------------------------------------------------------
-j TOS --set-tos 0x1f
-j TOS --set-tos 0x1f/0x1f
-j TOS --set-tos 0xff
-j TOS --set-tos 0
-j TOS --set-tos 16
-j TOS --set-tos 020
-j TOS --set-tos 0x10/0x3f
-j TOS --set-tos 0x08/0x3f
-j TOS --set-tos 0x04/0x3f
-j TOS --set-tos 0x02/0x3f
-j TOS --set-tos 0x00/0x3f
-j TOS --set-tos 0x06/0x3f
-j TOS --set-tos 0x12/0x12
-j TOS --set-tos 0x12/0
-j TOS --set-tos 0/0xed
-j TOS --set-tos 0x11/0x13
-j TOS --set-tos 0x100
-j TOS --set-tos 0x1/0x100
-j TOS --set-tos 1/2/3
-j TOS --set-tos 1/
-j TOS --set-tos 1x
-j TOS --set-tos /3
-j TOS --set-tos -1
-j TOS --set-tos

# --- symbolic set-tos ----------------------------------------------------------------
-j TOS --set-tos Minimize-Delay
-j TOS --set-tos Maximize-Throughput
-j TOS --set-tos Maximize-Reliability
-j TOS --set-tos Minimize-Cost
-j TOS --set-tos Normal-Service
-j TOS --set-tos minimize-delay
-j TOS --set-tos NORMAL-SERVICE
-j TOS --set-tos Minimize
-j TOS --set-tos foo

# --- and / or / xor ---------------------------------------------------------------------
-j TOS --and-tos 0x12
-j TOS --or-tos 0x12
-j TOS --xor-tos 0x12
-j TOS --and-tos 0xff
-j TOS --and-tos 0
-j TOS --or-tos 0
-j TOS --xor-tos 0x10
-j TOS --and-tos 256
-j TOS --or-tos Minimize-Delay

# --- conflicts and missing action ---------------------------------------------------------
-j TOS
-j TOS --set-tos 0 --and-tos 1
-j TOS --xor-tos 1 --or-tos 2
-j TOS --set-tos 1 --set-tos 2
-j TOS ! --set-tos 1

# --- hooks and tables ---------------------------------------------------------------------
:OUTPUT
-p tcp --dport 22 -j TOS --set-tos Minimize-Delay
:POSTROUTING
-j TOS --or-tos 0x08
*filter
:INPUT
-j TOS --set-tos 1
*raw
:PREROUTING
-j TOS --set-tos 1
*nat
:OUTPUT
-j TOS --set-tos 1
