"""The proxy decision for one URL, as Go (net/http ProxyFromEnvironment) and Python (botocore) make it.

The Go column follows golang.org/x/net/http/httpproxy's documented rules; the Python column is also checked
against botocore itself (its real get_environ_proxies / ProxyConfiguration under the same environment).
"""

from __future__ import annotations

import os

import pytest
from botocore.httpsession import ProxyConfiguration
from botocore.utils import get_environ_proxies

from sigdoctor.netconn.proxy import entry_fix, mask, no_proxy_line, proxy_secrets, route

P = "http://proxy.corp:3128"
Q = "http://other-proxy.corp:8080"
STS = "https://sts.us-east-1.amazonaws.com/"
IMDS = "http://169.254.169.254/latest/meta-data/"
IMDS6 = "http://[fd00:ec2::254]/latest/meta-data/"
DIRECT = None

# (case, environment, url, Go's proxy, Python's proxy)
CASES = [
    ("https proxy applies to AWS", {"HTTPS_PROXY": P}, STS, P, P),
    ("HTTP_PROXY is not used for https", {"HTTP_PROXY": P}, STS, DIRECT, DIRECT),
    ("HTTP_PROXY catches IMDS", {"HTTP_PROXY": P}, IMDS, P, P),
    ("leading-dot suffix covers subdomains", {"HTTPS_PROXY": P, "NO_PROXY": ".amazonaws.com"}, STS, DIRECT, DIRECT),
    ("bare domain covers subdomains", {"HTTPS_PROXY": P, "NO_PROXY": "amazonaws.com"}, STS, DIRECT, DIRECT),
    ("leading dot: Go skips the apex, Python does not", {"HTTPS_PROXY": P, "NO_PROXY": ".amazonaws.com"},
     "https://amazonaws.com/", P, DIRECT),
    ("*.domain is a wildcard for Go only", {"HTTPS_PROXY": P, "NO_PROXY": "*.amazonaws.com"}, STS, DIRECT, P),
    ("* alone disables the proxy", {"HTTPS_PROXY": P, "NO_PROXY": "*"}, STS, DIRECT, DIRECT),
    ("* inside a list: Go only", {"HTTPS_PROXY": P, "NO_PROXY": "localhost,*"}, STS, DIRECT, P),
    ("CIDR range: Go only", {"HTTP_PROXY": P, "NO_PROXY": "169.254.0.0/16"}, IMDS, DIRECT, P),
    ("exact IP address: both", {"HTTP_PROXY": P, "NO_PROXY": "169.254.169.254"}, IMDS, DIRECT, DIRECT),
    ("entry with the default port: Go only", {"HTTPS_PROXY": P, "NO_PROXY": "sts.us-east-1.amazonaws.com:443"},
     STS, DIRECT, P),
    ("entry with another port: neither", {"HTTPS_PROXY": P, "NO_PROXY": "sts.us-east-1.amazonaws.com:8443"},
     STS, P, P),
    ("upper case wins in Go, lower case in Python", {"HTTPS_PROXY": P, "https_proxy": Q}, STS, P, Q),
    ("empty lower case cancels the upper one in Python", {"HTTPS_PROXY": P, "https_proxy": ""}, STS, P, DIRECT),
    ("lower case alone: both", {"https_proxy": P}, STS, P, P),
    ("NO_PROXY upper wins in Go, no_proxy lower in Python",
     {"HTTPS_PROXY": P, "NO_PROXY": "example.com", "no_proxy": ".amazonaws.com"}, STS, P, DIRECT),
    ("loopback is never proxied by Go", {"HTTPS_PROXY": P}, "https://127.0.0.1:8443/", DIRECT, P),
    ("localhost is never proxied by Go", {"HTTP_PROXY": P}, "http://localhost:8080/", DIRECT, P),
    ("IPv6 IMDS listed bare: Go only", {"HTTP_PROXY": P, "NO_PROXY": "fd00:ec2::254"}, IMDS6, DIRECT, P),
    ("IPv6 IMDS listed in brackets: Python only", {"HTTP_PROXY": P, "NO_PROXY": "[fd00:ec2::254]"}, IMDS6, P, DIRECT),
    ("host:port proxy value gets http://", {"HTTPS_PROXY": "proxy.corp:3128"}, STS, P, P),
    ("spaces and case in NO_PROXY are ignored", {"HTTPS_PROXY": P, "NO_PROXY": " example.com , .AmazonAWS.com "},
     STS, DIRECT, DIRECT),
    ("CGI environment: neither uses HTTP_PROXY", {"HTTP_PROXY": P, "REQUEST_METHOD": "GET"}, IMDS, DIRECT, DIRECT),
]


