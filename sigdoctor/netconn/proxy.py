"""Which proxy an HTTP client picks for a URL, from the environment, as Go and as Python (botocore) decide it.

Go (`net/http.ProxyFromEnvironment` = golang.org/x/net/http/httpproxy), used by Grafana Agent/Alloy, Prometheus,
the OTel Collector and both Go SDKs (their IMDS and container-credential clients included):
* `HTTPS_PROXY` for https URLs, `HTTP_PROXY` for http URLs — upper case first, lower case when the upper one is
  unset or empty; no fallback from https to `HTTP_PROXY`.
* `NO_PROXY` entries: `*` (anywhere in the list) disables the proxy; IP addresses and CIDR ranges match IP hosts;
  `example.com` matches it and its subdomains, `.example.com` and `*.example.com` subdomains only; any entry may
  carry a `:port` that must equal the URL's port (443/80 when the URL has none).
* `localhost` and loopback addresses are never proxied.

Python (botocore: `botocore.utils.get_environ_proxies` → `urllib.request.getproxies_environment` /
`proxy_bypass_environment`):
* any `<scheme>_proxy` variable, lower case winning over upper case (an empty lower-case one cancels the upper);
  the https URL uses the `https` entry only.
* `no_proxy` entries are DNS suffixes compared as text: no CIDR, no `*.` wildcard, `*` only as the whole value,
  a leading dot ignored; the host is compared with and without the port the URL *spells*.
* botocore's container-credential fetcher never uses a proxy; its IMDS fetcher does.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.request
from collections.abc import Mapping
from dataclasses import field
from typing import Any
from urllib.parse import urlsplit

from sigdoctor.hostport import hostport
from sigdoctor.records import datarecord

DEFAULT_PORTS = {"http": "80", "https": "443", "socks5": "1080"}

# Link-local credential endpoints: reachable only from the host itself, never through a proxy.
METADATA_ADDRESSES = ("169.254.169.254", "fd00:ec2::254", "169.254.170.2", "169.254.170.23")


@datarecord(frozen=True)
class Decision:
    """One runtime's answer for one URL: the proxy URL (None = direct), the variable it came from, and why."""

    runtime: str  # "go" | "python"
    proxy: str | None
    variable: str | None
    reason: str
    # The NO_PROXY entry that made the URL bypass the proxy, when one did.
    entry: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"proxy": mask(self.proxy) if self.proxy else None, "variable": self.variable, "reason": self.reason}


_USERINFO = re.compile(r"^((?:[A-Za-z][\w+.-]*:)?//)?([^:/@]*):([^/]*)@")


def mask(url: str) -> str:
    """A proxy URL with its password (if any) hidden: proxy URLs are where people put credentials."""
    return _USERINFO.sub(lambda m: f"{m.group(1) or ''}{m.group(2)}:****@", url, count=1)


def proxy_secrets(env: Mapping[str, str]) -> list[str]:
    """Passwords embedded in any *_proxy variable (to register with the redactor before anything is shown)."""
    found = []
    for name, value in env.items():
        if name.lower().endswith("_proxy") and value and "@" in value:
            try:
                pw = urlsplit(value if "://" in value else f"http://{value}").password
            except ValueError:
                pw = None
            if pw:
                found.append(pw)
    return found


# --- Go -------------------------------------------------------------------------------------------------------


def _go_env(env: Mapping[str, str], *names: str) -> tuple[str, str | None]:
    """httpproxy.getEnvAny: the first of `names` that is set and non-empty."""
    for n in names:
        if env.get(n):
            return env[n], n
    return "", None


def go_proxy_url(value: str) -> str:
    """httpproxy.parseProxy: a value without an http/https/socks5 scheme is taken as host[:port] over http."""
    scheme = value.split("://", 1)[0].lower() if "://" in value else ""
    if scheme in ("http", "https", "socks5"):
        return value
    return "http://" + value


def _split_host_port(s: str) -> tuple[str, str] | None:
    """net.SplitHostPort; None where Go returns an error."""
    i = s.rfind(":")
    if i < 0:
        return None
    j = k = 0
    if s.startswith("["):
        end = s.find("]")
        if end < 0 or end + 1 == len(s) or end + 1 != i:
            return None
        host = s[1:end]
        j, k = 1, end + 1
    else:
        host = s[:i]
        if ":" in host:
            return None
    if "[" in s[j:] or "]" in s[k:]:
        return None
    return host, s[i + 1 :]


