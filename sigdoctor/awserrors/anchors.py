"""The words that make a line of a large log worth reading: `decode`'s prefilter scans for these (see
sigdoctor/decode/scan.py) and decodes only the records around them. Every code, shape and anchor of the error table
is one of them, with the phrases of Go's net stack, TLS and the SDKs' debug dumps that the rules read.
"""

from __future__ import annotations

import re

from sigdoctor.awserrors.table import table
from sigdoctor.casefold import literal_lower

# Error codes and phrases AWS, the SDKs and Go's net stack print, and the markers of a canonical request or signed
# request dump whose facts a later error borrows.
_ERROR_ANCHORS = (
    "SignatureDoesNotMatch", "InvalidSignature", "Signature expired", "Signature not yet current",
    "RequestTimeTooSkewed", "RequestExpired", "Missing Authentication Token", "MissingAuthenticationToken",
    "IncompleteSignature", "InvalidClientTokenId", "UnrecognizedClient", "InvalidAccessKeyId", "InvalidToken",
    "ExpiredToken", "AccessDenied", "AuthorizationError", "Not authorized", "User: arn:", "OpenIDConnect",
    "InvalidIdentityToken", "IDPRejectedClaim", "IDPCommunicationError", "NoCredentialProviders",
    "Unable to locate credentials", "Partial credentials", "ResourceNotFound", "NoSuchBucket", "Workspace not found",
    "WebIdentityErr", "Credential should be scoped", "The request signature", "The security token",
    "The AWS Access Key", "The specified", "EC2RoleRequestError", "EC2MetadataError", "EC2 IMDS",
    "An error occurred (", "AuthFailure", "Could not connect to the endpoint", "Connect timeout on endpoint",
    "ProxyConnectionError", "Failed to connect to proxy", "CERTIFICATE_VERIFY_FAILED", "SSLError", "Client.Timeout",
    "AuthorizationHeaderMalformed", "NoCredentialsError", "UnauthorizedOperation", "OptInRequired",
    "CredentialsEndpointError", "Name or service not known", "Temporary failure in name resolution",
)
_LOWER_ANCHORS = (" tcp", "cached credentials", "x509")
_STRUCT_ANCHORS = (
    "CANONICAL STRING", "CanonicalRequest", "Canonical String", "StringToSign", "String-to-Sign", "Credential=",
)


# Further words the rules in rules.py act on by themselves (a line with one alone is still worth decoding), and
# the codes reported as "other error". They open records but do not end one (record bounds stay those of the
# anchors above). The rules' remaining phrases come with one of these words or an anchor in what AWS, the SDKs and
# Go print: `dial tcp …: no such host`, `NoCredentialProviders: no valid providers in chain`, `User: arn:… is not
# authorized to perform`, `The specified log group does not exist`, `tls: failed to verify certificate: x509: …`.
_RULE_WORDS = (
    "Authorization header requires", "Invalid key=value pair", "missing Authentication Token", "AWS Access Key Id",
    "Token expired", "Incorrect token audience", "Couldn", "Access Denied", "WRONG_VERSION_NUMBER",
    "Proxy Authentication Required", "407 Proxy", "Could not resolve host", "Name does not resolve",
    # A token file the SDK cannot read: Go's and Python's wording of the two errors that matter.
    "o such file", "ermission denied",
    # A container-credential host the Go SDK refuses; aws-sdk-go-v2 returns it bare, without an error code.
    "loopback",
    # The EKS Pod Identity host refused by botocore, the JavaScript v3 SDK and the Java SDK (Java 2 says "loopback"
    # too, Java 1.x not always). Each word holds a character the scanner already marks (U, R, I, C), so ordinary
    # lines cost nothing more. JavaScript's message is all lower case: its cheapest pair, "vi", comes with every
    # "service" and "provider" and slowed the scan of an OTel Collector log by a third, so it is found by its error
    # class instead, which Node prints before the message in a stack and log libraries keep in their error fields.
    "Unsupported host", "full URI (", "CredentialsProviderError",
    # Java's TLS and connect failures, Rust's (hyper) resolver error, a Node.js connect failure.
    "PKIX path", "Connect to", "User:", "CredentialRetrievalError",
    # An HTTP 403 or 401 in an agent's log line is an authorization answer whatever the body says.
    "Forbidden", "Unauthorized",
    # EC2's UnauthorizedOperation message printed without its code ("You are not authorized to perform this
    # operation."): "authorized" would mark z, so the phrase stops before it (Y is marked already).
    "You are not",
    # A connect failure as the AWS Toolkit / configure-aws-credentials (Node.js) and botocore's exceptions name it;
    # a web identity token file the JavaScript and Java SDKs cannot read.
    "Inaccessible host", "ConnectTimeoutError", "EndpointConnectionError", "TokenFileWebIdentityCredentials",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
)

RECORD_ANCHORS = (*_ERROR_ANCHORS, *_LOWER_ANCHORS)
# The words the prefilter always looks for; the error table's anchors come on top (see `table_anchors`).
CORE_WORDS = (*_ERROR_ANCHORS, *_STRUCT_ANCHORS, *_LOWER_ANCHORS, *_RULE_WORDS)


def table_anchors() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the anchors entries of the error table chose for the prefilter, every other code and shape of it)."""
    chosen = table().anchors(chosen=True)
    return chosen, tuple(dict.fromkeys(w for w in (*table().codes, *table().anchors(chosen=False)) if w not in chosen))


# Where an excerpt of a record starts: the first of these, or of the table's codes and shapes.
_EXCERPT_RE = re.compile(
    r"SignatureDoesNotMatch|InvalidSignature|signature we calculated|Signature expired|Signature not yet|"
    r"RequestTimeTooSkewed|Missing Authentication|IncompleteSignature|InvalidClientTokenId|UnrecognizedClient|"
    r"InvalidAccessKeyId|security token included|ExpiredToken|AccessDenied|not authorized|Not authorized|"
    r"OpenIDConnect|InvalidIdentityToken|NoCredentialProviders|Unable to locate credentials|Partial credentials|"
    r"loopback|Unsupported host|metadata service hostname|full URI \(|x509|CERTIFICATE_VERIFY|no such host|proxyconnect|dial tcp|Credential should be scoped|"
    r"ResourceNotFound|Workspace not found|NoSuchBucket|WebIdentityErr|EC2RoleRequestError|EC2 IMDS|"
    r"cached credentials|An error occurred|Could not connect|RequestExpired")


def shape_positions(text: str) -> list[int]:
    """Where any of the table's codes and shapes starts in `text`, found by the entries' own regexes: a phrase of
    lower-case words, doubled spaces, a wrap or quotes inside it (which the prefilter's literal words miss) — for a
    paste, small enough to be searched whole."""
    return sorted({m.start() for _, m in table().occurrences(text)})


def error_position(text: str) -> int | None:
    """Where the first error in `text` stands (None: no known error word)."""
    m = _EXCERPT_RE.search(text)
    at = [m.start()] if m else []
    lower = literal_lower(text)
    at += [m.start() for e in table().entries if (m := e.search(text, lower)) is not None]
    return min(at) if at else None
