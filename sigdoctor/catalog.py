"""The SPEC's root-cause catalog: every stable cause id and its one-line meaning.

Cause ids are a public contract (scripts match on them); a cause file may only use an id listed here.
"""

from __future__ import annotations

CATALOG: dict[str, str] = {
    "no-credentials": "no source in the chain yields credentials",
    "env-credentials-incomplete": "only one of AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY set, or empty",
    "env-shadows-role": "static keys win while a role source (web identity, container, instance profile) is configured",
    "profile-invalid": "the selected profile is missing or broken",
    "web-identity-token-unreadable": "AWS_WEB_IDENTITY_TOKEN_FILE missing, unreadable or empty",
    "web-identity-rejected": "STS rejects the web identity token",
    "role-trust-denied": "AccessDenied on sts:AssumeRole*: the role's trust policy does not admit this principal",
    "imds-unreachable": "no instance metadata service answers",
    "imds-hop-limit": "the IMDSv2 token request fails or times out (hop limit 1 in a container)",
    "imds-no-role": "the instance has no instance profile / role",
    "container-credentials-failed": "ECS / EKS Pod Identity credential endpoint unreachable, or its token refused",
    "sdk-unsupported-credential-source": "the agent's SDK cannot use the configured credential source",
    "access-key-invalid": "STS does not know the access key",
    "credentials-expired": "session credentials or token expired",
    "session-token-missing": "temporary (ASIA…) key sent without its session token",
    "sts-opt-in-region": "a global-endpoint STS token used in an opt-in region",
    "clock-skew": "local clock off by ≥ 5 min (error) or ≥ 1 min (warning)",
    "secret-key-mismatch": "canonical request matches but the signature doesn't: wrong secret key",
    "request-modified-after-signing": "a proxy or middleware changed the request after signing",
    "region-mismatch": "the credential scope's region is not the endpoint's region",
    "service-name-mismatch": "the signing name is not the endpoint's",
    "canonicalization-mismatch": "the client canonicalised the request differently",
    "request-not-signed": "the request reached AWS without SigV4",
    "permission-missing": "implicit deny: no policy allows the action on that resource",
    "explicit-deny": "an explicit Deny applies",
    "target-not-found": "the workspace / log group / bucket does not exist in that account and region",
    "dns-resolution-failed": "NXDOMAIN, SERVFAIL or timeout for an endpoint name",
    "hosts-file-override": "/etc/hosts pins an AWS endpoint name",
    "vpc-endpoint-bypassed": "a VPC interface endpoint is expected but the name resolves to public addresses",
    "endpoint-unreachable": "TCP to the endpoint fails or times out",
    "proxy-misconfigured": "proxy settings send AWS or IMDS traffic to a proxy that fails",
    "tls-untrusted": "certificate verification fails",
    "tls-intercepted": "TLS is terminated by a middlebox",
    "long-lived-keys": "long-lived AKIA… keys in use",
    "imdsv1-in-use": "credentials came over IMDSv1",
    "diagnosis-incomplete": "a probe that applies did not finish (error, deadline, never started)",
    "sts-global-endpoint": "the legacy global STS endpoint is in use",
}
