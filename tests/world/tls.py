"""The world's certificate authority: one trustme CA, one leaf certificate for every name the world serves over TLS.

inside.py installs the CA where clients look for trust (see inside.py `_install_trust`) unless the scenario says not to.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import trustme


class Tls:
    def __init__(self, names: list[str], directory: Path, organization: str = "sigdoctor test world CA",
                 unit: str | None = None) -> None:
        # The issuer's O (and OU) is what a client sees as "who terminates TLS" (Amazon's: O=Amazon).
        self.ca = trustme.CA(organization_name=organization, organization_unit_name=unit)
        self.leaf = self.ca.issue_cert(*names)
        self.ca_pem = directory / "world-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_pem))

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.leaf.configure_cert(ctx)
        return ctx
