"""Run independent, blocking network steps side by side and collect whatever finished within a budget.

Not a ThreadPoolExecutor: its worker threads are joined at interpreter exit, so a `getaddrinfo` stuck on a silent
resolver (it takes no timeout) would hold sigdoctor open after the report is done. Daemon threads are abandoned.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

T = TypeVar("T")


def run_all(
    tasks: Sequence[tuple[str, Callable[[], T]]], budget_s: float, max_workers: int = 8
) -> dict[str, T | BaseException | None]:
    """Each task's result (or the exception it raised) by key; None for a task that had not finished in time."""
    return run_until(tasks, budget_s, max_workers)[0]


def run_until(
    tasks: Sequence[tuple[str, Callable[[], T]]],
    budget_s: float,
    max_workers: int = 8,
    settled: Callable[[Mapping[str, T | BaseException | None]], bool] | None = None,
) -> tuple[dict[str, T | BaseException | None], bool]:
    """Like run_all, but stop waiting as soon as `settled(results so far)` is true: (results, settled early).

    Tasks still running then are abandoned (daemon threads); whatever they return later is not looked at.
    """
    results: dict[str, T | BaseException | None] = {key: None for key, _ in tasks}
    done = threading.Condition()
    finished = 0
    gate = threading.BoundedSemaphore(max(1, max_workers))

    def work(key: str, fn: Callable[[], T]) -> None:
        nonlocal finished
        out: T | BaseException
        with gate:
            try:
                out = fn()
            except Exception as exc:  # a crashed lookup is one failed source, not a crashed probe
                out = exc
        with done:
            results[key] = out
            finished += 1
            done.notify_all()

    for key, fn in tasks:
        threading.Thread(target=work, args=(key, fn), name=f"timecheck-{key}", daemon=True).start()
    end = time.monotonic() + max(0.0, budget_s)
    with done:
        while finished < len(tasks):
            if settled is not None and settled(results):
                return dict(results), True
            left = end - time.monotonic()
            if left <= 0:
                break
            done.wait(left)
        return dict(results), False
