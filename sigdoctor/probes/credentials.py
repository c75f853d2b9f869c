"""The `credentials` probe: which source of botocore's default chain wins, what else is configured, and why each
source that yields nothing yields nothing.

botocore itself decides the winner (so it always equals `boto3.Session().get_credentials().method`); the network
checks of IMDS and the container endpoint run meanwhile in threads, so the probe costs one slow step, not three.
The winner is published (`ctx.state.chain`) the moment botocore names it: the identity probe starts then, while
the survey of the other sources finishes beside it and joins this probe's report — except a silent IMDS whose answer
can no longer matter once STS accepted the winner (creds/survey.py): that is reported as not needed, not waited out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

from sigdoctor.context import Context
from sigdoctor.creds import chain, container, env, files, imds, judge, profiles, survey, web_identity
from sigdoctor.creds.model import SourceDiag
from sigdoctor.creds.sources import Facts, resolve_states
from sigdoctor.endpoints import credential_endpoints
from sigdoctor.gosdk import report as gosdk
from sigdoctor.hostport import of_url
from sigdoctor.model import Finding, Outcome, ProbeResult, SourceState, Status, worst
from sigdoctor.probes.base import Probe
from sigdoctor.runstate import ChainAnswer

EMITS = tuple(
    "credentials." + n
    for n in (
        "files",
        "winner",
        "no-credentials",
        "env-credentials-incomplete",
        "env-shadows-role",
        "session-token-missing",
        "long-lived-keys",
        "profile-invalid",
        "web-identity-token-unreadable",
        "web-identity-claims",
        "web-identity-rejected",
        "role-trust-denied",
        "container-credentials-failed",
        "imds-unreachable",
        "imds-hop-limit",
        "imds-no-role",
        "imdsv1-in-use",
        "credentials-expired",
        "sdk-chain-differs",
        "agent",
        "proxy-misconfigured",
    )
)

T = TypeVar("T")

# Deferred sources whose credentials only exist after a network call we are allowed to make (STS).
_REFRESHABLE = ("assume-role", "assume-role-with-web-identity", "sso")


def _container_source(cfg: container.ContainerConfig, fetched: container.ContainerFetch) -> SourceDiag:
    d = container.source(cfg)
    if not cfg.configured:
        return d
    if fetched.ok:
        d.detail += f"; answered {fetched.key_id}, expires {fetched.expiration}"
        d.usable = True
    elif fetched.checked:
        d.detail += f"; {fetched.error}"
        d.usable = False
    elif fetched.reason and not cfg.uri_problem:
        d.detail += f"; {fetched.reason}"
    return d


def _guarded(check: Callable[[], T], failed: T) -> T:
    """A network check that breaks in an unforeseen way (a malformed endpoint, ...) reports it instead of
    taking the whole probe down."""
    try:
        return check()
    except Exception as e:
        for attr in ("tcp_error", "error"):
            if hasattr(failed, attr):
                setattr(failed, attr, f"check failed: {type(e).__name__}: {e}")
        return failed


def collect(ctx: Context) -> Facts:
    with ctx.step("the AWS config and credentials files to be read"):
        fl = files.load(ctx)
    env_d = env.diagnose(ctx.env, ctx.redactor)
    token_file = ctx.env.get("AWS_WEB_IDENTITY_TOKEN_FILE") or "named by the profile"
    with ctx.step(f"the web identity token file ({token_file}) to be read"):
        web = web_identity.diagnose(ctx, fl)
    cont_cfg = container.configure(ctx)
    imds_cfg = imds.configure(ctx, fl)
    sso = profiles.sso(ctx, fl)

    def refresh(method: str) -> bool:
        if ctx.offline or method not in _REFRESHABLE:
            return False
        # An SSO token we know is missing or expired would only produce the same error over the network.
        return method != "sso" or sso.usable is not False

    imds_survey = survey.ImdsSurvey(
        ctx, imds_cfg, lambda answered: _guarded(lambda: imds.probe(ctx, imds_cfg, answered),
                                                 imds.ImdsProbe(True, tcp="error")))
    cont_f = survey.start("container", lambda: _guarded(
        lambda: container.fetch(ctx, cont_cfg), container.ContainerFetch(True, error_kind="error")))
    run = chain.run(ctx, fl, refresh)
    _publish(ctx, run)
    fetched = cont_f.result()
    # A silent IMDS behind a winner STS accepted is not waited out (creds/survey.py says when).
    imds_probe = imds_survey.result(run, fl.home)

    diags: dict[str, SourceDiag] = {
        "env": env_d.source,
        "assume-role": profiles.assume_role(fl),
        "assume-role-with-web-identity": web.source,
        "sso": sso,
        "shared-credentials-file": profiles.static_keys(ctx, fl, "credentials"),
        "login": profiles.login(fl),
        "custom-process": profiles.process(ctx, fl),
        "config-file": profiles.static_keys(ctx, fl, "config"),
        "ec2-credentials-file": profiles.ec2_credentials_file(ctx),
        "boto-config": profiles.boto_config(ctx, fl),
        "container-role": _container_source(cont_cfg, fetched),
        "iam-role": imds.source(imds_cfg, imds_probe),
    }
    peeked = chain.peek(run.credentials)
    ctx.redactor.add_secret(peeked.secret_key)
    ctx.redactor.add_secret(peeked.token)
    return Facts(
        files=fl,
        env=env_d,
        web=web,
        container=cont_cfg,
        container_fetch=fetched,
        imds=imds_cfg,
        imds_probe=imds_probe,
        run=run,
        diags=diags,
        peek=peeked,
        now=ctx.now(),
        offline=ctx.offline,
        redactor=ctx.redactor,
        env_vars=ctx.env,
    )


def _silent(f: Facts) -> dict[str, tuple[str, str]]:
    """The instance metadata endpoint, when our own TCP connect to it got no answer."""
    p = f.imds_probe
    if not p.checked or p.tcp in (None, "open"):
        return {}
    return {of_url(f.imds.base_url, 80): (str(p.tcp), p.tcp_error or str(p.tcp))}


def _publish(ctx: Context, run: chain.ChainRun) -> None:
    """Later probes sign with the winner's credentials: share them only when fetching them worked (a deferred
    source botocore picked but could not fetch, e.g. an unreadable web identity token, would only fail again)."""
    usable = run.credentials if run.credentials is not None and run.refresh_error is None else None
    if usable is not None:
        # Registered before any other probe can log them.
        peeked = chain.peek(usable)
        ctx.redactor.add_secret(peeked.secret_key)
        ctx.redactor.add_secret(peeked.token)
    ctx.state.chain.set(ChainAnswer(winner=run.winner, credentials=usable, session=run.session))


def _summary(f: Facts, sources: list[dict[str, Any]]) -> str:
    others = [s["method"] for s in sources if s["state"] == SourceState.SHADOWED]
    failed = [s["method"] for s in sources if s["state"] == SourceState.FAILED]
    if f.winner:
        key = judge.winner_key(f)
        text = f"{f.winner} wins" + (f" ({key})" if key else "")
    elif f.run.offline_stop:
        text = f"winner unknown offline (the chain reaches {f.run.offline_stop})"
    else:
        text = "no credentials"
    if others:
        text += f"; {len(others)} other source(s) configured but shadowed: {', '.join(others)}"
    if failed:
        text += f"; failed: {', '.join(failed)}"
    return text


def _proxied_credential_endpoints(ctx: Context, f: Facts, sources: list[dict[str, Any]]) -> list[Finding]:
    """No winner while the proxy variables send the metadata / container endpoint to a proxy: the proxy, not the
    missing role, is why the chain came up empty (proxies do not forward link-local addresses)."""
    from sigdoctor.netconn.proxy import go_decide, mask, python_decide

    if f.winner is not None:
        return []
    out: list[Finding] = []
    for src in sources:
        endpoint = src.get("endpoint")
        if src["method"] not in ("iam-role", "container-role") or not endpoint or src["state"] == "absent":
            continue
        go, py = go_decide(ctx.env, endpoint), python_decide(ctx.env, endpoint)
        proxy = py.proxy or go.proxy
        if proxy is None:
            continue
        host = urlsplit(endpoint).hostname or endpoint
        who = " and ".join(n for n, d in (("botocore", py), ("Go SDKs", go)) if d.proxy)
        out.append(Finding(
            "credentials.proxy-misconfigured", Status.FAIL,
            f"{who} send the {src['method']} request for {endpoint} to the proxy {mask(proxy)}: NO_PROXY does not "
            f"cover {host}, and proxies do not reach link-local credential endpoints",
            {"endpoint": endpoint, "proxy": mask(proxy), "source": src["method"],
             "fix": [f"add {host} to NO_PROXY and no_proxy in the agent's environment "
                     "(e.g. NO_PROXY=169.254.169.254,169.254.170.2,169.254.170.23,localhost,127.0.0.1)"]},
        ))
    return out


def run(ctx: Context, prior: Mapping[str, ProbeResult]) -> Outcome:
    try:
        return _run(ctx)
    except RecursionError:
        # botocore, and the Go SDK models after it, follow source_profile by recursion: a chain thousands of
        # profiles deep overflows the stack in the SDK as it does here. That is the finding, not a crash.
        return _too_deep(ctx)


def _too_deep(ctx: Context) -> Outcome:
    fl = files.load(ctx)
    merged = fl.merged_profiles()
    chain_names = [fl.profile]
    while (nxt := merged.get(chain_names[-1], {}).get("source_profile")) and nxt not in chain_names:
        chain_names.append(str(nxt))
    depth = len(chain_names)
    message = (f"the source_profile chain of profile {fl.profile!r} is {depth} profiles deep "
               f"({' -> '.join(chain_names[:3])} -> … -> {chain_names[-1]}): the SDKs follow it one recursive call "
               "per profile and fail (Python: RecursionError); no credentials come out of it")
    finding = Finding("credentials.profile-invalid", Status.FAIL, message,
                      {"profile": fl.profile, "depth": depth,
                       "fix": ["Point the agent's profile at the profile that holds the keys (or at a short role "
                               "chain): role chaining needs one source_profile hop per role, not thousands"]})
    return Outcome(Status.FAIL, f"no credentials: source_profile chain {depth} profiles deep",
                   (ctx.redactor.obj(finding),))


def _run(ctx: Context) -> Outcome:
    f = collect(ctx)
    sources = resolve_states(f)
    # The network probes check these endpoints after the ones they knew from the start.
    ctx.state.silent_endpoints.set(_silent(f))
    ctx.state.credential_endpoints.set(credential_endpoints(sources))
    findings: list[Finding] = [judge.files(f)]
    findings += judge.winner(f)
    findings += judge.env_incomplete(f)
    findings += judge.session_token_missing(f)
    findings += judge.env_shadows_role(f)
    findings += judge.profile_invalid(f)
    findings += judge.web_identity(f)
    findings += judge.assume_role_rejection(f)
    findings += judge.container(f)
    findings += judge.imds(f, lambda: imds.container_hints(ctx))
    findings += judge.expired(f)
    findings += judge.long_lived(f)
    go_view = gosdk.view(ctx, f.files.home, _reachable(f))
    findings += _sdk_differs(f, go_view)
    findings += _agent(ctx)
    findings += _proxied_credential_endpoints(ctx, f, sources)
    findings += _pod_without_imds(ctx, f, sources, findings)

    expiry = judge.winner_expiry(f)
    # What the clock probe judges against true time: the winner's expiry and a web identity token's `exp`.
    expiries: list[tuple[str, object]] = [("credentials", judge.iso(expiry) if expiry is not None else None)]
    expiries += [("web identity token", x.evidence["exp"]) for x in findings
                 if x.id == "credentials.web-identity-claims" and x.evidence.get("exp")]
    ctx.state.expiries.set(expiries)
    data = {
        "credentials": {
            "winner": f.winner,
            "access_key_id": judge.winner_key(f),
            "expiry": judge.iso(expiry) if expiry is not None else None,
            "profile": f.files.profile,
            "profile_source": f.files.profile_source,
            "files": [af.as_dict() for af in (f.files.config, f.files.credentials)],
            "sources": sources,
            "go_sdk": gosdk.section(go_view),
        }
    }
    statuses: list[Status] = [x.status for x in findings if x.status in (Status.FAIL, Status.WARN)]
    if f.winner is None and not f.run.offline_stop:
        statuses.append(Status.FAIL)
    status = worst(statuses) if statuses else Status.PASS
    return Outcome(status, _summary(f, sources), tuple(ctx.redactor.obj(findings)), ctx.redactor.obj(data))


def _pod_without_imds(ctx: Context, f: Facts, sources: list[dict[str, Any]], found: list[Finding]) -> list[Finding]:
    """In a Kubernetes pod with no credential source of its own, the SDK's last resort is the node's instance
    metadata service: when that is silent, the pod's path to IMDS is the actionable part, not "no credentials"."""
    p, cfg = f.imds_probe, f.imds
    if f.winner is not None or cfg.disabled or not p.checked or p.tcp == "open":
        return []
    if not ctx.env.get("KUBERNETES_SERVICE_HOST") or any(x.id == "credentials.imds-unreachable" for x in found):
        return []
    if any(s["state"] != SourceState.ABSENT for s in sources if s["method"] != "iam-role"):
        return []
    why = p.tcp_error or p.tcp or "no answer"
    message = (f"in a Kubernetes pod (KUBERNETES_SERVICE_HOST is set) with no credential source configured, the SDK "
               f"falls back to the node's instance metadata service at {cfg.base_url}, and nothing answers ({why}): "
               "the pod's path to IMDS is blocked (a NetworkPolicy or security group dropping 169.254.169.254:80, or "
               "the node's metadata hop limit of 1 when the pod is not on hostNetwork)")
    return [Finding("credentials.imds-unreachable", Status.FAIL, message, {
        "endpoint": cfg.base_url, "error": why, "in_kubernetes": True, "container_hints": imds.container_hints(ctx),
        "fix": ["Give the pod its own credentials: IRSA (eks.amazonaws.com/role-arn on its service account) or an "
                "EKS Pod Identity association — the recommended setup, which needs no IMDS",
                "Or open the path to the node role: allow egress to 169.254.169.254/32 port 80 in the pod's "
                "NetworkPolicy and set the node's metadata hop limit to 2 (aws ec2 modify-instance-metadata-options "
                "--http-put-response-hop-limit 2)"]})]


