"""Context: everything a probe may look at — the environment it diagnoses, files, options, time and deadline.

Probes never read `os.environ` or open absolute paths directly: they go through `ctx.env` and `ctx.path()`, so that
diagnosing another process (`--pid`, whose environment and root differ from ours) needs no change in any probe.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sigdoctor.records import datarecord
from sigdoctor.redact import Redactor
from sigdoctor.runstate import RunState

if TYPE_CHECKING:  # botocore is imported lazily: `--version` and `--help` must not pay for it
    import botocore.loaders
    import botocore.session

T = TypeVar("T")

# How long before the run's deadline a probe's network steps end, so the probe itself still says which step timed
# out (and returns what it found) before the runner cuts it off.
DEADLINE_MARGIN_S = 0.5


# The probe whose thread this is (set by the runner): steps a probe's own thread begins are that probe's.
_current = threading.local()


def set_current_probe(probe_id: str | None) -> None:
    _current.probe = probe_id


def current_probe() -> str | None:
    probe: str | None = getattr(_current, "probe", None)
    return probe


@datarecord(frozen=True)
class Step:
    """A step a probe has in flight: what it waits for, since when, and how long it may take at most."""

    owner: str
    text: str
    started: float  # monotonic
    limit_s: float | None = None


class Steps:
    """The steps each probe has in flight, so a probe cut by the deadline is reported with what it was waiting for
    ("STS AssumeRoleWithWebIdentity, waited 4.1 s") rather than only "timed out"."""

    def __init__(self) -> None:
        self._open: dict[int, Step] = {}
        self._next = 0
        self._lock = threading.Lock()

    def begin(self, step: Step) -> int:
        with self._lock:
            self._next += 1
            self._open[self._next] = step
            return self._next

    def end(self, token: int) -> None:
        with self._lock:
            self._open.pop(token, None)

    def in_flight(self, owner: str) -> Step | None:
        """The step `owner` began last and has not finished."""
        with self._lock:
            mine = [s for s in self._open.values() if s.owner == owner]
        return mine[-1] if mine else None


@datarecord(frozen=True)
class AgentProcess:
    """The process `--pid` diagnoses (its environment and root are the Context's `env` and `root`)."""

    pid: int
    name: str
    uid: int
    gid: int
    exe: str | None  # a path we can open for its executable
    cmdline: tuple[str, ...]
    root: str
    # HOME from its passwd entry when its environment has none (botocore and the Go SDKs fall back to it).
    home: str | None = None


@datarecord
class Context:
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    # Root of the filesystem as the diagnosed process sees it ("/" for ourselves, /proc/PID/root for --pid).
    root: Path = Path("/")
    region: str | None = None
    profile: str | None = None
    targets: list[str] = field(default_factory=list)
    role_arn: str | None = None
    service: str | None = None
    principal_arn: str | None = None
    vpc_endpoints: bool = False
    ntp_servers: list[str] = field(default_factory=list)
    offline: bool = False
    deadline_s: float = 20.0
    # Network steps use this unless they have a reason for a shorter one.
    net_timeout_s: float = 2.0
    verbose: bool = False
    redactor: Redactor = field(default_factory=Redactor)
    # Injected so tests and the clock probe can reason about "now" explicitly.
    now: Callable[[], float] = time.time
    monotonic: Callable[[], float] = time.monotonic
    started_monotonic: float = field(default_factory=time.monotonic)
    # Inputs naming the agent (set by the CLI before the run; probes only read them).
    agent_binary: str | None = None
    agent_config: str | None = None
    agent: AgentProcess | None = None
    # What probes learn for other probes: typed fields, each written by one probe (sigdoctor/runstate.py).
    state: RunState = field(default_factory=RunState)
    steps: Steps = field(default_factory=Steps, repr=False, compare=False)
    # Objects built once per run (`once`): derived from the inputs only, never from what a probe found.
    _memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    # Guards `once`: probes in parallel threads ask for the same expensive object at the same moment.
    _once_locks: dict[str, threading.Lock] = field(default_factory=dict, init=False, repr=False, compare=False)
    _once_guard: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    def remaining(self) -> float:
        """Seconds left before the whole-run deadline (never negative)."""
        return max(0.0, self.deadline_s - (self.monotonic() - self.started_monotonic))

    def timeout(self, preferred: float | None = None, margin: float = 0.0) -> float:
        """A network timeout that never outlives the deadline; with `margin`, it ends that much earlier, so the
        probe still has time to say which step timed out before the runner cuts it."""
        want = self.net_timeout_s if preferred is None else preferred
        return max(0.05, min(want, self.remaining() - margin))

    @contextmanager
    def step(self, text: str, limit_s: float | None = None, owner: str | None = None) -> Iterator[None]:
        """Mark a step in flight (a network call, a child process): if the run's deadline cuts the probe here, the
        report names it. `owner` defaults to the probe whose thread this is; worker threads pass it."""
        who = owner or current_probe()
        if who is None:
            yield
            return
        token = self.steps.begin(Step(who, text, self.monotonic(), limit_s))
        try:
            yield
        finally:
            self.steps.end(token)

    def path(self, p: str | os.PathLike[str]) -> Path:
        """Map a path as the diagnosed process names it to one we can open."""
        s = str(p)
        # "~" is the diagnosed process's HOME, never ours.
        pp = Path(self.home, s[2:]) if self.home and (s == "~" or s.startswith("~/")) else Path(s)
        if self.root == Path("/") or not pp.is_absolute():
            return pp
        return self.root / pp.relative_to("/")

    @property
    def home(self) -> str | None:
        return self.env.get("HOME") or None

    def once(self, key: str, make: Callable[[], T]) -> T:
        """The object `make()` builds, made once per run by the first probe that asks. Probes asking meanwhile from
        other threads wait for that one object rather than each building their own (the point is to pay for it once
        per run). `make` may depend on the run's inputs only, never on what another probe found: whichever probe
        asks first must get the same object."""
        with self._once_guard:
            if key in self._memo:
                return self._memo[key]  # type: ignore[no-any-return]
            lock = self._once_locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._memo:
                self._memo[key] = make()
            return self._memo[key]  # type: ignore[no-any-return]

    def botocore_loader(self, data_path: str | None = None) -> botocore.loaders.Loader:
        """One botocore data loader per run (and AWS_DATA_PATH). Every session sigdoctor creates gets it (see
        `share_loader`), so endpoints.json and each service model are read once per run instead of once per session
        (sigdoctor/botoloader.py)."""

        def make() -> botocore.loaders.Loader:
            from sigdoctor import botoloader

            return botoloader.create(data_path)

        return self.once(f"botocore_loader:{data_path or ''}", make)

    def share_loader(self, session: botocore.session.Session) -> botocore.session.Session:
        """Give `session` the run's loader for its own data_path (the session would build an identical one)."""
        try:
            data_path = session.get_config_variable("data_path")
        except Exception:  # a broken profile: the session keeps its own loader and fails where it always did
            return session
        session.register_component("data_loader", self.botocore_loader(data_path))
        return session

    def botocore_session(self, *, handlers: bool = True) -> botocore.session.Session:
        """A fresh botocore session for the diagnosed environment (never cached at import time): configured from
        `env` and the files it names (never from os.environ: with --pid they are the agent's), reading botocore's
        data through the run's shared loader.

        `handlers=False` for a session that only reads configuration or works out an endpoint and never sends:
        botocore's ~120 built-in event handlers (each one's signature inspected on registration) take 5 of a
        session's 5.2 ms, and none of them takes part in either."""
        from sigdoctor.creds import files
        from sigdoctor.creds.chain import build_session

        aws_files = self.once("aws_files", lambda: files.load(self))
        return self.share_loader(build_session(self, aws_files, handlers=handlers))
