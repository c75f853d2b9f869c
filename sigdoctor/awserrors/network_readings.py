"""Network readings: instance and container metadata, and the endpoints, DNS, TLS and proxies on the way to AWS."""

from __future__ import annotations

import re

from sigdoctor.awserrors.awshosts import impossible_host
from sigdoctor.awserrors.denial_readings import two_readings
from sigdoctor.awserrors.hit import Hit, cue_text
from sigdoctor.awserrors.parse import DOC_LINK_RE, AwsError
from sigdoctor.awserrors.table import Match
from sigdoctor.model import Status

# "communicating with IMDS": the Rust SDK's ImdsError (aws-config src/imds/client/error.rs).
IMDS_RE = re.compile(r"169\.254\.169\.254|ec2imds|EC2 IMDS|EC2MetadataError|EC2RoleRequestError|fd00:ec2::254|"
                     r"instance metadata|communicating with IMDS", re.I)
NET_FAIL_RE = re.compile(r"i/o timeout|connection refused|no route to host|network is unreachable|context deadline "
                         r"exceeded|Client\.Timeout exceeded|Connect timeout on endpoint|Read timeout on endpoint|"
                         r"Could not connect to the endpoint|timed out|connection reset|"
                         # aws-smithy-runtime's MaybeTimeoutError ("HTTP read timeout occurred after …")
                         r"HTTP (?:read|connect) timeout", re.I)
_REFUSED_RE = re.compile(r"connection refused|no route to host|network is unreachable", re.I)
# aws-sdk-go v1.55 aws/ec2metadata/service.go unmarshalError: EC2MetadataError "failed to make EC2Metadata request" is
# only ever made from an error *answer* of instance metadata (its body — IMDS's XHTML error page — and status follow);
# a request that got no answer fails as "RequestError: send request failed" instead. So IMDS is there and answered:
# for the role path that is the 404 of an instance without a role, unless the status shown is another (401: IMDSv2
# required and no token, 403: turned off — read by status_refutes_no_role). Corpus batches 1-6, the 7 texts with
# this message: imds-no-role 4, imds-hop-limit 1 (401), imds-unreachable 1 (403), proxy-misconfigured 1.
_IMDS_ANSWERED = r"EC2MetadataError:?\s+failed\s+to\s+make\s+EC2Metadata\s+request"
NO_ROLE_RE = re.compile(rf"{_IMDS_ANSWERED}|no EC2 instance role found|no EC2 IMDS role found|EC2 instance profile|"
                        r"security-credentials/?[\"'`]?\)?:? .*?(?:404|Not Found)", re.I)
# ECS serves task metadata on the credentials address too (ECS developer guide, "Task metadata endpoint version 2":
# http://169.254.170.2/v2/metadata and /v2/stats; v3/v4 under /v3/, /v4/): a request there is no credential request.
_TASK_METADATA = r"(?!/v2/(?:metadata|stats)|/v[34]/)"
# Agents ask it only to learn where they run, and run on without it (amazon-cloudwatch-agent ecsutil.go: "I! attempt to
# access ECS task metadata to determine whether I'm running in ECS." … "assuming I'm not running in ECS").
_TASK_METADATA_HOST_RE = re.compile(r"169\.254\.170\.2(?::80)?/(?:v2/(?:metadata|stats)|v[34]/)")
CONTAINER_RE = re.compile(rf"169\.254\.170\.(?:2|23)\b{_TASK_METADATA}|fd00:ec2::23|CredentialsEndpointError|AWS_CONTAINER_CREDENTIALS|"
                          r"credentials from container-role|container metadata|/credentialprovider/")
# botocore's container provider failing with an answer (not a network error): "Received non 200 response (400)".
CONTAINER_ANSWER_RE = re.compile(r"credentials from container-role: .{0,200}?(?:non 200 response|Unable to parse)", re.S)
_TLS_RE = re.compile(r"x509: |CERTIFICATE_VERIFY_FAILED|certificate verify failed|tls: failed to verify|SSLError|"
                     r"SSL: WRONG_VERSION_NUMBER|tls: handshake failure|PKIX path building failed|unable to find valid "
                     r"certification path|unable to get local issuer certificate|self[- ]signed certificate in "
                     r"certificate chain|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN")
# Java's PKIX failure is the JDK's "no trust anchor" (sun.security.provider.certpath.SunCertPathBuilderException):
# OpenSSL's unknown issuer and Go's unknown authority in other words.
_TLS_MITM_RE = re.compile(r"unknown authority|self[- ]signed certificate|certificate is valid for|doesn't match|"
                          r"not valid for|unable to get local issuer|unable to find valid certification path|"
                          r"PKIX path building failed")
