"""`--pid`: the agent's environment, user and files, read through /proc from a stand-in agent process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sigdoctor.agent import procfs
from sigdoctor.agent.process import context_for_pid, find_agents, path_note
from sigdoctor.context import Context
from sigdoctor.errors import UsageError

SLEEP = shutil.which("sleep") or "/bin/sleep"
Spawn = Callable[..., subprocess.Popen[bytes]]


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Spawn]:
    """Start stand-in agents (a long sleep under a chosen name and environment); all are killed in teardown."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(env: dict[str, str], name: str = "sleep", argv: list[str] | None = None) -> subprocess.Popen[bytes]:
        program = SLEEP
        if name != "sleep":
            # The kernel names a process after the file it executes: a symlink gives the stand-in an agent's name.
            link = tmp_path / name
            if not link.exists():
                link.symlink_to(SLEEP)
            program = str(link)
        p = subprocess.Popen(argv or [program, "300"], env=env, stdin=subprocess.DEVNULL)
        procs.append(p)
        _wait_exec(p.pid, name if argv is None else None)
        return p

    yield start
    for p in procs:
        p.kill()
        p.wait()


def _wait_exec(pid: int, name: str | None) -> None:
    # Popen returns after fork; until exec, /proc/PID/environ still shows *our* environment.
    own = {"python", Path(sys.executable).name, Path(sys.executable).resolve().name}
    for _ in range(1000):
        try:
            comm = (Path("/proc") / str(pid) / "comm").read_text().strip()
        except OSError:
            comm = ""
        if comm and comm not in own and (name is None or comm == name):
            return
        time.sleep(0.01)
    raise AssertionError(f"stand-in {pid} did not exec {name or 'its program'} within 10s")


AGENT_ENV = {
    "PATH": "/usr/bin:/bin",
    "HOME": "/var/lib/alloy",
    "AWS_REGION": "eu-west-1",
    "AWS_ROLE_ARN": "arn:aws:iam::111122223333:role/agent",
    "AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
}


def test_the_agents_environment_replaces_the_shells(spawn: Spawn) -> None:
    p = spawn(AGENT_ENV)
    shell = Context(env={"AWS_PROFILE": "shell-only", "HOME": "/root"}, region="us-east-2")
    ctx = context_for_pid(str(p.pid), shell)
    assert ctx.env == AGENT_ENV
    assert ctx.region == "us-east-2"  # options given on the command line stay
    assert ctx.root == Path("/")  # same mount namespace: no /proc/PID/root detour
    assert ctx.agent is not None and ctx.agent.pid == p.pid
    assert ctx.agent.cmdline == (SLEEP, "300")
    assert ctx.agent.exe is not None and Path(ctx.agent.exe).resolve() == Path(SLEEP).resolve()
    assert shell.env == {"AWS_PROFILE": "shell-only", "HOME": "/root"}  # the caller's context is untouched
    assert f"from /proc/{p.pid}/environ" in (path_note(ctx) or "")


def test_home_comes_from_the_agents_passwd_entry_when_unset(spawn: Spawn) -> None:
    p = spawn({"PATH": "/usr/bin:/bin"})
    ctx = context_for_pid(str(p.pid), Context(env={"HOME": "/somewhere/else"}))
    assert "HOME" not in ctx.env
    assert ctx.agent is not None and ctx.agent.home == procfs.passwd_home(Path("/"), os.getuid())
    from sigdoctor.creds import files

    loaded = files.load(ctx)
    assert loaded.home == ctx.agent.home and loaded.home_from == "passwd"
    assert loaded.config.path == f"{ctx.agent.home}/.aws/config"


def test_the_agents_environment_reaches_botocore_without_touching_os_environ(
    spawn: Spawn, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = spawn({**AGENT_ENV, "AWS_DEFAULT_REGION": "eu-west-1", "HTTPS_PROXY": "http://proxy.agent.example:3128",
               "NO_PROXY": "sts.eu-west-1.amazonaws.com"})
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")  # the shell's, not the agent's
    monkeypatch.delenv("HTTPS_PROXY", raising=False)
    ctx = context_for_pid(str(p.pid), Context())
    before = dict(os.environ)
    session = ctx.botocore_session()
    assert session.get_config_variable("region") == "eu-west-1"
    iam = session.create_client("iam", region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE",
                                aws_secret_access_key="not-a-secret")
    sts = session.create_client("sts", region_name="eu-west-1", aws_access_key_id="AKIDEXAMPLE",
                                aws_secret_access_key="not-a-secret")
    # The agent's proxy, and its NO_PROXY exception, decide for sigdoctor's own AWS calls.
    assert iam.meta.config.proxies["https"] == "http://proxy.agent.example:3128"
    assert iam.meta.config.proxies["https://sts.eu-west-1.amazonaws.com"] is None
    assert sts.meta.endpoint_url == "https://sts.eu-west-1.amazonaws.com"
    assert dict(os.environ) == before


@pytest.fixture
def mount_ns() -> None:
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"needs `unshare -m` (mount namespaces): {probe.stderr.decode().strip()}")


