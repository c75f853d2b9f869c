"""Send a signed request the way the agent would: Go's proxy decision over the diagnosed environment (Grafana
Agent/Alloy, Prometheus and the OTel Collector are Go programs) and the CA bundle the agent's SDK would trust.

Every request is recorded in `ctx.state.aws_calls`, and the answer's `Date` header in `ctx.state.http_dates`.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any
from urllib.parse import urlsplit

from sigdoctor.botohttp import TrustOnceSession
from sigdoctor.context import DEADLINE_MARGIN_S, Context
from sigdoctor.iam.calls import record, record_date
from sigdoctor.livesign.request import LiveRequest
from sigdoctor.netconn.proxy import go_decide, mask
from sigdoctor.netconn.tls import ca_bundle
from sigdoctor.records import datarecord


@datarecord
class Answer:
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = field(default=b"", repr=False)
    # Set when nothing came back: the transport error, redacted.
    error: str | None = None
    proxy: str | None = None  # masked proxy URL, or None for a direct connection
    route: str = ""

    def as_text(self) -> str:
        """Status line, the error-type header and the body, the way `sigdoctor decode` reads a pasted response."""
        lines = [f"HTTP/1.1 {self.status}"]
        lines += [f"{k}: {v}" for k, v in self.headers.items() if k.lower() in ("x-amzn-errortype", "date")]
        return "\n".join(lines) + "\n\n" + self.body.decode("utf-8", "replace")


def send(ctx: Context, live: LiveRequest, operation_service: str) -> Answer:
    url = live.url
    decision = go_decide(ctx.env, url)
    scheme = urlsplit(url).scheme
    proxies = {scheme: decision.proxy} if decision.proxy else {}
    bundle = ca_bundle(ctx)
    # A broken bundle is the connectivity probe's finding; the request still goes out with the default trust store.
    verify: str | bool = bundle.real or True
    answer = Answer(proxy=mask(decision.proxy) if decision.proxy else None,
                    route=f"via proxy {mask(decision.proxy)}" if decision.proxy else f"direct ({decision.reason})")
    parts = urlsplit(url)
    record(ctx, operation_service, live.operation, f"{parts.scheme}://{parts.netloc}")
    http = TrustOnceSession(verify=verify, proxies=proxies, timeout=ctx.timeout(3.0, margin=DEADLINE_MARGIN_S))
    t_sent = ctx.now()
    try:
        with ctx.step(f"{parts.netloc} to answer the signed {live.operation} request"):
            resp: Any = http.send(live.request.prepare())
    except Exception as e:  # transport failures are data here; the connectivity probe explains them
        answer.error = ctx.redactor.text(f"{type(e).__name__}: {e}")
        return answer
    finally:
        http.close()
    headers = {str(k): str(v) for k, v in resp.headers.items()}
    record_date(ctx, url, headers, t_sent, ctx.now())
    answer.status, answer.headers, answer.body = int(resp.status_code), headers, bytes(resp.content or b"")
    return answer
