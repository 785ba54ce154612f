# policy match (libxt_policy, kernel xt_policy): the IPsec policy used to decapsulate
# (--dir in) or to be applied for encapsulation (--dir out), element by element.
:INPUT
-m policy --dir in --pol ipsec
-m policy --dir in --pol none
-m policy --dir in
-m policy --pol ipsec
-m policy
-m policy --dir up --pol ipsec
-m policy --dir in --pol maybe
-m policy --dir in --dir in
-m policy --dir in --pol ipsec --proto ipcomp
-m policy --dir in --pol ipsec --proto esp
-m policy --dir in --pol ipsec --proto ah
-m policy --dir in --pol ipsec --proto 50
-m policy --dir in --pol ipsec ! --proto esp
-m policy --dir in --pol ipsec --proto tcp
-m policy --dir in --pol ipsec --proto nosuch
-m policy --dir in --pol ipsec --reqid 1
-m policy --dir in --pol ipsec ! --reqid 4294967295
-m policy --dir in --pol ipsec --reqid 4294967296
-m policy --dir in --pol ipsec --spi 0x1
-m policy --dir in --pol ipsec ! --spi 256
-m policy --dir in --pol ipsec --spi x
-m policy --dir in --pol ipsec --mode transport
-m policy --dir in --pol ipsec ! --mode tunnel
-m policy --dir in --pol ipsec --mode bridge
-m policy --dir in --pol ipsec --mode tunnel --tunnel-src 10.0.0.0/8
-m policy --dir in --pol ipsec --mode tunnel --tunnel-src 10.1.2.3/8 ! --tunnel-dst 192.168.1.1
-m policy --dir in --pol ipsec --tunnel-src 10.0.0.1/255.255.0.0
-m policy --dir in --pol ipsec --tunnel-dst 10.0.0.1/255.0.255.0
-m policy --dir in --pol ipsec --mode transport --tunnel-src 10.0.0.1
-m policy --dir in --pol ipsec ! --mode tunnel --tunnel-dst 10.0.0.1
-m policy --dir in --pol ipsec ! --mode transport --tunnel-dst 10.0.0.1
-m policy --dir in --pol ipsec --reqid 1 --reqid 2
-m policy --dir in --pol ipsec --strict
-m policy --dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto ipcomp
-m policy --dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto esp --mode tunnel --tunnel-dst 10.0.0.0/8 --tunnel-src 10.0.0.0/8 --next --reqid 2
-m policy --dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto esp --tunnel-dst 10.0.0.0/8
-m policy --dir in --pol ipsec --strict --reqid 1 --next --reqid 2 --next --reqid 3 --next --reqid 4
-m policy --dir in --pol ipsec --strict --reqid 1 --next --reqid 2 --next --reqid 3 --next --reqid 4 --next
-m policy --dir in --pol ipsec --strict --reqid 1 --next
-m policy --dir in --pol ipsec --reqid 1 --next --reqid 2
-m policy --dir in --pol none --strict
-m policy --dir in --pol none --reqid 1
-m policy --dir in --pol none --strict --reqid 1 --next --reqid 2
-m policy --dir in --pol ipsec --strict --next --reqid 1
-m policy --dir in --pol ipsec --strict ! --next
-m policy --dir in --pol ipsec --strict --strict --reqid 1
-m policy --dir in --pol ipsec -j ACCEPT
:FORWARD
-m policy --dir in --pol ipsec
-m policy --dir out --pol ipsec
:OUTPUT
-m policy --dir out --pol ipsec --proto esp
-m policy --dir in --pol ipsec
*nat
:PREROUTING
-m policy --dir in --pol none
-m policy --dir out --pol none
:POSTROUTING
-m policy --dir out --pol ipsec -j ACCEPT
-m policy --dir in --pol ipsec
*mangle
:FORWARD
-m policy --dir in --pol ipsec -m policy --dir out --pol none
