# What kubelet and kube-proxy run before their restore: canaries, jump rules,
# with -w and the table given after the chain.
iptables -w 5 -W 100000 -N KUBE-KUBELET-CANARY -t mangle
iptables -w 5 -W 100000 -N KUBE-KUBELET-CANARY -t nat
iptables -w 5 -W 100000 -N KUBE-KUBELET-CANARY -t filter
iptables -w 5 -W 100000 -N KUBE-FIREWALL -t filter
iptables -w 5 -W 100000 -C KUBE-FIREWALL -t filter -m comment --comment "block incoming localnet connections" --dst 127.0.0.0/8 ! --src 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP || iptables -w 5 -W 100000 -A KUBE-FIREWALL -t filter -m comment --comment "block incoming localnet connections" --dst 127.0.0.0/8 ! --src 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
iptables -w 5 -W 100000 -C OUTPUT -t filter -j KUBE-FIREWALL || iptables -w 5 -W 100000 -I OUTPUT -t filter -j KUBE-FIREWALL
iptables -w 5 -W 100000 -C INPUT -t filter -j KUBE-FIREWALL || iptables -w 5 -W 100000 -I INPUT -t filter -j KUBE-FIREWALL
iptables -w 5 -W 100000 -N KUBE-PROXY-CANARY -t mangle
iptables -w 5 -W 100000 -N KUBE-EXTERNAL-SERVICES -t filter
iptables -w 5 -W 100000 -C INPUT -t filter -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES || iptables -w 5 -W 100000 -I INPUT -t filter -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
iptables -w 5 -W 100000 -N KUBE-SERVICES -t nat
iptables -w 5 -W 100000 -C OUTPUT -t nat -m comment --comment "kubernetes service portals" -j KUBE-SERVICES || iptables -w 5 -W 100000 -I OUTPUT -t nat -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
iptables -w 5 -W 100000 -C PREROUTING -t nat -m comment --comment "kubernetes service portals" -j KUBE-SERVICES || iptables -w 5 -W 100000 -I PREROUTING -t nat -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
iptables -w 5 -W 100000 -N KUBE-POSTROUTING -t nat
iptables -w 5 -W 100000 -C POSTROUTING -t nat -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING || iptables -w 5 -W 100000 -I POSTROUTING -t nat -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
iptables -w 5 -W 100000 -C OUTPUT -t nat -m comment --comment "kubernetes service portals" -j KUBE-SERVICES || iptables -w 5 -W 100000 -I OUTPUT -t nat -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
iptables-save -t nat