# TLS-inspecting products whose name appears in the issuer of the certificate they substitute (or in the user's words):
# Zscaler, Netskope, Fortinet's FortiGate, Palo Alto Networks, Symantec/Broadcom's Blue Coat, Forcepoint, Sophos,
# Cisco Umbrella, Check Point, and the antivirus suites that scan HTTPS on the desktop (Kaspersky, Avast, ESET,
# Bitdefender), and the SSL-inspection features by their product names (Palo Alto's GlobalProtect, McAfee / Skyhigh
# Web Gateway, Symantec ProxySG, Cisco Umbrella's Secure Web Gateway, iboss, Menlo Security, Squid's ssl_bump).
# Case as the vendors write their names: a lower-case "eset" is in "reset"; the names no English word holds are read
# in any case, as in the root CA file a user installs (`zscaler.pem`, `ZscalerRootCertificate-2048-SHA256.crt`).
_INSPECTOR_RE = re.compile(r"\b(?:Fortinet|Palo Alto Networks|Blue Coat|Sophos|Cisco Umbrella|Check Point|Kaspersky|"
                           r"Avast|ESET|Bitdefender|Symantec ProxySG|(?:McAfee|Skyhigh) Web Gateway|Menlo Security|"
                           r"iboss)\b|(?i:zscaler|netskope|fortigate|bluecoat|forcepoint|globalprotect|ssl_bump)")
_PROXY_RE = re.compile(r"proxyconnect tcp|ProxyConnectionError|Failed to connect to proxy|Proxy Authentication Required|"
                       r"\b407 Proxy")
_DNS_RE = re.compile(r"no such host|Name or service not known|Temporary failure in name resolution|server misbehaving|"
                     r"nodename nor servname|Could not resolve host|getaddrinfo failed|Name does not resolve|failed to lookup address "
                     r"information|getaddrinfo (?:ENOTFOUND|EAI_AGAIN)|UnknownHostException|"
                     # Go's net package: "dial tcp: lookup HOST on RESOLVER: …" is only ever a DNS failure.
                     r"dial tcp: lookup \S+ on ")
_UNREACHABLE_RE = re.compile(r"dial tcp [^\n]*?(?:i/o timeout|connection refused|no route to host|network is "
                             r"unreachable)|Could not connect to the endpoint URL|"
                             # Go's net/http: TCP connected, TLS never completed (a middlebox, a black-holed path)
                             r"net/http:\s+TLS\s+handshake\s+timeout|Connect timeout on endpoint URL|"
                             r"connect: connection timed out|ConnectTimeoutError|EndpointConnectionError|Unable to execute HTTP request: Connect to [^\n]{0,200}?"
                             r"(?:timed out|refused)|connect ETIMEDOUT|connect ECONNREFUSED|Inaccessible host")

REGION_WORD_RE = re.compile(r"\b([a-z]{2}-[a-z]+-\d)\b")

SETTLE = "run `sigdoctor run --only credentials` on the agent's host (or in its pod, with --pid) to settle it"
# The remedy of every hop-limit reading (EC2 user guide, "Configure the instance metadata options").
RAISE_HOP_LIMIT = "`aws ec2 modify-instance-metadata-options --instance-id i-… --http-put-response-hop-limit 2`"


