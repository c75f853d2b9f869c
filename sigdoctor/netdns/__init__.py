"""DNS as the agent sees it: resolv.conf and /etc/hosts, search-list expansion, the system resolver and direct
queries to each nameserver, and what the answers mean (private VPC endpoint, public, oddities)."""