def _reachable(f: Facts) -> dict[str, bool | None]:
    """Whether the network sources answered with credentials when we asked (None: not asked)."""
    imds_state = f.imds_probe.key_id is not None if f.imds_probe.checked else None
    cont_state = f.container_fetch.ok if f.container_fetch.checked else None
    return {"imds": imds_state, "container": cont_state}


def _sdk_differs(f: Facts, view: gosdk.GoSdkView) -> list[Finding]:
    known = f.run.offline_stop is None
    fails = f.winner is not None and f.states.get(f.winner) == SourceState.FAILED
    lines = gosdk.differences(view, f.winner, known, fails)
    if not lines:
        return []
    evidence: dict[str, Any] = {
        "botocore": f.winner if known else None,
        **{name: p.source for name, p in view.predictions.items()},
    }
    fix = gosdk.fixes(view, f.winner)
    if fix:
        evidence["fix"] = fix
    message = "The agent's Go SDK picks credentials differently: " + "; ".join(lines)
    return [Finding("credentials.sdk-chain-differs", Status.WARN, message, evidence)]


def _agent(ctx: Context) -> list[Finding]:
    from sigdoctor.agent.process import path_note

    note = path_note(ctx)
    if note is None:
        return []
    agent = ctx.agent
    evidence = {
        "pid": agent.pid if agent else None,
        "name": agent.name if agent else None,
        "uid": agent.uid if agent else None,
        "root": str(ctx.root),
    }
    return [Finding("credentials.agent", Status.PASS, f"Diagnosing the agent: {note}", evidence)]


PROBE = Probe(
    id="credentials",
    title="Credentials: which source wins, what else is configured",
    run=run,
    timeout=15.0,
    emits=EMITS,
)