def imds_hits(e: AwsError, *, connect_failed: bool = False) -> list[Hit]:
    t = e.flat
    token_step = "/latest/api/token" in t or "GetToken" in t or "IMDSv2 token" in t
    # The hop limit drops IMDSv2's token *answer* (the IP TTL of the PUT response): the TCP connection itself is
    # made, so a connection refused, unroutable or timed out while connecting is no hop limit (AWS EC2 user guide,
    # "Configure the instance metadata options": PUT response hop limit).
    if connect_failed and not _REFUSED_RE.search(t):
        return [Hit("imds-unreachable", Status.FAIL,
                    "No TCP connection to the instance metadata service (169.254.169.254) could be opened: not on "
                    "EC2, IMDS disabled, or a network policy / firewall blocks it",
                    ["On EC2, check IMDS is enabled (`aws ec2 describe-instances --query "
                     "'Reservations[].Instances[].MetadataOptions'`) and that no network policy or iptables rule "
                     "drops 169.254.169.254; elsewhere configure another credential source", SETTLE]),
                Hit("imds-hop-limit", Status.WARN,
                    "Or, in a container, the IMDSv2 hop limit of 1 — only if the timeout was on the token's answer, "
                    "not on the connection (the hop limit lets the connection through)",
                    [f"{RAISE_HOP_LIMIT}; settle it first: {SETTLE}"], {"candidate_rank": 1})]
    if _REFUSED_RE.search(t):
        return [Hit("imds-unreachable", Status.FAIL,
                    "The instance metadata service (169.254.169.254) refused or has no route: not on EC2, or IMDS "
                    "is disabled", ["On EC2, enable IMDS (`aws ec2 modify-instance-metadata-options "
                                    "--http-endpoint enabled`); elsewhere configure another credential source"])]
    if _IMDS_GET_TIMEOUT_RE.search(t):
        # A plain metadata GET that got no answer: the hop limit bounds only the token PUT's answer, and the Go SDK
        # v1 falls back to such token-less GETs when its token request times out (aws-sdk-go v1.55
        # aws/ec2metadata/token_provider.go fetchTokenHandler: a RequestError disables the token provider), so a
        # hop limit ends in an answer (or a 401 where IMDSv2 is required), never in this GET timing out.
        return [Hit("imds-unreachable", Status.FAIL,
                    "The instance metadata service did not answer a plain GET within the client's timeout: a hop "
                    "limit would have let that answer through, so nothing answers at 169.254.169.254 from here "
                    "(not on EC2 — Fargate, another cloud —, IMDS turned off, or a network policy dropping it)",
                    ["On EC2, check IMDS is enabled (`aws ec2 describe-instances --query "
                     "'Reservations[].Instances[].MetadataOptions'`) and that no network policy or iptables rule "
                     "drops 169.254.169.254; elsewhere (EKS Fargate, ECS, off AWS) give the agent its credential "
                     "source or its settings (region, VPC id) explicitly", SETTLE]),
                Hit("imds-hop-limit", Status.WARN,
                    "Or, in a container, the IMDSv2 hop limit of 1 — only if the client's token request failed first "
                    "and its time ran out on that",
                    [f"{RAISE_HOP_LIMIT}; settle it first: {SETTLE}"], {"candidate_rank": 1})]
    settle = f"Text alone cannot tell a hop limit from an unreachable IMDS: {SETTLE}"
    hop = Hit("imds-hop-limit", Status.FAIL,
              "The instance metadata service timed out" + (" on the IMDSv2 token request" if token_step else "")
              + ": from a container this is the IMDSv2 hop limit of 1", [
                  f"Raise the hop limit: {RAISE_HOP_LIMIT}, or give the pod its own role (IRSA / Pod Identity)", settle])
    # The other reading of the same timeout: a rival, not a consequence, so it is ranked, never folded away.
    unreachable = Hit("imds-unreachable", Status.FAIL,
                      "Or no instance metadata service answers at all (not on EC2, blocked by a network policy)",
                      [settle], {"candidate_rank": 1})
    return [hop, unreachable]


# The SDKs' default chains end at instance metadata (aws-sdk-php 3.x src/Credentials/CredentialProvider.php
# defaultProvider: env, web identity, SSO, process, ini, ECS, then instanceProfile; aws-sdk-go-v2 config
# resolve_credentials.go: env, shared files, web identity, container, then ec2rolecreds; botocore 1.44 credentials.py
# create_credential_resolver: … container-role, iam-role last): a chain-end message that quotes instance metadata's
# failure says that every source before it was empty. On EC2 that failure is the cause; off EC2 (a laptop, CI, a
# container with no role source given) instance metadata was never going to answer and the cause is that nothing was
# configured. Over batches 1-7, of the 18 chain-end texts with an instance-metadata failure the threads give
# no-credentials 8, imds-unreachable 5, imds-hop-limit 3: the second reading, never the hop-limit alternative
# (0 of the 12 led by imds-unreachable).
# The same holds when instance metadata did answer, with "no role" (a 404 for the role list): the chain reports the
# last source's answer, so a key, profile or role the agent was meant to use and did not load (a credentials file
# the tool does not read, a misspelt option) ends there too. Over batches 1-9, of the 9 chain-end texts whose
# metadata answer is "no role", the threads give imds-no-role 3, no-credentials 2, out-of-catalog 4: the second
# reading, after the instance's missing role.
def chain_end_reading(*, answered: bool = False) -> Hit:
    if answered:
        return Hit("no-credentials", Status.WARN,
                   "Or the agent was meant to use another source that it did not load (a key, a profile, web "
                   "identity): instance metadata is the last source of the SDK's default chain, so its \"no role\" "
                   "answer is what the chain reports when no earlier source gave credentials",
                   [f"Check that the source the agent should use is configured where its SDK reads it (environment, "
                    f"~/.aws files of the agent's user, IRSA / Pod Identity); {SETTLE}"], {"candidate_rank": 1})
    return Hit("no-credentials", Status.WARN,
               "Or nothing was configured at all: instance metadata is the last source of the SDK's default chain, "
               "so its failure is what the chain reports when no earlier source (environment, profile, web "
               "identity, container endpoint) gave credentials — off EC2 that is the cause, not the metadata service",
               [f"Off EC2, configure a credential source for the agent (environment, profile, IRSA / Pod Identity); "
                f"{SETTLE}"], {"candidate_rank": 1})


