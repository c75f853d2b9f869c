"""The canary matrix: canary secrets in every credential source and in every response of the world's fake STS,
IMDS and container endpoints; every command × format × -v/--debug × --output; stdout, stderr and every file written
grepped for them.

A canary has no well-known prefix (no AKIA/IQoJ/eyJ…): only the redactor's structure rules, or a value it learned
or was told, can catch it. Used by tests/canary/test_canary.py and, for the full matrix with counts, by
`python -m tests.canary.matrix [--before DIR]`.
"""

from __future__ import annotations

import json
import re
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.world import ACCOUNT, ECS_ADDRESS, IMDS_ADDRESS, POD_IDENTITY_ADDRESS, POD_IDENTITY_TOKEN_FILE, World

FORMATS = ("text", "json", "markdown")
FLAGS: tuple[tuple[str, ...], ...] = ((), ("-v",), ("--debug",), ("-v", "--debug"))
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/agent-role"
SIGN_REQUEST = "POST /api/v1/remote_write HTTP/1.1\nHost:aps-workspaces.us-east-1.amazonaws.com\n" \
               "Content-Type:application/x-protobuf\n\npayload\n"
EXT = {"text": "txt", "json": "json", "markdown": "md"}
# A signature that is not `sign`'s own product: 64 hex digits after Signature= / "Signature:" in any form.
_SIGNATURE = re.compile(r"(?i)signature[\"']?\s*(?:[:=]|%3d)\s*[\"']?\s*[0-9a-f]{64}")


def canary(kind: str, n: int = 40) -> str:
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return f"Cnry{kind}" + "".join(secrets.choice(alphabet) for _ in range(n))


def key_id(prefix: str) -> str:
    return prefix + "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))


def creds_json(expires_in: float = 6 * 3600) -> dict[str, str]:
    exp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + expires_in))
    return {"AccessKeyId": key_id("ASIA"), "SecretAccessKey": canary("Sk"), "Token": canary("Tk", 300),
            "Expiration": exp}


@dataclass
class Scenario:
    name: str
    build: Callable[[World], None]
    extra_run: tuple[str, ...] = ()
    extra_both: tuple[str, ...] = ()  # for run and chain
    sign: bool = True
    decode: bool = False
    merge: bool = False
    secrets: list[str] = field(default_factory=list)


def _base(w: World) -> None:
    """STS (moto) whose every issued credential is a canary, a correct clock, a region."""
    w.sts(canary={"SecretAccessKey": canary("StsSk"), "SessionToken": canary("StsTk", 300)})
    w.tls_issuer("Amazon", "Server CA 1B")
    w.time_sync(0.0)
    w.env(AWS_REGION=REGION)
    w.file("~/req.http", SIGN_REQUEST, 0o644)


def _env(w: World) -> None:
    _base(w)
    sk, tk = canary("EnvSk"), canary("EnvTk", 300)
    w.env(AWS_ACCESS_KEY_ID=key_id("ASIA"), AWS_SECRET_ACCESS_KEY=sk, AWS_SESSION_TOKEN=tk).secret(sk, tk)


def _credentials_file(w: World) -> None:
    _base(w)
    sk, tk = canary("FileSk"), canary("FileTk", 300)
    w.file("~/.aws/credentials", f"[default]\naws_access_key_id = {key_id('ASIA')}\naws_secret_access_key = {sk}\n"
                                 f"aws_session_token = {tk}\n")
    w.secret(sk, tk)


def _config_file(w: World) -> None:
    _base(w)
    sk = canary("CfgSk")
    w.file("~/.aws/config", f"[profile agent]\nregion = {REGION}\naws_access_key_id = {key_id('AKIA')}\n"
                            f"aws_secret_access_key = {sk}\n")
    w.env(AWS_PROFILE="agent").secret(sk)


def _credential_process(w: World) -> None:
    _base(w)
    c = creds_json()
    body = json.dumps({"Version": 1, **{k: v for k, v in c.items() if k != "Token"}, "SessionToken": c["Token"]})
    script = w.file("~/bin/creds.sh", f"#!/bin/sh\ncat <<'EOF'\n{body}\nEOF\n", 0o755)
    w.file("~/.aws/config", f"[default]\nregion = {REGION}\ncredential_process = {script}\n")
    w.secret(c["SecretAccessKey"], c["Token"])


def _credential_process_fails(w: World) -> None:
    """`set -x` in a failing helper: its stderr trace shows the secret it was about to print."""
    _base(w)
    sk = canary("TraceSk")
    script = w.file("~/bin/creds.sh", f"#!/bin/sh\nset -x\nSECRET={sk}\necho \"fetching with $SECRET\" >&2\n"
                                      "exit 1\n", 0o755)
    w.file("~/.aws/config", f"[default]\nregion = {REGION}\ncredential_process = {script} --verbose\n")
    w.secret(sk)


