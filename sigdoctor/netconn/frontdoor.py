"""One unsigned HTTPS request: does an AWS front end answer, or a proxy's block page / captive portal?

AWS API front ends answer anything, even an unsigned GET, with a request id header (`x-amzn-RequestId`,
`x-amz-request-id` for S3) and an AWS error body (`<ErrorResponse>`, `<Error><Code>`, `{"__type": …}`,
`{"message": "Missing Authentication Token"}`). The request is a GET without body or credentials: it cannot
change or store anything.
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
from collections.abc import Callable
from typing import Any

from sigdoctor import __version__
from sigdoctor.records import datarecord

_ID_HEADERS = ("x-amzn-requestid", "x-amz-request-id", "x-amz-id-2", "x-amzn-errortype", "x-amz-apigw-id")
_XML_CODE = re.compile(r"<Code>([^<]{1,100})</Code>")
_JSON_TYPE = re.compile(r'"__type"\s*:\s*"([^"]{1,200})"')
_BODY_LIMIT = 16 * 1024


@datarecord
class FrontDoor:
    url: str
    status: int | None = None
    reason: str | None = None
    request_id_header: str | None = None
    aws_error: str | None = None
    server: str | None = None
    date: str | None = None
    content_type: str | None = None
    snippet: str | None = None
    error: str | None = None
    t_sent: float | None = None
    t_received: float | None = None
    timed_out: bool = False  # no answer at all within the timeout (not a refused or broken one)

    @property
    def is_aws(self) -> bool:
        return self.request_id_header is not None or self.aws_error is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "url": self.url, "status": self.status, "reason": self.reason, "aws": self.is_aws,
            "request_id_header": self.request_id_header, "aws_error": self.aws_error, "server": self.server,
            "date": self.date, "content_type": self.content_type, "snippet": None if self.is_aws else self.snippet,
            "error": self.error,
        }

    def describe(self) -> str:
        if self.error:
            return self.error
        who = f" (Server: {self.server})" if self.server else ""
        return f"HTTP {self.status} {self.reason or ''}".rstrip() + who


def ask(tls: ssl.SSLSocket | socket.socket, host: str, port: int, path: str, timeout: float,
        now: Callable[[], float], scheme: str = "https") -> FrontDoor:
    """GET `path` over the already-open connection `tls` (closed afterwards); never raises."""
    authority = host if port == (443 if scheme == "https" else 80) else f"{host}:{port}"
    if ":" in host:
        authority = f"[{host}]" if authority == host else f"[{host}]:{port}"
    url = f"{scheme}://{authority}{path}"
    fd = FrontDoor(url)
    request = (f"GET {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: sigdoctor/{__version__}\r\n"
               "Accept: */*\r\nConnection: close\r\n\r\n").encode()
    tls.settimeout(timeout)
    try:
        fd.t_sent = now()
        tls.sendall(request)
        response = http.client.HTTPResponse(tls, method="GET")
        response.begin()
        fd.t_received = now()
        fd.status, fd.reason = response.status, response.reason
        headers = {k.lower(): v for k, v in response.getheaders()}
        fd.server = headers.get("server")
        fd.date = headers.get("date")
        fd.content_type = headers.get("content-type")
        fd.request_id_header = next((h for h in _ID_HEADERS if h in headers), None)
        try:
            body = response.read(_BODY_LIMIT).decode("utf-8", "replace")
        except (http.client.HTTPException, OSError):
            body = ""
        fd.aws_error = _aws_error(body, headers)
        fd.snippet = " ".join(body.split())[:160] or None
    except TimeoutError:
        fd.error = f"no HTTP answer within {timeout:.1f} s"
        fd.timed_out = True
    except (http.client.HTTPException, OSError) as exc:
        fd.error = f"HTTP request failed: {type(exc).__name__}: {exc}"
    finally:
        tls.close()
    return fd


def _aws_error(body: str, headers: dict[str, str]) -> str | None:
    if "<ErrorResponse" in body or ("<Error>" in body and "<Code>" in body):
        m = _XML_CODE.search(body)
        return m.group(1) if m else "XML error"
    m = _JSON_TYPE.search(body)
    if m:
        return m.group(1).rsplit("#", 1)[-1]
    if "Missing Authentication Token" in body:
        return "MissingAuthenticationTokenException"
    return None