# The IMDSv2 token PUT refused with 403 (aws-sdk-go v1.55 aws/ec2metadata/token_provider.go: "failed to get session
# token, falling back to IMDSv1: <status>"; aws-sdk-go-v2 imds "operation error ec2imds: getToken, … StatusCode:
# 403"): EC2 answers 403 when the metadata endpoint is turned off, or to a token request that carries
# X-Forwarded-For (EC2 user guide, "Instance metadata query errors" and "Use IMDSv2": such PUTs are refused).
# A token PUT alone refused may be a proxy's X-Forwarded-For, and the IMDSv1 fallback may then answer: the metadata
# request after it must have failed too.
# Go's http.Client timing out a GET of instance metadata (not the token PUT): `Get "http://169.254.169.254/latest/
# meta-data/…": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` (go1.19
# src/net/http/client.go; older Go: "net/http: request canceled (Client.Timeout …)"). Only the client's own
# per-request timer: a bare context deadline may have been spent on an earlier token request.
_IMDS_GET_TIMEOUT_RE = re.compile(r"Get\s*\\*[\"']?https?://(?:169\.254\.169\.254|\[fd00:ec2::254\])(?::80)?/latest/"
                                  r"(?:meta-data|dynamic)/[^\s\"'\\]*\\*[\"']?:\s[^\n]{0,80}?Client\.Timeout exceeded")
IMDS_TOKEN_403_RE = re.compile(r"falling\s+back\s+to\s+IMDSv1:\s*403\b|ec2imds:\s*getToken,[^\n]{0,120}?StatusCode:\s*403\b")
IMDS_GET_FAILED_RE = re.compile(r"EC2MetadataError|failed\s+to\s+make\s+EC2Metadata\s+request|ec2imds:\s*(?!getToken)Get\w+,")
_IMDS_ADDR_RE = re.compile(r"169\.254\.169\.254|fd00:ec2::254", re.I)
_CONTAINER_ADDR_RE = re.compile(rf"169\.254\.170\.(?:2|23)\b{_TASK_METADATA}|fd00:ec2::23\b", re.I)
# A host (name or address, with or without a port or scheme) a failed connection names — not a source file and
# line of a stack frame (`AmazonHttpClient.java:1163`).
_HOST_RE = re.compile(r"https?://[^\s\"'<>]+|(?<![\w.-])(?:\d{1,3}(?:\.\d{1,3}){3}|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
                      r"\.[A-Za-z]{2,})(?::\d{2,5})?(?![\w-])")
# A dotted name whose last part has a capital letter is code, not a host: Go's `Client.Timeout exceeded`, Java's and
# .NET's class names (`java.net.SocketTimeoutException`, `System.Net.Http`).
_IDENTIFIER_RE = re.compile(r"(?![a-z]+://)[^/]*\.[a-z]*[A-Z][A-Za-z]*(?::\d+)?$")
_SOURCE_FILE_RE = re.compile(r"\.(?:java|scala|kt|go|py|js|mjs|cjs|ts|rb|cs|rs|cc|cpp|c|h|php|ex|exs|jl)(?::\d+)?$", re.I)
# The user's or the log's words that the network needs a proxy (the variables, the JVM's properties).
# Not the `proxies=self.proxies` that botocore's own source line (endpoint.py _send) puts in every traceback.
_PROXY_CUE_RE = re.compile(r"\b(?:https?_proxy|no_proxy)\b|proxyHost|\bproxy\b|(?<!self\.)\bproxies\b(?!=self\.)", re.I)
_NEAR_BEFORE, _NEAR_AFTER = 100, 200
_WORD_REST_RE = re.compile(r"\S*")
# A resolver asked for an empty name, in Fluent Bit's words (src/flb_network.c: `getaddrinfo(host='%s'): %s`).
_EMPTY_HOST_RE = re.compile(r"getaddrinfo\(host=(?:''|\"\")\)")
# An AWS host name with an empty label where the region goes (`ec2..amazonaws.com`, `sts..amazonaws.com`): the SDK
# joins service, region and DNS suffix (aws-sdk-go endpoints "{service}.{region}.{dnsSuffix}"), so an empty region
# setting leaves two dots. No resolver can answer such a name; the region setting is what is wrong.
_EMPTY_REGION_HOST_RE = re.compile(r"\b[a-z0-9-]+\.\.amazonaws\.com(?:\.cn)?\b")
# The credential endpoints' paths (EC2 user guide "Retrieve instance metadata"; ECS task-iam-roles and EKS Pod
# Identity: /v2/credentials/…, /v1/credentials; Greengrass' token exchange: /2016-11-01/credentialprovider/).
_IMDS_PATH_RE = re.compile(r"/latest/(?:meta-data|api/token|dynamic)")
_CONTAINER_PATH_RE = re.compile(r"/v[12]/credentials|/credentialprovider/")
# aws-sdk-php's InstanceProfileProvider says "instance profile metadata service" ("… server" before 3.2); the Rust
# SDK's aws-config "could not communicate with IMDS" / "failed to load IMDS session token" (src/imds/credentials.rs,
# src/imds/client/error.rs).
_IMDS_WRAPPER_RE = re.compile(r"credentials from iam-role|EC2RoleRequestError|EC2MetadataError|ec2imds|EC2 IMDS|"
                              r"instance metadata|instance profile metadata|communicate with IMDS|IMDS session token",
                              re.I)

