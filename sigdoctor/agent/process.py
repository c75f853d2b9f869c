"""`--pid PID|auto`: diagnose with the agent's own environment, user and files instead of the shell's.

`context_for_pid` returns a Context whose `env` is the agent's (from /proc/PID/environ) and whose `root` is the
agent's filesystem (/proc/PID/root when it lives in another mount namespace), so every probe that goes through
`ctx.env` / `ctx.path` sees what the agent sees.

botocore itself reads `os.environ` in places sigdoctor cannot reach (plain sessions, client proxies, the SSO token
cache), so the CLI also runs the probes inside `agent_environment(ctx)`: a scoped swap of `os.environ` for the
agent's environment, with the variables that name files rewritten to their /proc/PID/root/... equivalents (botocore
opens them directly). The swap is process-wide: it is meant for the one run the CLI makes, not for concurrent use.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sigdoctor.agent import procfs
from sigdoctor.context import AgentProcess, Context
from sigdoctor.errors import UsageError

# Process names (comm, or the executable's basename) of the telemetry agents `--pid auto` looks for.
AGENT_NAMES = ("alloy", "grafana-agent", "agent", "prometheus", "fluent-bit", "loki", "tempo", "thanos")
AGENT_PREFIXES = ("otelcol",)

# Variables whose value is a file the diagnosed process opens: rewritten to /proc/PID/root/... in os.environ.
PATH_VARS = (
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_CA_BUNDLE",
    "AWS_CREDENTIAL_FILE",
    "BOTO_CONFIG",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "HOME",
)

_PRIVILEGE_HINT = (
    "run sigdoctor as root or as the agent's user; in Kubernetes use "
    "`kubectl debug -it <pod> --target=<agent container> --image=...` to share the agent's process namespace"
)


def _is_agent(p: procfs.ProcessInfo) -> bool:
    names = {p.name}
    if p.exe:
        names.add(os.path.basename(p.exe.removesuffix(" (deleted)")))
    if p.cmdline:
        names.add(os.path.basename(p.cmdline[0]))
    return any(n in AGENT_NAMES or n.startswith(AGENT_PREFIXES) for n in names)


def find_agents() -> list[procfs.ProcessInfo]:
    """Running processes that look like a telemetry agent (never sigdoctor itself)."""
    me = os.getpid()
    found = []
    for pid in procfs.pids():
        if pid == me:
            continue
        try:
            p = procfs.info(pid)
        except (OSError, ValueError):
            continue  # gone meanwhile, or a kernel thread without status
        if _is_agent(p):
            found.append(p)
    return found


def _resolve(spec: str) -> procfs.ProcessInfo:
    if spec == "auto":
        found = find_agents()
        if not found:
            raise UsageError(
                "--pid auto found no agent process (looked for " + ", ".join([*AGENT_NAMES, "otelcol*"]) + ")",
                "pass the agent's PID: --pid PID",
            )
        if len(found) > 1:
            listing = "; ".join(p.line() for p in found)
            raise UsageError(f"--pid auto found {len(found)} agent processes: {listing}", "choose one: --pid PID")
        return found[0]
    try:
        pid = int(spec)
    except ValueError:
        raise UsageError(f"--pid takes a process id or 'auto', not {spec!r}", "e.g. --pid 1234 or --pid auto") from None
    if pid <= 0:
        raise UsageError(f"--pid takes a positive process id, not {pid}", "e.g. --pid 1234 or --pid auto")
    try:
        return procfs.info(pid)
    except FileNotFoundError:
        raise UsageError(
            f"no process {pid} (in this PID namespace)", "inside Kubernetes the agent must share our process namespace"
        ) from None
    except PermissionError:
        raise UsageError(f"not permitted to inspect process {pid}", _PRIVILEGE_HINT) from None


def context_for_pid(spec: str, ctx: Context) -> Context:
    """A copy of `ctx` that diagnoses process `spec` (a PID or "auto") with its environment, user and files."""
    p = _resolve(spec)
    try:
        env = procfs.environ(p.pid)
        root = procfs.root(p.pid)
    except FileNotFoundError:
        raise UsageError(f"process {p.pid} ended while sigdoctor was reading it", "start sigdoctor again") from None
    except PermissionError:
        raise UsageError(
            f"not permitted to read the environment of process {p.pid} ({p.name}, uid {p.uid})", _PRIVILEGE_HINT
        ) from None
    home = None
    if not env.get("HOME"):
        # botocore and aws-sdk-go both fall back to the user's passwd entry — the agent's user, in its own root.
        home = procfs.passwd_home(root, p.uid) or None
    agent = AgentProcess(pid=p.pid, name=p.name, uid=p.uid, gid=p.gid, exe=_exe_path(p, root),
                         cmdline=tuple(p.cmdline), root=str(root), home=home)
    return dataclasses.replace(ctx, env=env, root=root, agent=agent)


def _exe_path(p: procfs.ProcessInfo, root: Path) -> str | None:
    """A path we can open for the agent's executable: /proc/PID/exe works even when the file was replaced."""
    exe = procfs.PROC / str(p.pid) / "exe"
    try:
        os.stat(exe)
        return str(exe)
    except OSError:
        pass
    if p.exe:
        mapped = root / p.exe.lstrip("/")
        return str(mapped)
    return None


def agent_home(ctx: Context) -> str | None:
    return ctx.env.get("HOME") or (ctx.agent.home if ctx.agent else None)


def mapped_environ(ctx: Context) -> dict[str, str]:
    """The agent's environment as this process must see it: file variables rewritten through /proc/PID/root."""
    env = dict(ctx.env)
    home = agent_home(ctx)
    if home and not env.get("HOME"):
        env["HOME"] = home
    if "PATH" not in env and "PATH" in os.environ:
        env["PATH"] = os.environ["PATH"]
    if ctx.root == Path("/"):
        return env
    for var in PATH_VARS:
        value = env.get(var)
        if value:
            env[var] = str(ctx.path(value)) if value.startswith("/") else value
    return env


def path_note(ctx: Context) -> str | None:
    """One line for the report: whose environment and which files this run diagnoses."""
    if ctx.agent is None:
        return None
    pid = ctx.agent.pid
    who = f"process {pid} ({ctx.agent.name}, uid {ctx.agent.uid})"
    where = f"paths read through {ctx.root}" if ctx.root != Path("/") else "it shares sigdoctor's filesystem view"
    return f"environment of {who} from /proc/{pid}/environ; {where}"


@contextmanager
def agent_environment(ctx: Context) -> Iterator[None]:
    """Run the block with `os.environ` replaced by the diagnosed agent's (no-op without --pid)."""
    if ctx.agent is None:
        yield
        return
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(mapped_environ(ctx))
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