def _web_identity(w: World) -> None:
    _base(w)
    tok = canary("Wit", 800)  # not a JWT: only being read (and registered) can mask it
    w.web_identity(f"arn:aws:iam::{ACCOUNT}:role/agent-irsa-role", token=tok)
    w.secret(tok)


def _pod_identity(w: World) -> None:
    _base(w)
    tok, c = canary("Pit", 600), creds_json()
    c["AccountId"] = ACCOUNT
    path = "/v1/credentials"
    w.env(AWS_CONTAINER_CREDENTIALS_FULL_URI=f"http://{POD_IDENTITY_ADDRESS}{path}",
          AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=POD_IDENTITY_TOKEN_FILE)
    w.file(POD_IDENTITY_TOKEN_FILE, tok, 0o644)
    w.server("container", address=POD_IDENTITY_ADDRESS, port=80, mode="ok", token=tok, path=path, credentials=c)
    w.secret(tok, c["SecretAccessKey"], c["Token"])


def _ecs(w: World) -> None:
    _base(w)
    tok, c = canary("Ecst", 64), creds_json()
    path = "/v2/credentials/5a2f1c3e-8a47-4b7e-9a5e-2d2f0f8d1c01"
    w.env(AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=path, AWS_CONTAINER_AUTHORIZATION_TOKEN=tok)
    w.server("container", address=ECS_ADDRESS, port=80, mode="ok", token=tok, path=path, credentials=c)
    w.secret(tok, c["SecretAccessKey"], c["Token"])


def _agent_process(w: World) -> None:
    """`--pid auto`: the credentials live only in the agent's own environment (an "alloy" process)."""
    _base(w)
    sk, tk = canary("PidSk"), canary("PidTk", 300)
    env = {"AWS_ACCESS_KEY_ID": key_id("ASIA"), "AWS_SECRET_ACCESS_KEY": sk, "AWS_SESSION_TOKEN": tk,
           "AWS_REGION": REGION}
    w.process([sys.executable, "-c", "import os; os.execv('/bin/sleep', ['alloy', '600'])"], env=env, name="alloy")
    w.secret(sk, tk)


def _imds(w: World) -> None:
    _base(w)
    w.ec2(True)
    c = {"Code": "Success", "LastUpdated": "2026-01-01T00:00:00Z", "Type": "AWS-HMAC", **creds_json()}
    w.server("imds", address=IMDS_ADDRESS, port=80, mode="ok", role="agent-node-role", credentials=c,
             token_status=403, region=REGION, account=ACCOUNT)
    w.secret(c["SecretAccessKey"], c["Token"])


SCENARIOS = (
    Scenario("env", _env, extra_run=("--role-arn", ROLE), decode=True, merge=True),
    Scenario("credentials-file", _credentials_file),
    Scenario("config-file", _config_file),
    Scenario("credential-process", _credential_process),
    Scenario("credential-process-fails", _credential_process_fails),
    Scenario("web-identity", _web_identity),
    Scenario("pod-identity", _pod_identity),
    Scenario("ecs", _ecs),
    Scenario("imds", _imds),
    Scenario("agent-process", _agent_process, extra_both=("--pid", "auto"), sign=False),
)


def _pasted_log(s: list[str]) -> str:
    """What a user pastes into `decode`: an SDK debug log and an error body, with the world's secrets inside."""
    sk, tk = s[0], s[-1]
    return (
        f"2026-11-27 10:00:00 DEBUG botocore.endpoint Response body:\nb'<Credentials><SecretAccessKey>{sk}"
        f"</SecretAccessKey><SessionToken>{tk}</SessionToken></Credentials>'\n"
        f'{{"AccessKeyId": "ASIAEXAMPLEEXAMPLE12", "SecretAccessKey": "{sk}", "Token": "{tk}"}}\n'
        f"X-Amz-Security-Token: {tk}\n"
        "<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>The request signature "
        "we calculated does not match the signature you provided.</Message></Error></ErrorResponse>\n"
    )


def _hand_edited_report(s: list[str]) -> str:
    rep = {"schema_version": 1, "tool": {"name": "sigdoctor", "version": "0.1.0"}, "command": "run",
           "started_at": "2026-11-27T10:00:00Z", "duration_ms": 10,
           "environment": {"host": "node-1", "region": REGION, "AWS_SESSION_TOKEN": s[-1]},
           "summary": {"status": "problems", "root_causes": 1}, "probes": [],
           "root_causes": [{"id": "clock-skew", "severity": "error", "confidence": "high", "title": "t",
                            "summary": f"SecretAccessKey={s[0]}", "evidence": [], "fix": [], "docs": "d"}]}
    return json.dumps(rep)