# rusoto's credential providers wrap every failure of their own requests in CredentialsError (rusoto_credential
# src/lib.rs; the instance-metadata and container providers' HTTP errors come through as "Error during dispatch: …"):
# a connect failure inside one went to a credential endpoint, never to the AWS service the agent writes to.
_PROVIDER_ERROR_RE = re.compile(r"CredentialsError\s*\{\s*message:")


def provider_connect_hits() -> list[Hit]:
    """A credential provider could not connect, and the text does not say which: instance metadata first — of the
    texts of corpus batches 1-5 where a credential endpoint refused the connection, 2 were instance metadata, 1 the
    container endpoint."""
    return two_readings(
        "sigdoctor run --only credentials on the agent's host (it tries each source and says which one fails)",
        ("imds-unreachable", "instance metadata (169.254.169.254) refused or is unreachable: not on EC2, or IMDS "
         "turned off", []),
        ("container-credentials-failed", "the container credentials endpoint (169.254.170.2 / "
         "AWS_CONTAINER_CREDENTIALS_*) refused: the ECS agent's or Pod Identity agent's endpoint is not there", []),
        lead="A credential provider's own request could not connect (its CredentialsError wraps only the credential "
             "endpoints' requests, not the AWS endpoint's). Most likely ", or_="Or ")


def connect_target(e: AwsError, found: Match, kind: str = "connect") -> str | None:
    """Where the TCP connection a `connect` entry of the table reports was going: "imds", "container", "endpoint",
    "task-metadata" (ECS task metadata, no credential source and no AWS endpoint: nothing to read), "unknown" (no
    address near it), or None (no such entry in the text). The host nearest the failure decides — in
    the flattened text, so a wrapped line does not move it away, and not any address the text names elsewhere (a
    NO_PROXY list)."""
    entries = found.of(kind)
    if not entries:
        return None
    flat = e.flat
    best: tuple[int, int, str] | None = None
    for entry in entries:
        for m in entry.regex.finditer(flat):
            lo = flat.rfind(" ", 0, max(0, m.start() - _NEAR_BEFORE)) + 1  # from the start of a word (a URL)
            # to the end of a word: a URL the reach ends inside is read whole, not as a host cut short
            hi = _WORD_REST_RE.match(flat, min(len(flat), m.end() + _NEAR_AFTER)).end()  # type: ignore[union-attr]
            for h in _HOST_RE.finditer(flat, lo, hi):
                host = h.group(0)
                if _SOURCE_FILE_RE.search(host) or _IDENTIFIER_RE.match(host) or DOC_LINK_RE.search(host):
                    continue
                kind = ("imds" if _IMDS_ADDR_RE.search(host) or _IMDS_PATH_RE.search(host) else "container"
                        if _CONTAINER_ADDR_RE.search(host) or _CONTAINER_PATH_RE.search(host) else "task-metadata"
                        if _TASK_METADATA_HOST_RE.search(host) else "endpoint")
                if kind == "endpoint":
                    # A credential provider on another host (a local credentials server, a proxying sidecar): the
                    # SDK's wrapper before the failure names the source.
                    lead = flat[lo:m.start()]
                    kind = ("container" if CONTAINER_RE.search(lead) else "imds" if _IMDS_WRAPPER_RE.search(lead)
                            else "endpoint")
                dist = 0 if h.start() < m.end() and h.end() > m.start() else (
                    m.start() - h.end() if h.end() <= m.start() else h.start() - m.end())
                rank = (dist, kind == "endpoint")
                if best is None or rank < best[:2]:
                    best = (rank[0], int(rank[1]), kind)
    if best is None:
        # No host near it: the credential source the text names, if it names one.
        if IMDS_RE.search(flat) or _IMDS_WRAPPER_RE.search(flat):
            return "imds"
        if CONTAINER_RE.search(flat):
            return "container"
        if _PROVIDER_ERROR_RE.search(flat):
            return "source"
        return "unknown"
    return best[2]


