"""sigdoctor.boundedio and the credential_process scrubber, on the inputs that used to hang or fill memory."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import botocore.session
import pytest

from sigdoctor import boundedio
from sigdoctor.creds import process


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "token"
    os.mkfifo(fifo)
    with pytest.raises(boundedio.ReadRefused, match="FIFO"):
        boundedio.read_text(fifo, boundedio.TOKEN_LIMIT)


def test_devices_and_huge_files_are_refused_by_size_or_kind(tmp_path: Path) -> None:
    with pytest.raises(boundedio.ReadRefused, match="character device"):
        boundedio.read_bytes("/dev/zero", boundedio.CONFIG_LIMIT)
    big = tmp_path / "config"
    with big.open("wb") as fh:
        fh.truncate(5 * 1024**3)  # sparse: no disk used
    with pytest.raises(boundedio.ReadRefused, match=r"5\.0 GiB, more than the 1\.0 MiB"):
        boundedio.read_bytes(big, boundedio.CONFIG_LIMIT)


def test_proc_files_of_unknown_size_are_read_up_to_the_limit() -> None:
    assert boundedio.read_text("/proc/self/status", boundedio.SMALL_LIMIT).startswith("Name:")


def test_botocore_sessions_skip_a_config_file_they_would_parse_for_minutes(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "config"
    with big.open("wb") as fh:
        fh.truncate(3 * 1024**3)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(big))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    boundedio.bound_botocore_config()
    assert botocore.session.Session().full_config.get("profiles") == {}


def test_a_helper_trace_never_reaches_the_report() -> None:
    script = "set -x; SECRET=Zq81vB0x7Tk2Lm9Np4Rs6Uw3Yc5Ad8Ef; echo \"login failed for $SECRET\" >&2; exit 1"
    p = subprocess.Popen(["sh", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True)
    out, err = process.communicate(p, 5.0)
    shown = err.decode()
    assert "Zq81vB0x7Tk2Lm9Np4Rs6Uw3Yc5Ad8Ef" not in shown
    assert "login failed for ‹redacted›" in shown and "shell trace line(s) not shown" in shown
    assert p.returncode == 1 and out == b""


def test_a_helper_that_hangs_is_killed_with_its_children() -> None:
    p = subprocess.Popen(["sh", "-c", "sleep 60 & sleep 60"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True)
    with pytest.raises(process.ProcessTimeout, match=r"did not finish within 0\.5s"):
        process.communicate(p, 0.5)
    for _ in range(40):  # SIGKILL is delivered asynchronously: give the orphan its moment to die
        if not _live_members(p.pid):
            break
        time.sleep(0.05)
    assert _live_members(p.pid) == [], "a process of the helper's group is still running"


def _live_members(pgid: int) -> list[int]:
    """Processes of group `pgid` that are not zombies (a killed orphan stays a zombie until init reaps it)."""
    live = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{name}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            live.append(int(name))
    return live


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_chrony_config_that_is_a_pipe_or_a_device_is_named_not_read(tmp_path: Path, kind: str) -> None:
    from sigdoctor.context import Context
    from sigdoctor.probes.clock import _daemon_finding
    from sigdoctor.timecheck import daemon

    (tmp_path / "etc").mkdir()
    conf = tmp_path / "etc" / "chrony.conf"
    if kind == "fifo":
        os.mkfifo(conf)  # opening it for reading would wait for a writer forever
    else:
        conf.symlink_to("/dev/zero")  # reading it never ends
    info = daemon.detect(Context(env={}, root=tmp_path))
    what = "a FIFO (named pipe)" if kind == "fifo" else "a character device"
    assert info.unreadable == [f"/etc/chrony.conf is {what}, not a regular file: not read"]
    assert info.chrony_uses_time_sync is None and "chrony" in info.configured
    assert f"/etc/chrony.conf is {what}" in _daemon_finding(info).message


@pytest.mark.parametrize("name", ["resolv.conf", "hosts", "nsswitch.conf"])
def test_resolver_files_that_are_pipes_are_named_not_read(tmp_path: Path, name: str) -> None:
    from sigdoctor.netdns import resolvconf

    path = tmp_path / name
    os.mkfifo(path)
    problems: list[str] = []
    reader = {"resolv.conf": lambda: resolvconf.read_resolv_conf(path, problems=problems).nameservers,
              "hosts": lambda: resolvconf.read_hosts(path, problems),
              "nsswitch.conf": lambda: resolvconf.nsswitch_hosts(path, problems)}[name]
    assert reader() in ([], None)
    assert problems == [f"{path} is a FIFO (named pipe), not a regular file: not read"]


def test_a_hosts_file_past_the_limit_is_refused(tmp_path: Path) -> None:
    from sigdoctor.netdns import resolvconf

    hosts = tmp_path / "hosts"
    with hosts.open("wb") as fh:
        fh.truncate(resolvconf.HOSTS_LIMIT + 1)
    problems: list[str] = []
    assert resolvconf.read_hosts(hosts, problems) == []
    assert problems and "more than the 16.0 MiB sigdoctor reads" in problems[0]


def test_an_if_inet6_that_never_ends_means_no_ipv6(tmp_path: Path) -> None:
    from sigdoctor.context import Context
    from sigdoctor.timecheck import ntp

    (tmp_path / "proc" / "net").mkdir(parents=True)
    (tmp_path / "proc" / "net" / "if_inet6").symlink_to("/dev/zero")
    assert ntp.ipv6_applies(Context(env={}, root=tmp_path)) is False
    real = tmp_path / "proc" / "net" / "if_inet6"
    real.unlink()
    real.write_text("fd00000000000000000000000000abcd 02 40 00 80 eth0\n")
    assert ntp.ipv6_applies(Context(env={}, root=tmp_path)) is True