def cases(sc: Scenario, full: bool) -> list[dict[str, Any]]:
    """Every command × format × flags × --output (`full`), or per command and format the two extremes: nothing,
    and `-v --debug --output FILE`."""
    out: list[dict[str, Any]] = []
    flag_sets = FLAGS if full else ((), ("-v", "--debug"))

    def add(cmd: str, args: tuple[str, ...], fmt: str, flags: tuple[str, ...], *, output: bool,
            stdin: str = "") -> None:
        if not full and bool(flags) != output:
            return
        name = f"{cmd}-{fmt}-{''.join(f.strip('-')[0] for f in flags) or 'plain'}{'-o' if output else ''}"
        argv = [cmd, *args, "--format", fmt, *flags]
        if output:
            argv += ["--output", f"{{out}}/report.{EXT[fmt]}"]
        out.append({"name": name, "argv": argv, "stdin": stdin, "timeout": 60})

    for fmt in FORMATS:
        for flags in flag_sets:
            for output in (False, True):
                add("run", ("--deadline", "10", *sc.extra_run, *sc.extra_both), fmt, flags, output=output)
                add("chain", ("--deadline", "10", *sc.extra_both), fmt, flags, output=output)
                if sc.decode:
                    add("decode", ("-",), fmt, flags, output=output, stdin=_pasted_log(sc.secrets))
                if sc.merge and "-v" not in flags:
                    add("merge", ("-",), fmt, flags, output=output, stdin=_hand_edited_report(sc.secrets))
    if sc.sign:
        for fmt in ("text", "json"):
            for flags in (((), ("--debug",)) if full else (("--debug",),)):
                name = f"sign-{fmt}-{'d' if flags else 'plain'}"
                out.append({"name": name, "argv": ["sign", "--request", "~/req.http", "--region", REGION,
                                                   "--service", "aps", "--format", fmt, *flags], "timeout": 60})
    for c in out:
        c["argv"] = [a.replace("~/", "{home}/") for a in c["argv"]]
    return out


@dataclass
class Outcome:
    scenario: str
    cases: list[dict[str, Any]]
    leaks: list[str]
    describe: str


def run_scenario(w: World, sc: Scenario, *, full: bool, sigdoctor: list[str] | None = None) -> Outcome:
    sc.build(w)
    sc.secrets = list(w.secrets)
    if sigdoctor:
        w.env(CANARY_SIGDOCTOR=json.dumps(sigdoctor))
    todo = cases(sc, full)
    for c in todo:
        c["argv"] = [a.replace("{home}", str(w.home)) for a in c["argv"]]
    spec = w.dir / "cases.json"
    spec.write_text(json.dumps(todo))
    driver = Path(__file__).with_name("driver.py")
    r = w.run_cmd([sys.executable, str(driver), str(spec), str(w.out)], timeout=60.0 * len(todo))
    done = [json.loads(line) for line in (w.out / "cases.jsonl").read_text().splitlines()]
    leaks = r.leaks()
    for p in sorted(w.out.rglob("*")):
        if p.is_file() and p.name != "cases.jsonl" and not (p.name == "stdout" and p.parent.name.startswith("sign")):
            for m in _SIGNATURE.finditer(p.read_text(errors="replace")):
                leaks.append(f"signature {m.group(0)[:14]}… in {p}")
    return Outcome(sc.name, done, leaks, r.describe(800))


def main(argv: list[str]) -> int:
    """Full matrix, every scenario; `--before DIR` runs the sigdoctor source tree in DIR instead."""
    import tempfile

    sigdoctor = None
    if "--before" in argv:
        src = argv[argv.index("--before") + 1]
        sigdoctor = ["env", f"PYTHONPATH={src}", sys.executable, "-m", "sigdoctor.cli"]
    full = "--quick" not in argv
    total = leaked = 0
    only = argv[argv.index("--only") + 1].split(",") if "--only" in argv else None
    for sc in SCENARIOS:
        if only and sc.name not in only:
            continue
        w = World(Path(tempfile.mkdtemp(prefix=f"canary-{sc.name}-")))
        o = run_scenario(w, sc, full=full, sigdoctor=sigdoctor)
        total += len(o.cases)
        leaked += len(o.leaks)
        cases_with = {Path(x.split(" in ")[-1]).parent.name for x in o.leaks}
        print(f"{sc.name:26} cases={len(o.cases):3} leaks={len(o.leaks):3} leaking cases={len(cases_with):3} "
              f"rc={sorted({c['rc'] for c in o.cases})}", flush=True)
        for x in o.leaks[:40]:
            print(f"    {x.replace(str(w.out) + '/', '')}")
    print(f"TOTAL cases={total} leaks={leaked}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