def test_files_of_an_agent_in_another_mount_namespace_are_read_through_proc_root(
    spawn: Spawn, mount_ns: None, tmp_path: Path
) -> None:
    # The agent sees a token file at /mnt/agent-token that only exists in its own mount namespace (like a
    # projected service-account token in a pod).
    inner = tmp_path / "agent-mnt"
    inner.mkdir()
    (inner / "agent-token").write_text("not-a-real-token")
    script = f"mount --bind {inner} /mnt && exec {SLEEP} 300"
    env = {**AGENT_ENV, "AWS_WEB_IDENTITY_TOKEN_FILE": "/mnt/agent-token", "AWS_CONFIG_FILE": "/mnt/config"}
    p = spawn(env, argv=["unshare", "-m", "--propagation", "private", "sh", "-c", script])
    for _ in range(300):  # until the shell has exec'd sleep inside its namespace
        if (Path("/proc") / str(p.pid) / "comm").read_text().strip() == "sleep":
            break
        time.sleep(0.01)
    assert not Path("/mnt/agent-token").exists()
    ctx = context_for_pid(str(p.pid), Context())
    assert ctx.root == Path(f"/proc/{p.pid}/root")
    assert ctx.path("/mnt/agent-token").read_text() == "not-a-real-token"
    # botocore reads the agent's config file through its root, from the session (os.environ is not touched).
    assert ctx.botocore_session().get_config_variable("config_file") == f"/proc/{p.pid}/root/mnt/config"
    assert f"paths read through /proc/{p.pid}/root" in (path_note(ctx) or "")


def test_auto_finds_the_one_agent(spawn: Spawn, monkeypatch: pytest.MonkeyPatch) -> None:
    agent = spawn(AGENT_ENV, name="alloy")
    other = spawn({"PATH": "/bin"})
    monkeypatch.setattr(procfs, "pids", lambda: [other.pid, agent.pid])
    ctx = context_for_pid("auto", Context())
    assert ctx.agent is not None and (ctx.agent.pid, ctx.agent.name) == (agent.pid, "alloy")


def test_auto_with_several_agents_lists_them(spawn: Spawn, monkeypatch: pytest.MonkeyPatch) -> None:
    a = spawn(AGENT_ENV, name="prometheus")
    b = spawn(AGENT_ENV, name="otelcol-contrib")
    monkeypatch.setattr(procfs, "pids", lambda: [a.pid, b.pid])
    assert [x.pid for x in find_agents()] == [a.pid, b.pid]
    with pytest.raises(UsageError) as e:
        context_for_pid("auto", Context())
    assert f"{a.pid} prometheus" in e.value.message and f"{b.pid} otelcol-contrib" in e.value.message
    assert "--pid PID" in e.value.hint


def test_auto_without_agents_is_a_usage_error(spawn: Spawn, monkeypatch: pytest.MonkeyPatch) -> None:
    p = spawn(AGENT_ENV)  # a sleep is no agent
    monkeypatch.setattr(procfs, "pids", lambda: [p.pid])
    with pytest.raises(UsageError, match="found no agent process"):
        context_for_pid("auto", Context())


@pytest.mark.parametrize("spec", ["abc", "-3", "0"])
def test_a_pid_that_is_no_number_is_a_usage_error(spec: str) -> None:
    with pytest.raises(UsageError, match="--pid takes"):
        context_for_pid(spec, Context())


def test_a_pid_that_does_not_exist_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="no process 999999999"):
        context_for_pid("999999999", Context())


def test_another_users_agent_needs_privilege(spawn: Spawn) -> None:
    if os.getuid() != 0:
        pytest.skip("needs root to start a process as another user")
    p = spawn(AGENT_ENV)  # runs as root; the child below drops to nobody
    r, w = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the forked child
        os.close(r)
        try:
            os.setgid(65534)
            os.setuid(65534)
            try:
                context_for_pid(str(p.pid), Context())
                msg = "no error"
            except UsageError as e:
                msg = e.line()
            os.write(w, msg.encode())
        finally:
            os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        line = f.read()
    os.waitpid(child, 0)
    assert line.startswith(f"sigdoctor: error: not permitted to read the environment of process {p.pid}")
    assert "root" in line and "kubectl debug" in line and "--target=" in line
    assert "\n" not in line