def parse_ip(s: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """net.ParseIP (no zones, no brackets); IPv4-mapped IPv6 compares equal to its IPv4 form as in Go."""
    if "%" in s or not s:
        return None
    try:
        ip = ipaddress.ip_address(s)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


@datarecord(frozen=True)
class _GoMatcher:
    kind: str  # all | cidr | ip | domain
    entry: str
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None = None
    host: str = ""
    port: str = ""
    match_host: bool = False

    def match(self, host: str, port: str, ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
        if self.kind == "all":
            return True
        if self.kind == "cidr":
            return ip is not None and self.network is not None and ip.version == self.network.version and (
                ip in self.network
            )
        if self.kind == "ip":
            return ip is not None and ip == self.ip and (self.port in ("", port))
        if host.endswith(self.host) or (self.match_host and host == self.host[1:]):
            return self.port in ("", port)
        return False


def _go_matchers(no_proxy: str) -> tuple[list[_GoMatcher], list[_GoMatcher]]:
    """httpproxy config.init: (ip matchers, domain matchers)."""
    ip_m: list[_GoMatcher] = []
    dom_m: list[_GoMatcher] = []
    for raw in no_proxy.split(","):
        p = raw.strip().lower()
        if not p:
            continue
        if p == "*":
            every = _GoMatcher("all", raw.strip())
            return [every], [every]
        if "/" in p:
            try:
                net = ipaddress.ip_network(p, strict=False)
            except ValueError:
                net = None
            if net is not None:
                ip_m.append(_GoMatcher("cidr", raw.strip(), network=net))
                continue
        split = _split_host_port(p)
        if split is not None:
            phost, pport = split
            if not phost:
                continue
            if phost[0] == "[" and phost[-1] == "]":
                phost = phost[1:-1]
        else:
            phost, pport = p, ""
        pip = parse_ip(phost)
        if pip is not None:
            ip_m.append(_GoMatcher("ip", raw.strip(), ip=pip, port=pport))
            continue
        if not phost:
            continue
        if phost.startswith("*."):
            phost = phost[1:]
        match_host = False
        if phost[0] != ".":
            match_host = True
            phost = "." + phost
        dom_m.append(_GoMatcher("domain", raw.strip(), host=phost, port=pport, match_host=match_host))
    return ip_m, dom_m


def go_decide(env: Mapping[str, str], url: str) -> Decision:
    """net/http.ProxyFromEnvironment for `url`, with the environment `env`."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "https":
        value, var = _go_env(env, "HTTPS_PROXY", "https_proxy")
    elif scheme == "http":
        value, var = _go_env(env, "HTTP_PROXY", "http_proxy")
        if value and env.get("REQUEST_METHOD"):
            return Decision("go", None, var, "REQUEST_METHOD is set (CGI): Go refuses HTTP_PROXY and fails the request")
    else:
        value, var = "", None
    if not value:
        names = "HTTPS_PROXY/https_proxy" if scheme == "https" else "HTTP_PROXY/http_proxy"
        return Decision("go", None, None, f"{names} not set")
    proxy = go_proxy_url(value)
    host = (parts.hostname or "").lower()
    port = str(parts.port) if parts.port else DEFAULT_PORTS.get(scheme, "")
    if host == "localhost":
        return Decision("go", None, var, "localhost is never proxied")
    ip = parse_ip(host)
    if ip is not None and ip.is_loopback:
        return Decision("go", None, var, "loopback addresses are never proxied")
    no_proxy, no_var = _go_env(env, "NO_PROXY", "no_proxy")
    ip_m, dom_m = _go_matchers(no_proxy)
    for m in (ip_m if ip is not None else []) + dom_m:
        if m.match(host, port, ip):
            return Decision("go", None, var, f"{no_var} entry {m.entry!r} covers {hostport(host, port)}", m.entry)
    why = f"{var}={mask(value)}"
    why += f"; no {no_var} entry covers {hostport(host, port)}" if no_var else "; NO_PROXY/no_proxy not set"
    return Decision("go", proxy, var, why)


# --- Python / botocore ------------------------------------------------------------------------------------------


def python_proxies(env: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """urllib.request.getproxies_environment over `env`: ({scheme: value}, {scheme: variable it came from})."""
    proxies: dict[str, str] = {}
    source: dict[str, str] = {}
    for name, value in env.items():
        low = name.lower()
        if value and low[-6:] == "_proxy":
            proxies[low[:-6]], source[low[:-6]] = value, name
    if "REQUEST_METHOD" in env:
        proxies.pop("http", None)
    for name, value in env.items():
        if name[-6:] == "_proxy":
            low = name.lower()
            if value:
                proxies[low[:-6]], source[low[:-6]] = value, name
            else:
                proxies.pop(low[:-6], None)
    return proxies, source


def python_proxy_url(value: str) -> str:
    """botocore ProxyConfiguration._fix_proxy_url."""
    if value.startswith(("http:", "https:")):
        return value
    if value.startswith("//"):
        return "http:" + value
    return "http://" + value


def _python_bypass_entry(netloc: str, no_proxy: str) -> str | None:
    """Which no_proxy entry makes urllib bypass the proxy for `netloc` (mirrors proxy_bypass_environment)."""
    if no_proxy == "*":
        return "*"
    host = netloc.lower()
    m = re.fullmatch(r"(.*):([0-9]*)", host, re.DOTALL)  # urllib.parse._splitport
    hostonly = m.group(1) if m and m.group(2) else host
    for raw in no_proxy.split(","):
        name = raw.strip()
        if not name:
            continue
        name = name.lstrip(".").lower()
        if hostonly == name or host == name:
            return raw.strip()
        name = "." + name
        if hostonly.endswith(name) or host.endswith(name):
            return raw.strip()
    return None


def python_decide(env: Mapping[str, str], url: str, *, uses_proxies: bool = True) -> Decision:
    """botocore's proxy for `url`. `uses_proxies=False` for clients built without proxies (container credentials)."""
    if not uses_proxies:
        return Decision("python", None, None, "botocore's container-credential client never uses a proxy")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    proxies, source = python_proxies(env)
    value = proxies.get(scheme)
    if not value:
        return Decision("python", None, None, f"{scheme}_proxy/{scheme.upper()}_PROXY not set")
    var = source.get(scheme)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    # The stdlib function itself decides; our mirror only names the entry responsible.
    if urllib.request.proxy_bypass_environment(netloc, proxies):  # type: ignore[attr-defined]
        entry = _python_bypass_entry(netloc, proxies.get("no", ""))
        no_var = source.get("no", "no_proxy")
        return Decision("python", None, var, f"{no_var} entry {entry!r} covers {netloc}", entry)
    why = f"{var}={mask(value)}"
    why += f"; no {source['no']} entry covers {netloc}" if "no" in proxies else "; no_proxy/NO_PROXY not set"
    return Decision("python", python_proxy_url(value), var, why)


# --- Both -------------------------------------------------------------------------------------------------------


@datarecord(frozen=True)
class Route:
    """Both runtimes' decisions for one URL, and what to say when they differ."""

    url: str
    go: Decision
    python: Decision
    differences: list[str] = field(default_factory=list)

    @property
    def differ(self) -> bool:
        return _norm(self.go.proxy) != _norm(self.python.proxy)

    def as_dict(self) -> dict[str, Any]:
        return {"go": self.go.as_dict(), "python": self.python.as_dict(), "differ": self.differ}


def _norm(proxy: str | None) -> str | None:
    return proxy.rstrip("/").lower() if proxy else None


def route(env: Mapping[str, str], url: str, *, python_uses_proxies: bool = True) -> Route:
    go = go_decide(env, url)
    py = python_decide(env, url, uses_proxies=python_uses_proxies)
    r = Route(url, go, py)
    if r.differ:
        r.differences.extend(_explain(env, url, go, py))
    return r


def _entry_note(entry: str) -> str | None:
    """Why Python's urllib reads a NO_PROXY entry differently from Go, if it does."""
    e = entry.strip()
    if "/" in e:
        try:
            ipaddress.ip_network(e, strict=False)
            return f"{e!r} is a CIDR range: Go honours it, Python's urllib (botocore) compares it as text and never matches"
        except ValueError:
            pass
    if e == "*":
        return "'*' inside a list: Go disables the proxy for everything, Python only honours '*' as the whole value"
    if e.startswith("*."):
        return f"{e!r} is a wildcard: Go reads it as {e[1:]!r}, Python compares it literally and never matches"
    split = _split_host_port(e.lower())
    if split is not None and split[1]:
        return (f"{e!r} has a port: Go compares it with the URL's port (443/80 by default), Python only matches a URL "
                "that spells that port")
    if e.startswith(".") and not e.startswith(".."):
        return f"{e!r}: Go matches subdomains only, Python also matches {e[1:]!r} itself"
    return None


def _explain(env: Mapping[str, str], url: str, go: Decision, py: Decision) -> list[str]:
    out: list[str] = []
    scheme = urlsplit(url).scheme.lower()
    upper, lower = f"{scheme.upper()}_PROXY", f"{scheme}_proxy"
    if env.get(upper) != env.get(lower) and upper in env and lower in env:
        out.append(f"{upper} and {lower} differ: Go reads {upper} first, Python lets {lower} win")
    if env.get("NO_PROXY") != env.get("no_proxy") and env.get("NO_PROXY") and "no_proxy" in env:
        out.append("NO_PROXY and no_proxy differ: Go reads NO_PROXY first, Python lets no_proxy win")
    for entry in (go.entry, py.entry):
        note = _entry_note(entry) if entry else None
        if note and note not in out:
            out.append(note)
    host = urlsplit(url).hostname or ""
    ip = parse_ip(host)
    if go.proxy is None and (host == "localhost" or (ip is not None and ip.is_loopback)) and py.proxy:
        out.append(f"Go never proxies {host}; Python does unless no_proxy lists it")
    if ip is not None and ip.version == 6 and go.entry and py.proxy:
        out.append(f"{go.entry!r} is an IPv6 address: Python compares it with the bracketed form [{host}] and never "
                   f"matches; list both {host} and [{host}]")
    if py.reason.startswith("botocore's container-credential") and go.proxy:
        out.append("botocore never proxies container-credential requests; Go SDKs use the proxy variables for them")
    if not out:
        out.append(f"Go: {go.reason}; Python: {py.reason}")
    return out


def no_proxy_line(env: Mapping[str, str], additions: list[str], replace: Mapping[str, list[str]] | None = None) -> list[str]:
    """Shell lines that add `additions` to NO_PROXY and no_proxy, keeping what is there; `replace` swaps an entry for
    others (e.g. {"*.amazonaws.com": [".amazonaws.com"]})."""
    replace = replace or {}
    lines = []
    for var in ("NO_PROXY", "no_proxy"):
        merged: list[str] = []
        for e in (e.strip() for e in env.get(var, "").split(",")):
            for x in replace.get(e, [e]) if e else []:
                if x not in merged:
                    merged.append(x)
        merged += [a for a in additions if a not in merged]
        lines.append(f"{var}={','.join(merged)}")
    return [f"export {lines[0]} {lines[1]}"]


def entry_fix(env: Mapping[str, str], entry: str, host: str) -> str | None:
    """A NO_PROXY rewrite that makes Go and Python agree on `entry` (keeping its intent), or None."""
    e = entry.strip()
    if e.startswith("*.") and len(e) > 2:
        return f"Write {e[1:]!r} instead of {e!r}: " + no_proxy_line(env, [], {e: [e[1:]]})[0]
    if e == "*":
        return "Use NO_PROXY='*' on its own (Python ignores '*' inside a list), or list the hosts"
    if "/" in e:
        return f"List the addresses {e!r} is meant to cover explicitly: " + no_proxy_line(env, [host])[0]
    split = _split_host_port(e.lower())
    if split is not None and split[1] and split[0]:
        return f"Drop the port from {e!r}: " + no_proxy_line(env, [], {e: [split[0]]})[0]
    if e.startswith(".") and e.lstrip(".") == host.lower():
        return f"List {host} as well as {e!r}: " + no_proxy_line(env, [host])[0]
    return None
