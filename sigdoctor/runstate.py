"""What probes learn that other probes need: one typed field per fact, each written by one probe.

A `Slot` is written once by its producer (the probe named in it) and read with `wait()`: a reader either waits for
the value (bounded by its own budget) or, when the producer has already finished, gets it at once. The runner closes
every slot of a probe that ends — finished, crashed, cut by the deadline, deselected — so `wait()` never outlives
the producer and a reader never sees a value half-way: it sees the value, or that none is coming.

Who reads what, and whether it waits (docs/dev/contracts.md has the table):
* `chain` (credentials → identity, permissions, signature, the STS/IAM clients): identity waits for it, not for the
  whole credentials probe — the survey of the sources that did not win (IMDS, container endpoint) finishes beside it.
* `credential_endpoints` (credentials → dns, connectivity), `expiries` (credentials → clock), `addresses` (dns →
  connectivity), `dead_endpoints` (connectivity → signature): the network probes start at t = 0 and wait only for
  the part of another probe's work they need, bounded by their own budget.
* `identity` (identity → permissions, signature, credentials): permissions and signature run after identity, so the
  value is there when they read; the credentials probe waits for it only while a silent IMDS is all its survey still
  waits for — once STS accepted a winner that comes before IMDS, IMDS is not needed (creds/survey.py).
* `agent_sdk_model`, `agent_sdk_versions`, `agent_settings` (agent → credentials): the agent probe runs first.
* `aws_calls`, `http_dates`: append-only records every AWS call adds to; nothing reads them while probes run (the
  report's tests and the allow-list check read them after the run). The clock probe runs beside the probes that
  write `http_dates` and therefore measures its own Dates instead of reading theirs.
"""

from __future__ import annotations

import threading
from typing import Any, Generic, TypeVar

from sigdoctor.records import datarecord

T = TypeVar("T")


class SlotError(RuntimeError):
    """A probe wrote a slot twice, or a slot it does not produce: a bug in the registry or a probe."""


class Slot(Generic[T]):
    """One value, written once by `producer`; readers wait for it or for the producer's end.

    Outside a run (a probe called on its own, as tests and tools do) nothing else is running, so nothing can arrive
    later: `wait()` and `get()` answer at once with what is there."""

    def __init__(self, name: str, producer: str, running: threading.Event | None = None) -> None:
        self.name = name
        self.producer = producer
        self._running = running or threading.Event()
        self._value: T | None = None
        self._has_value = False
        self._done = threading.Event()
        self._lock = threading.Lock()

    def set(self, value: T) -> None:
        with self._lock:
            if self._has_value:
                raise SlotError(f"{self.name} written twice (by {self.producer})")
            if self._done.is_set():
                # The runner already closed it (the producer was cut off): a late write must not change an answer
                # a reader has already acted on.
                return
            self._value, self._has_value = value, True
            self._done.set()

    def close(self) -> None:
        """The producer ended: readers stop waiting (with the value if it was written, else None)."""
        with self._lock:
            self._done.set()

    def wait(self, timeout: float | None = None) -> T | None:
        """The value once written; None when the producer ended without one or `timeout` passed first."""
        if self._running.is_set():
            self._done.wait(timeout)
        with self._lock:
            return self._value if self._has_value else None

    def get(self) -> T | None:
        """The value, for a reader that runs after the producer (or has waited for it already). Reading a slot
        whose producer is still running would race it: that is a bug in the registry's order, raised as such."""
        if self._running.is_set() and not self._done.is_set():
            raise SlotError(f"{self.name} read before {self.producer} settled it (wait for it, or run after it)")
        return self.wait(0)

    @property
    def settled(self) -> bool:
        """Written, or its producer has ended (a `wait()` now returns at once)."""
        return self._done.is_set()


class Record(Generic[T]):
    """An append-only, thread-safe record: many writers, read after the run (`entries()` is a snapshot)."""

    def __init__(self) -> None:
        self._items: list[T] = []
        self._lock = threading.Lock()

    def add(self, item: T) -> None:
        with self._lock:
            self._items.append(item)

    def entries(self) -> list[T]:
        with self._lock:
            return list(self._items)


