"""STS for the identity probe: who the credentials are (GetCallerIdentity), the --role-arn assumption, principal
ARNs, and what an STS error says about its cause."""