def _product(name: str) -> str:
    """An inspecting product's name as its vendor writes it, from a file name's lower case."""
    if name.lower() == "ssl_bump":
        return "Squid (ssl_bump)"
    return name.capitalize() if name.islower() else name


def network_hits(e: AwsError, found: Match, where: str | None = None) -> list[Hit]:
    t = e.flat
    hits: list[Hit] = []
    host = e.host or "the endpoint"
    if _TLS_RE.search(t) or found.has("tls"):
        hits.append(Hit("tls-untrusted", Status.FAIL, f"TLS certificate verification failed for {host}",
                        ["If a corporate proxy inspects TLS, add its CA to the agent's trust store (SSL_CERT_FILE / "
                         "AWS_CA_BUNDLE) or exempt AWS endpoints from inspection",
                         "Otherwise install the system CA bundle (ca-certificates) in the agent's image",
                         "`sigdoctor run --only connectivity` shows who issued the certificate"]))
        inspector = _INSPECTOR_RE.search(t)
        if _TLS_MITM_RE.search(t) or inspector or _PROXY_CUE_RE.search(cue_text(e)):
            # The other reading of the same words, ranked so that tls-untrusted (which explains it away as a
            # symptom) does not fold it: of the 31 texts of corpus batches 1-8 with these words, 28 threads give
            # the missing CA bundle, 1 a middlebox re-signing AWS's certificate — second, never first. Over
            # batches 1-10 even the texts whose thread names the inspecting proxy are labelled tls-untrusted 13
            # times to tls-intercepted's 4 (the catalog's tls-untrusted covers an inspecting CA not trusted), and
            # the two with a self-signed certificate in an amazonaws.com chain split 2 and 2: second still.
            hits.append(Hit("tls-intercepted", Status.WARN,
                            (f"Or the certificate is {_product(inspector.group(0))}'s, a TLS-inspecting product, not one "
                             "Amazon issued: it terminates the agent's TLS and re-signs it with its own CA"
                             if inspector else
                             "Or the certificate is not one Amazon issued: something between the agent and AWS "
                             "(a TLS-inspecting proxy or firewall, a service-mesh sidecar) terminates TLS and "
                             "re-signs it with its own CA"),
                            ["Exempt *.amazonaws.com from TLS inspection, or trust the inspecting CA",
                             "Settle it: `openssl s_client -connect HOST:443 -showcerts </dev/null` from the agent's "
                             "host — an issuer other than Amazon RSA / Amazon ECDSA is the middlebox's"],
                            {"candidate_rank": 1}))
    if _PROXY_RE.search(t) or found.has("proxy"):
        hits.append(Hit("proxy-misconfigured", Status.FAIL, f"The HTTP proxy failed for {host}",
                        ["Check HTTPS_PROXY/HTTP_PROXY in the agent's environment point to a working proxy, or add "
                         "the AWS endpoints and 169.254.169.254 to NO_PROXY"]))
    elif m := _EMPTY_REGION_HOST_RE.search(t):
        hits.append(Hit("dns-resolution-failed", Status.WARN,
                        f"The client looked up '{m.group(0)}', an AWS host with an empty region: it was built without "
                        "a region, so no resolver is at fault",
                        ["Set the region for this client (AWS_REGION, the SDK config's region, the agent's `region` "
                         "setting) — and check the code passes it to the client that made this call"]))
    elif _EMPTY_HOST_RE.search(t):
        # No name reached the resolver: the client built no endpoint host, which no DNS setting can fix.
        hits.append(Hit("dns-resolution-failed", Status.WARN,
                        "The client looked up an empty host name: it built no endpoint (its region or endpoint URL "
                        "setting is empty), so no resolver is at fault",
                        ["Set the region (or the endpoint URL) in the agent's AWS settings for this output or "
                         "credential source (Fluent Bit: `region`, `sts_endpoint`)"]))
    elif (m := _LOOKUP_TIMEOUT_RE.search(t)) and not _impossible_lookup(e):
        hits += _lookup_timeout_hits(host, bare=m.group(0).startswith("dial tcp: i/o"))
    elif (_DNS_RE.search(t) or found.has("dns")) and (bad := _impossible_lookup(e)):
        # Still the failed look-up of an endpoint name (of the corpus texts of batches 1-6 that show one, 6 threads
        # call it a DNS failure, 5 of them confirmed; 3 a configuration outside the catalog), but its fix is the
        # client's setting.
        hits.append(_no_such_endpoint_hit(*bad))
    elif ((where in ("endpoint", "unknown") or (where is None and (_UNREACHABLE_RE.search(t) or _SEND_FAILED_RE.search(t))))
          and not IMDS_RE.search(t) and not CONTAINER_RE.search(t) and (bad := _impossible_lookup(e))):
        # A connection "refused", "timed out" or just "failed" to a name no AWS endpoint has: the name never resolved,
        # whatever the runtime's words — botocore's EndpointConnectionError wraps urllib3's NewConnectionError, which
        # wraps the resolver's gaierror (urllib3 1.26 connection.py _new_conn: `except SocketError as e: raise
        # NewConnectionError(…)`, socket.gaierror being an OSError), and Go's "send request failed" the lookup's
        # DNSError. The region (or endpoint) setting that built the name is the fix.
        hits.append(_no_such_endpoint_hit(*bad))
    elif _DNS_RE.search(t) or found.has("dns"):
        hits.append(Hit("dns-resolution-failed", Status.FAIL, f"The endpoint name {e.host} does not resolve"
                        if e.host else "The endpoint's name does not resolve",
                        [f"Check the name {e.host or 'of the endpoint'} (typo, wrong region, partition) and the "
                         "resolver the agent uses; "
                         "with VPC endpoints check the private hosted zone", "`sigdoctor run --only dns` shows it"]))
        if any("UnknownEndpoint" in x.codes for x in found.of("dns")):
            # The AWS SDK for JavaScript v2 reads no proxy variables by itself: where only the proxy resolves
            # outside names (a locked-down CI runner), it looks the endpoint up locally and fails (aws-sdk-js v2
            # lib/http/node.js uses the agent it is given, none from HTTPS_PROXY).
            hits.append(Hit("proxy-misconfigured", Status.WARN,
                            "Or the network only reaches AWS through an HTTP proxy, which the AWS SDK for JavaScript "
                            "v2 does not use unless it is given one",
                            ["If this network needs a proxy, pass it to the SDK (AWS.config.update({httpOptions: "
                             "{agent: new HttpsProxyAgent(…)}})); `sigdoctor run --only connectivity` shows the "
                             "route"]))
    elif where == "endpoint" or (where in (None, "unknown") and (_UNREACHABLE_RE.search(t) or where)
                                 and not IMDS_RE.search(t) and not CONTAINER_RE.search(t)):
        unreachable = Hit("endpoint-unreachable", Status.FAIL, f"TCP to {host} fails (refused or timed out)",
                          ["Check security groups, NACLs, a NAT gateway or VPC endpoint for the service, and any "
                           "egress network policy", "`sigdoctor run --only connectivity` tests it from the host"])
        proxy = Hit("proxy-misconfigured", Status.WARN,
                    "Or the network only lets traffic out through an HTTP proxy the agent is not told about",
                    ["Set HTTPS_PROXY (and NO_PROXY for 169.254.169.254) in the agent's environment if this "
                     "network needs a proxy; `sigdoctor run --only connectivity` shows the route the agent takes"])
        if _PROXY_CUE_RE.search(cue_text(e)):
            # The text says the network has a proxy, yet the connection went straight to the endpoint: the agent
            # (its SDK) does not use it — the AWS SDK for Java reads JVM properties, not HTTPS_PROXY.
            proxy.status, unreachable.status = Status.FAIL, Status.WARN
            proxy.message = (f"A proxy is configured for this network, yet the agent connected to {host} directly "
                             "and timed out or was refused: its SDK does not use the proxy")
            proxy.fix.insert(0, "Give the proxy to the agent in the form its SDK reads (Java: -Dhttps.proxyHost="
                                "HOST -Dhttps.proxyPort=PORT, without a scheme; Go / Python: HTTPS_PROXY)")
            unreachable.message = "Or TCP to the endpoint is blocked outright (security group, NACL, route)"
            hits += [proxy, unreachable]
        else:
            hits += [unreachable, proxy]
    return hits


