"""TLS for the fakes' ThreadingHTTPServers, handshaken in each connection's own thread, as on a real front end.

Wrapping the listening socket instead makes accept() do every handshake in turn: a run's ~10 simultaneous
connections queue behind each other, and a client that never speaks TLS blocks everyone after it.
"""

from __future__ import annotations

import socket
import ssl
from typing import Any


class HandshakeInThread:
    """Mixin before ThreadingHTTPServer. No TLS while `tls_context` is None."""

    tls_context: ssl.SSLContext | None = None
    # Bounds the handshake; then the socket's timeout for the requests that follow (None: blocking).
    handshake_timeout: float = 5.0
    read_timeout: float | None = 5.0

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, addr = super().get_request()  # type: ignore[misc]
        if self.tls_context is None:
            return sock, addr
        tls = self.tls_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        tls.settimeout(self.handshake_timeout)
        return tls, addr

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.tls_context is not None:
            try:
                request.do_handshake()
            except (ssl.SSLError, OSError):
                return  # the client rejected our certificate or hung up: what some tests provoke
            request.settimeout(self.read_timeout)
        super().finish_request(request, client_address)  # type: ignore[misc]