@datarecord(frozen=True)
class ChainAnswer:
    """What botocore's credential chain settled on, as soon as it has (before the rest of the survey ends)."""

    winner: str | None
    # The winner's credentials, only when fetching them worked (a deferred source botocore picked but could not
    # fetch, e.g. an unreadable web identity token, would only fail again in later probes).
    credentials: Any
    # The session the chain was resolved in (configured from the diagnosed environment); later clients use it.
    session: Any


@datarecord(frozen=True)
class IdentityAnswer:
    """Who STS says the credentials are."""

    # The caller as the identity probe reports it (arn, account, ..., and `assumed` for --role-arn).
    caller: dict[str, Any]
    # The principal later probes act as: the assumed role's session when --role-arn worked, else the caller.
    effective: dict[str, Any] | None
    # The credentials later probes sign with (the assumed role's when --role-arn worked); None when STS rejected.
    credentials: Any


# (service, operation, endpoint) of every AWS call; (url, Date header, t_sent, t_received) of every AWS answer.
AwsCall = tuple[str, str, str]
HttpDate = tuple[str, str, float, float]


class RunState:
    """The run's typed fields (see the module docstring for who writes and who reads each)."""

    def __init__(self) -> None:
        self._running = threading.Event()
        run = self._running
        self.agent_sdk_model: Slot[str] = Slot("agent_sdk_model", "agent", run)
        # Go module path → version of the AWS SDK for Go modules linked into the agent's binary (its build info).
        self.agent_sdk_versions: Slot[dict[str, str]] = Slot("agent_sdk_versions", "agent", run)
        self.agent_settings: Slot[dict[str, Any]] = Slot("agent_settings", "agent", run)
        self.chain: Slot[ChainAnswer] = Slot("chain", "credentials", run)
        # (purpose, url) of the credential endpoints the chain contacted and got nothing usable from or won with
        # (IMDS, container): the network probes check them after the endpoints they know from the start.
        self.credential_endpoints: Slot[list[tuple[str, str]]] = Slot("credential_endpoints", "credentials", run)
        # "host:port" → (state, error) of those the credentials probe's own TCP connect found silent: written just
        # before `credential_endpoints`, so connectivity reports that connect instead of repeating it.
        self.silent_endpoints: Slot[dict[str, tuple[str, str]]] = Slot("silent_endpoints", "credentials", run)
        # (what, expiry) the credentials probe saw: the winner's expiry, a web identity token's `exp`.
        self.expiries: Slot[list[tuple[str, object]]] = Slot("expiries", "credentials", run)
        # host → the addresses the dns probe found for the names known at t = 0 (an empty list: none; its verdict).
        self.addresses: Slot[dict[str, list[str]]] = Slot("addresses", "dns", run)
        self.identity: Slot[IdentityAnswer] = Slot("identity", "identity", run)
        # "host:port" → why connectivity found that AWS endpoint dead (no TCP, no TLS, unresolved); written once
        # the endpoints known at the start are checked, so a later probe does not wait out the same silence.
        self.dead_endpoints: Slot[dict[str, str]] = Slot("dead_endpoints", "connectivity", run)
        self.aws_calls: Record[AwsCall] = Record()
        self.http_dates: Record[HttpDate] = Record()

    def slots(self) -> list[Slot[Any]]:
        return [v for v in vars(self).values() if isinstance(v, Slot)]

    def begin(self, probe_ids: set[str]) -> None:
        """A run of `probe_ids` starts: readers now wait for producers; slots no probe of the run writes are
        closed at once."""
        self._running.set()
        for slot in self.slots():
            if slot.producer not in probe_ids:
                slot.close()

    def producer_ended(self, probe_id: str) -> None:
        """Called by the runner when `probe_id` ends in any way: its slots stop being waited for."""
        for slot in self.slots():
            if slot.producer == probe_id:
                slot.close()

    def close_all(self) -> None:
        for slot in self.slots():
            slot.close()
