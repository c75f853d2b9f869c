"""How the run names a TCP endpoint: `host:port`, an IPv6 address in brackets (as in a URL's authority).

The run state's `dead_endpoints` and `silent_endpoints` are keyed by this name: the probe that writes one and the
probes that look an endpoint up in it must spell it the same way, so they all spell it here.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def hostport(host: str, port: int | str) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def of_url(url: str, default_port: int | None = None) -> str:
    """The endpoint `url` names: its port, else `default_port`, else its scheme's (443 for https, else 80)."""
    parts = urlsplit(url)
    return hostport(parts.hostname or "", parts.port or default_port or (443 if parts.scheme == "https" else 80))
