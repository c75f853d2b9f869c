"""Everything the credentials probe learnt, and the per-source states derived from it (botocore's order)."""

from __future__ import annotations

from dataclasses import field
from typing import Any

from sigdoctor.creds.chain import ChainRun, Peek
from sigdoctor.creds.container import ContainerConfig, ContainerFetch
from sigdoctor.creds.env import EnvDiag
from sigdoctor.creds.files import AwsFiles
from sigdoctor.creds.imds import ImdsConfig, ImdsProbe
from sigdoctor.creds.model import DEFAULT_ORDER, DEFERRED_METHODS, SOURCE_NAMES, SourceDiag
from sigdoctor.creds.web_identity import WebIdentityDiag
from sigdoctor.model import SourceState
from sigdoctor.records import datarecord
from sigdoctor.redact import Redactor


@datarecord
class Facts:
    files: AwsFiles
    env: EnvDiag
    web: WebIdentityDiag
    container: ContainerConfig
    container_fetch: ContainerFetch
    imds: ImdsConfig
    imds_probe: ImdsProbe
    run: ChainRun
    diags: dict[str, SourceDiag]
    peek: Peek
    now: float
    offline: bool
    redactor: Redactor
    env_vars: dict[str, str] = field(default_factory=dict)
    states: dict[str, SourceState] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)

    @property
    def winner(self) -> str | None:
        return self.run.winner

    @property
    def order(self) -> list[str]:
        order = list(self.run.order or DEFAULT_ORDER)
        if "env" not in order:
            order.insert(0, "env")
        return order

    def reached(self, method: str) -> bool:
        """botocore called this source, or would have if it had come this far (no winner before it)."""
        if self.winner is None:
            return True
        order = self.order
        return method in order and order.index(method) <= order.index(self.winner)


def error_text(e: BaseException, redactor: Redactor) -> str:
    text = str(e) or type(e).__name__
    return redactor.text(" ".join(text.split()))[:400]


def resolve_states(f: Facts) -> list[dict[str, Any]]:
    run = f.run
    out: list[dict[str, Any]] = []
    for method in f.order:
        d = f.diags.get(method) or SourceDiag(False, "a botocore source sigdoctor does not diagnose yet")
        o = run.outcome(method)
        detail = d.detail
        if method == "env" and run.env_removed:
            state = SourceState.CONFIGURED if d.configured else SourceState.ABSENT
            if d.configured:
                detail += " — not used: botocore drops environment keys when --profile is given"
        elif method == run.winner:
            state = SourceState.WINNER
            # botocore picks deferred sources before any network call; when fetching their credentials fails
            # (or cannot work), `winner` stays botocore's answer but the source itself is marked failed.
            if run.refresh_error is not None:
                state = SourceState.FAILED
                detail = "botocore picks this source, but fetching its credentials failed: "
                detail += f"{error_text(run.refresh_error, f.redactor)} ({d.detail})"
            elif method in DEFERRED_METHODS and not run.refreshed and d.usable is False:
                state = SourceState.FAILED
                detail = f"botocore picks this source, but it cannot work: {d.detail}"
        elif o.result == "error" and o.error is not None:
            state = SourceState.FAILED
            err = error_text(o.error, f.redactor)
            # Our own diagnosis is usually the more precise; botocore's words follow as evidence.
            if d.configured and d.usable is False:
                detail = f"{d.detail}; botocore: {err}"
            else:
                detail = f"{err} ({d.detail})" if d.configured else err
        elif o.result == "offline":
            state = SourceState.CONFIGURED
            detail = f"{d.detail}; not checked (--offline)"
        elif o.result == "none":
            state = SourceState.FAILED if d.configured else SourceState.ABSENT
        elif not d.configured:
            state = SourceState.ABSENT
        elif d.usable is False:
            state = SourceState.FAILED
        elif run.winner is not None:
            state = SourceState.SHADOWED
            detail += f" — not used: {run.winner} comes first"
        else:
            state = SourceState.CONFIGURED
            if run.error is not None:
                detail += " — not tried: the chain stopped at an earlier error"
        f.states[method] = state
        f.details[method] = detail
        out.append(
            {
                "method": method,
                "name": SOURCE_NAMES.get(method, method),
                "state": str(state),
                "detail": detail,
                "location": d.location,
                "endpoint": _endpoint(f, method),
            }
        )
    return out


def _endpoint(f: Facts, method: str) -> str | None:
    """The URL a network source contacts: the network probes check DNS, proxy and TCP for it too."""
    if method == "iam-role" and not f.imds.disabled:
        return f.imds.base_url
    if method == "container-role":
        return f.container.uri
    return None
