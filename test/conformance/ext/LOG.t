# LOG target: levels by name and number, prefix quoting and the 29-byte cut,
# the five flag options, and the different -L text with and without -n.

# --- defaults and levels -------------------------------------------------------
-j LOG
-j LOG --log-level 0
-j LOG --log-level 1
-j LOG --log-level 2
-j LOG --log-level 3
-j LOG --log-level 4
-j LOG --log-level 5
-j LOG --log-level 6
-j LOG --log-level 7
-j LOG --log-level emerg
-j LOG --log-level alert
-j LOG --log-level crit
-j LOG --log-level error
-j LOG --log-level warning
-j LOG --log-level notice
-j LOG --log-level info
-j LOG --log-level debug
-j LOG --log-level panic
-j LOG --log-level 0x6
-j LOG --log-level 07
-j LOG --log-level " 3"
-j LOG --log-level 8
-j LOG --log-level err
-j LOG --log-level warn
-j LOG --log-level Alert
-j LOG --log-level -1
-j LOG --log-level
-j LOG --log-level 1 --log-level 2
-j LOG ! --log-level 1

# --- prefix ----------------------------------------------------------------------
-j LOG --log-prefix "test: "
-j LOG --log-prefix "x y: " --log-level 4
-j LOG --log-prefix plain_Prefix-1
-j LOG --log-prefix "test: " --log-level alert
-j LOG --log-prefix "a\"b\\c'd"
-j LOG --log-prefix "[fw] drop#1 "
-j LOG --log-prefix abcdefghijabcdefghijabcdefghi
-j LOG --log-prefix abcdefghijabcdefghijabcdefghij
-j LOG --log-prefix "abcdefghij abcdefghij abcdefghij abcdefghij"
-j LOG --log-prefix ""
-j LOG --log-prefix
-j LOG --log-prefix a --log-prefix b

# --- flags -----------------------------------------------------------------------
-j LOG --log-tcp-sequence
-j LOG --log-tcp-options
-j LOG --log-ip-options
-j LOG --log-uid
-j LOG --log-macdecode
-j LOG --log-macdecode --log-uid --log-ip-options --log-tcp-options --log-tcp-sequence
-j LOG --log-prefix "x y: " --log-level debug --log-tcp-sequence --log-tcp-options --log-ip-options --log-uid --log-macdecode
-p tcp -j LOG --log-level 6 --log-prefix "IN " --log-tcp-options
-j LOG --log-uid --log-uid
-j LOG ! --log-uid
-j LOG --log-uid yes
-j LOG --log-tcp-seq

# --- any table and hook ----------------------------------------------------------
:OUTPUT
-j LOG --log-prefix out
*nat
:PREROUTING
-j LOG --log-level 5
*raw
:OUTPUT
-j LOG --log-uid
*mangle
:POSTROUTING
-j LOG --log-prefix "mangle post"
*security
:FORWARD
-j LOG
