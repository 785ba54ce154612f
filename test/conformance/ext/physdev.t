# physdev match (libxt_physdev, kernel xt_physdev).
:FORWARD
-m physdev --physdev-in eth0
-m physdev --physdev-in lo --physdev-is-bridged
-m physdev --physdev-is-in --physdev-in lo
-m physdev ! --physdev-in eth+ --physdev-is-in ! --physdev-is-bridged
-m physdev --physdev-out eth1
-m physdev --physdev-out eth1 --physdev-is-bridged
-m physdev --physdev-is-out
-m physdev ! --physdev-out eth1 --physdev-is-bridged ! --physdev-is-out
-m physdev --physdev-is-bridged --physdev-out x --physdev-is-in --physdev-in y --physdev-is-out
-m physdev ! --physdev-is-in ! --physdev-is-out
-m physdev --physdev-in 0123456789abcde
-m physdev --physdev-in 0123456789abcdef
-m physdev --physdev-in +
-m physdev --physdev-in ""
-m physdev --physdev-in "a b"
-m physdev --physdev-in eth1/x
-m physdev
-m physdev --physdev-in a --physdev-in b
-m physdev --physdev-is-bridged --physdev-is-bridged
-m physdev --physdev-in
:INPUT
-m physdev --physdev-in eth0
-m physdev --physdev-is-bridged
-m physdev --physdev-out eth1
:OUTPUT
-m physdev --physdev-in eth0
-m physdev --physdev-out eth1 --physdev-is-bridged
-m physdev --physdev-out eth1
-m physdev --physdev-out eth1 ! --physdev-is-bridged
-m physdev --physdev-is-out
-m physdev ! --physdev-is-out --physdev-is-bridged
-N bridged
:bridged
-m physdev --physdev-is-out
*mangle
:POSTROUTING
-m physdev --physdev-out lo --physdev-is-bridged
-m physdev --physdev-out eth1
:OUTPUT
-m physdev --physdev-is-out
:PREROUTING
-m physdev --physdev-in eth0 -j MARK --set-mark 2
*nat
:OUTPUT
-m physdev --physdev-is-out
:POSTROUTING
-m physdev --physdev-out br0 -j MASQUERADE
*raw
:PREROUTING
-m physdev --physdev-in eth0 -j NOTRACK