@pytest.mark.parametrize(("env", "url", "go", "python"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_go_and_python_decisions(env: dict[str, str], url: str, go: str | None, python: str | None) -> None:
    r = route(env, url)
    assert r.go.proxy == go, r.go.reason
    assert r.python.proxy == python, r.python.reason
    assert r.differ == (go != python)
    if r.differ:
        assert r.differences, "a difference must be explained"


@pytest.mark.parametrize(("env", "url", "python"), [(c[1], c[2], c[4]) for c in CASES], ids=[c[0] for c in CASES])
def test_python_column_is_what_botocore_does(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], url: str, python: str | None
) -> None:
    for name in list(os.environ):
        if name.lower().endswith("_proxy") or name == "REQUEST_METHOD":
            monkeypatch.delenv(name)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert ProxyConfiguration(proxies=get_environ_proxies(url)).proxy_url_for(url) == python


def test_botocore_never_proxies_container_credentials_but_go_does() -> None:
    r = route({"HTTP_PROXY": P}, "http://169.254.170.2/v2/credentials/abc", python_uses_proxies=False)
    assert (r.go.proxy, r.python.proxy) == (P, None)
    assert any("container-credential" in d for d in r.differences)


@pytest.mark.parametrize(
    ("no_proxy", "url", "words"),
    [
        ("169.254.0.0/16", IMDS, "CIDR range"),
        ("*.amazonaws.com", STS, "wildcard"),
        ("sts.us-east-1.amazonaws.com:443", STS, "has a port"),
        ("localhost,*", STS, "'*' inside a list"),
        (".amazonaws.com", "https://amazonaws.com/", "subdomains only"),
        ("fd00:ec2::254", IMDS6, "bracketed form"),
    ],
)
def test_each_difference_names_the_entry_and_why(no_proxy: str, url: str, words: str) -> None:
    r = route({"HTTPS_PROXY": P, "HTTP_PROXY": P, "NO_PROXY": no_proxy}, url)
    assert r.differ
    assert any(words in d for d in r.differences), r.differences


def test_case_difference_is_explained() -> None:
    r = route({"HTTPS_PROXY": P, "https_proxy": Q}, STS)
    assert r.differences == ["HTTPS_PROXY and https_proxy differ: Go reads HTTPS_PROXY first, Python lets https_proxy win"]


def test_reasons_name_the_variable_and_the_entry() -> None:
    r = route({"HTTP_PROXY": P, "no_proxy": "localhost,169.254.169.254"}, IMDS)
    assert r.go.reason == "no_proxy entry '169.254.169.254' covers 169.254.169.254:80"
    assert r.python.reason == "no_proxy entry '169.254.169.254' covers 169.254.169.254"
    r = route({"HTTPS_PROXY": P}, STS)
    assert r.go.variable == "HTTPS_PROXY" and "NO_PROXY/no_proxy not set" in r.go.reason


def test_proxy_passwords_are_masked_and_collected() -> None:
    env = {"HTTPS_PROXY": "http://agent:s3cr3t-pw@proxy.corp:3128", "NO_PROXY": "x"}
    r = route(env, STS)
    assert "s3cr3t-pw" not in str(r.as_dict()) and "s3cr3t-pw" not in r.go.reason
    assert mask(env["HTTPS_PROXY"]) == "http://agent:****@proxy.corp:3128"
    assert proxy_secrets(env) == ["s3cr3t-pw"]


def test_no_proxy_line_keeps_existing_entries_for_both_cases() -> None:
    line = no_proxy_line({"NO_PROXY": "localhost,.svc", "no_proxy": "localhost"}, ["169.254.169.254"])
    assert line == ["export NO_PROXY=localhost,.svc,169.254.169.254 no_proxy=localhost,169.254.169.254"]


@pytest.mark.parametrize(
    ("no_proxy", "url", "expected"),
    [
        ("localhost,*.amazonaws.com", STS, "export NO_PROXY=localhost,.amazonaws.com no_proxy="),
        ("sts.us-east-1.amazonaws.com:443", STS, "export NO_PROXY=sts.us-east-1.amazonaws.com no_proxy="),
        ("169.254.0.0/16", IMDS, "export NO_PROXY=169.254.0.0/16,169.254.169.254 no_proxy=169.254.169.254"),
        (".amazonaws.com", "https://amazonaws.com/", "export NO_PROXY=.amazonaws.com,amazonaws.com no_proxy="),
        ("localhost,*", STS, "NO_PROXY='*' on its own"),
    ],
)
def test_the_fix_rewrites_the_entry_both_runtimes_misread(no_proxy: str, url: str, expected: str) -> None:
    env = {"HTTPS_PROXY": P, "HTTP_PROXY": P, "NO_PROXY": no_proxy}
    r = route(env, url)
    entry = r.go.entry or r.python.entry
    assert entry is not None
    line = entry_fix(env, entry, r.url.split("/")[2].strip("[]"))
    assert line is not None and expected in line
    if line.startswith(("Write", "Drop", "List")):
        # The rewritten NO_PROXY makes both runtimes agree.
        rewritten = line.split("export NO_PROXY=", 1)[1].split(" ", 1)[0]
        fixed = route({"HTTPS_PROXY": P, "HTTP_PROXY": P, "NO_PROXY": rewritten}, url)
        assert not fixed.differ, fixed.differences