# The SDKs' wrappers of a request that never got an answer, whatever failed under them (aws-sdk-go v1.55
# aws/corehandlers/handlers.go SendHandler: "send request failed"; AWS SDK for Java 1.12 AmazonHttpClient and 2.x
# "Unable to execute HTTP request"; botocore 1.44 exceptions.py EndpointConnectionError; aws-sdk-js v2
# NetworkingError). Read only with a host name no AWS endpoint has.
_SEND_FAILED_RE = re.compile(r"send request failed|Unable to execute HTTP request|Could not connect to the endpoint "
                             r"URL|NetworkingError")


def _no_such_endpoint_hit(name: str, why: str) -> Hit:
    return Hit("dns-resolution-failed", Status.FAIL,
               f"The client looked up {name}, a name no AWS endpoint has ({why}): a wrong region or endpoint "
               "setting built it — no DNS setting of the network can fix it",
               ["Set the region (or endpoint) of the client that made this call to a real AWS one (AWS_REGION, "
                "the agent's `region` / `sts_region` / `endpoint` setting); a non-AWS store's region or "
                "location name must not reach the AWS clients, STS's included",
                "`aws ec2 describe-regions --all-regions --query 'Regions[].RegionName'` lists AWS's regions"],
               {"no_such_endpoint": name})


