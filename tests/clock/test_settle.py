"""When the clock question is settled (a trusted NTP source and AWS's Date agree), what is not waited for, and how an
NTP exchange through ntplib ends: answered, silent, stale. Events, not sleeps, decide what "had not finished" means."""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Iterator

import pytest

from sigdoctor.timecheck import ntp
from sigdoctor.timecheck.parallel import run_until
from sigdoctor.timecheck.sample import Sample
from sigdoctor.timecheck.verdict import settling_pair, trusted
from tests.fakes.ntp import NtpResponder


def answer(server: str, offset: float, stratum: int = 2) -> Sample:
    return Sample("ntp", server, offset_s=offset, rtt_ms=1.0, stratum=stratum)


def date(offset: float) -> Sample:
    return Sample("http-date", "sts.us-east-1.amazonaws.com", offset_s=offset, rtt_ms=20.0)


# ---- what settles -------------------------------------------------------------------------------------------------
def test_time_sync_is_trusted_at_any_stratum_other_servers_only_near_a_reference() -> None:
    assert trusted(answer("169.254.169.123", 0.0, stratum=4))
    assert trusted(answer("time.aws.com", 0.0, stratum=3))
    assert not trusted(answer("pool.ntp.org", 0.0, stratum=5))
    assert not trusted(Sample("ntp", "169.254.169.123", error="timeout after 1.0 s"))


def test_agreeing_trusted_ntp_and_aws_date_settle() -> None:
    time_sync, sts = answer("169.254.169.123", 0.1), date(0.9)
    assert settling_pair([time_sync, sts]) == (time_sync, sts)


@pytest.mark.parametrize("samples", [
    [answer("169.254.169.123", 0.0)],                           # no AWS Date yet
    [date(0.0)],                                                # no NTP yet
    [answer("169.254.169.123", 0.0), date(95.0)],               # they disagree: the survey decides
    [answer("pool.ntp.org", 0.0, stratum=6), date(0.0)],        # a far-from-reference server
])
def test_what_does_not_settle(samples: list[Sample]) -> None:
    assert settling_pair(samples) is None


# ---- waiting: until settled, all done, or the budget --------------------------------------------------------------
@pytest.fixture
def gate() -> Iterator[threading.Event]:
    ev = threading.Event()
    yield ev
    ev.set()  # release the abandoned tasks


def test_settled_stops_the_wait_and_leaves_the_rest_unfinished(gate: threading.Event) -> None:
    tasks = [("fast", lambda: 1), ("slow", lambda: 2 if gate.wait(30) else 0)]
    results, settled = run_until(tasks, 30.0, settled=lambda partial: partial["fast"] == 1)
    assert settled and results == {"fast": 1, "slow": None}


def test_a_task_that_never_ends_is_abandoned_at_the_budget(gate: threading.Event) -> None:
    results, settled = run_until([("stuck", lambda: gate.wait(30))], 0.2, settled=lambda _: False)
    assert (results, settled) == ({"stuck": None}, False)


def test_without_settling_everything_finished_is_returned() -> None:
    results, settled = run_until([("a", lambda: 1), ("b", lambda: 2)], 30.0, settled=lambda _: False)
    assert (results, settled) == ({"a": 1, "b": 2}, False)


# ---- one NTP exchange through ntplib ------------------------------------------------------------------------------
def test_an_answer_measures_the_judged_clock_not_time_time() -> None:
    with NtpResponder(offset=0.0) as server:
        s = ntp.query(ntp.parse_server(server.server), 1.0, lambda: time.time() + 120.0)
    assert s.error is None and s.stratum == 3
    assert s.offset_s == pytest.approx(-120.0, abs=0.5)


def test_a_silent_server_is_a_timeout_of_the_given_length() -> None:
    with NtpResponder(mode="silent") as server:
        s = ntp.query(ntp.parse_server(server.server), 0.2, time.time)
    assert (s.offset_s, s.error) == (None, "timeout after 0.2 s")


def test_an_answer_that_does_not_echo_our_request_is_refused() -> None:
    # A stale answer: well-formed, from the right address, but its originate timestamp is not what we sent.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

        def serve() -> None:
            _, peer = sock.recvfrom(512)
            stale = struct.pack("!II", 3_900_000_000, 0)
            head = struct.pack("!BBbb", (0 << 6) | (4 << 3) | 4, 2, 4, -20) + b"\0" * 8 + b"AMZN"
            sock.sendto(head + stale + stale + stale + stale, peer)

        t = threading.Thread(target=serve, daemon=True)
        t.start()
        s = ntp.query(ntp.Server("127.0.0.1", port), 1.0, time.time)
        t.join(5)
    assert s.offset_s is None and s.error == "the answer does not echo our request (stale or forged)"


@pytest.mark.parametrize(("mode", "error"), [("kod", "kiss-of-death RATE (refused to serve)"),
                                             ("unsync", "server is not synchronised (leap indicator 3)")])
def test_servers_that_refuse_or_admit_no_time(mode: str, error: str) -> None:
    with NtpResponder(mode=mode) as server:
        s = ntp.query(ntp.parse_server(server.server), 1.0, time.time)
    assert (s.offset_s, s.error) == (None, error)
