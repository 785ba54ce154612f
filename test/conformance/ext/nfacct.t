# nfacct match (libxt_nfacct revision 1, kernel xt_nfacct): counts into a named
# extended accounting object. The kernel refuses names of objects that do not exist,
# and a fresh network namespace has none.
-m nfacct --nfacct-name test
-m nfacct --nfacct-name "a b"
-m nfacct --nfacct-name ""
-m nfacct --nfacct-name 12345678901234567890123456789012
-m nfacct --nfacct-name 123456789012345678901234567890123
-m nfacct ! --nfacct-name test
-m nfacct --nfacct-name a --nfacct-name b
-m nfacct
-m nfacct --nfacct-name
-m nfacct --nfacct-name test -j ACCEPT
-m nfacct --nfacct test
-m nfacct --name test
-m nfacct --nfacct-name test -m nfacct --nfacct-name other
-p tcp --dport 80 -m nfacct --nfacct-name http-in
:OUTPUT
-m nfacct --nfacct-name test