# Go's dial ran out of time while it was still resolving the name. Dial reports a failed resolution as an OpError with
# no address (go1.19 src/net/dial.go DialContext: `&OpError{Op: "dial", Net: network, Source: nil, Addr: nil, Err:
# err}` after resolveAddrList), and a deadline reached inside the lookup comes back as a bare "i/o timeout" up to
# Go 1.16 (src/net/lookup.go lookupIPAddr: "The DNS lookup timed out for some reason" … `mapErr(ctx.Err())`), as
# the DNSError "lookup HOST: i/o timeout" from Go 1.17 on (go1.19 lookup.go: `&DNSError{Err:
# mapErr(ctxErr).Error(), Name: host, IsTimeout: …}`), and as "lookup HOST on RESOLVER: read udp …: i/o timeout"
# when the resolver's own query timed out (dnsclient_unix.go). A connect that timed out always names the address
# ("dial tcp 52.46.134.192:443: i/o timeout": dialSerial/dialSingle set Addr). So no TCP connection was tried.
_LOOKUP_TIMEOUT_RE = re.compile(r"dial tcp: i/o timeout|dial tcp: lookup [^\s:]+(?: on [^\s]+?)?: "
                                r"(?:read udp [^\s]+: )?i/o timeout")


def _lookup_timeout_hits(host: str, *, bare: bool) -> list[Hit]:
    """The name look-up timed out: the resolver did not answer within the client's dial timeout. Over corpus batches
    1-8 the address-less form's threads give dns-resolution-failed 4, endpoint-unreachable 5 (gatherers' readings of
    a "TCP timeout"; the Go source says the connect was never tried) — so the connect reading stays second."""
    settle = "`sigdoctor run --only dns` on the agent's host (or in the pod): it times the lookup"
    out = [Hit("dns-resolution-failed", Status.FAIL,
               f"The name lookup of {host} timed out: the client's dial deadline ran out while the resolver (kube-dns "
               "/ CoreDNS in a pod, the VPC resolver on a node) had not answered — no TCP connection was even tried",
               ["Check the resolver the agent uses answers: in Kubernetes the CoreDNS pods and any network policy "
                "that must let the pod reach them on UDP/TCP 53; on a node /etc/resolv.conf and the VPC's DNS "
                "settings (enableDnsSupport)", settle])]
    if bare:
        out += [Hit("endpoint-unreachable", Status.WARN,
                    f"Or TCP to {host} is blocked and the client's timeout is shorter than the look-up plus the "
                    "connect (an older Go SDK reports both the same way, without the address)",
                    ["`sigdoctor run --only connectivity` tests it from the host"], {"candidate_rank": 1}),
                Hit("proxy-misconfigured", Status.WARN,
                    "Or the network only lets traffic (and outside name look-ups) out through an HTTP proxy the agent "
                    "is not told about",
                    ["Set HTTPS_PROXY (and NO_PROXY for 169.254.169.254) in the agent's environment if this network "
                     "needs a proxy"], {"candidate_rank": 2})]
    return out


_REGION_NEAR = 120  # characters before the error: the same log line, or the one just before it


def region_just_before(t: str, code: str) -> str | None:
    """The last AWS region named within a line's reach before the error's code."""
    at = t.find(code) if code else -1
    if at < 0:
        return None
    regions = REGION_WORD_RE.findall(t, max(0, at - _REGION_NEAR), at)
    return regions[-1] if regions else None


# The name a failed DNS look-up was for: Go's "lookup NAME on …" / "lookup NAME:", else the URL's host, else any AWS
# name in the error (.NET "Unknown Host. (NAME:443)", Ruby "unable to connect to NAME; SocketError: getaddrinfo").
_LOOKUP_NAME_RE = re.compile(r"\blookup\s+([A-Za-z0-9.-]+\.amazonaws\.com(?:\.cn)?)\b")
_AWS_NAME_RE = re.compile(r"(?<![\w.-])((?:[A-Za-z0-9-]+\.)+amazonaws\.com(?:\.cn)?)\b")


def _impossible_lookup(e: AwsError) -> tuple[str, str] | None:
    """The AWS host name the text failed to resolve and why no endpoint has it, if it is such a name."""
    named = [m.group(1) for m in _LOOKUP_NAME_RE.finditer(e.flat)] + ([e.host] if e.host else [])
    for name in named or [m.group(1) for m in _AWS_NAME_RE.finditer(e.flat)]:
        why = impossible_host(name)
        if why:
            return name.lower(), why
    return None
