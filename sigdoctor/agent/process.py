"""`--pid PID|auto`: diagnose with the agent's own environment, user and files instead of the shell's.

`context_for_pid` returns a Context whose `env` is the agent's (from /proc/PID/environ) and whose `root` is the
agent's filesystem (/proc/PID/root when it lives in another mount namespace), so every probe that goes through
`ctx.env` / `ctx.path` sees what the agent sees.

Nothing here touches `os.environ`: botocore gets the agent's environment through the session it is built with
(`sigdoctor/creds/chain.py` `build_session`: its config store, endpoint provider, credential providers and client
proxies read `ctx.env`, with the variables that name files mapped through `ctx.path`), so probe threads never see a
process-wide environment swapped under them.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from sigdoctor.agent import procfs
from sigdoctor.boundedio import ReadRefused
from sigdoctor.context import AgentProcess, Context
from sigdoctor.errors import UsageError

# Process names (comm, or the executable's basename) of the telemetry agents `--pid auto` looks for.
AGENT_NAMES = ("alloy", "grafana-agent", "agent", "prometheus", "fluent-bit", "loki", "tempo", "thanos")
AGENT_PREFIXES = ("otelcol",)


_PRIVILEGE_HINT = (
    "run sigdoctor as root or as the agent's user; in Kubernetes use "
    "`kubectl debug -it <pod> --target=<agent container> --image=...` to share the agent's process namespace"
)
# /proc files are the kernel's; a FIFO or device there was mounted over them (or the environment is megabytes).
_MOUNTED_HINT = "check `grep /proc/ /proc/self/mountinfo` for something mounted over the process's files"


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
    except ReadRefused as exc:
        raise UsageError(f"cannot inspect process {pid}: {exc.filename} {exc.strerror}", _MOUNTED_HINT) from None


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
    except ReadRefused as exc:
        raise UsageError(f"cannot read the environment of process {p.pid} ({p.name}): {exc.filename} {exc.strerror}",
                         _MOUNTED_HINT) from None
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


def path_note(ctx: Context) -> str | None:
    """One line for the report: whose environment and which files this run diagnoses."""
    if ctx.agent is None:
        return None
    pid = ctx.agent.pid
    who = f"process {pid} ({ctx.agent.name}, uid {ctx.agent.uid})"
    where = f"paths read through {ctx.root}" if ctx.root != Path("/") else "it shares sigdoctor's filesystem view"
    return f"environment of {who} from /proc/{pid}/environ; {where}"
