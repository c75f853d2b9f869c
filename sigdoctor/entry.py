"""Console-script entry point. Kept import-free so that `sigdoctor --version` costs a bare interpreter start.

Start-up and exit tricks live here and only here; each stays because `bench/startup.py --tricks` shows it in a
figure a user sees. Figures: CPU medians of 10 alternating runs, 2026-12-06, 2-vCPU machine (wall times there were
dominated by other work on the machine).
"""

from __future__ import annotations

import os
import sys
import time

# The run's --deadline counts from here, so start-up (imports) is inside it, as a user timing the command sees it.
STARTED = time.monotonic()


def main() -> int:
    if sys.argv[1:] == ["--version"]:
        # 21 ms here against 235 ms through typer (which imports click, rich and pydantic's adapters): 11x.
        return _version()
    if sys.argv[1:2] in (["run"], ["chain"]):
        import gc

        # A diagnosis is short (bounded by --deadline) and allocates mostly long-lived module, botocore and pydantic
        # data: the cyclic collector only costs time here (`run --offline` 437 ms with it off, 487 ms on; `chain
        # --offline` 401 / 451 ms). `decode` and `merge` keep it: they stream inputs of any size.
        gc.disable()
        # Probe threads mostly wait for answers while a few compute; a thread whose answer has arrived waits for
        # the GIL up to the switch interval at each step of a request (connect, handshake, send, read), and the
        # answers on the critical path (STS, then IAM) are such steps. 1 ms instead of Python's 5 ms: EKS pod world
        # 503 -> 481 ms, healthy world 517 -> 484 ms (20 alternating runs each, bench/run.py --only worlds, CPU
        # unchanged: 447 / 448 and 508 / 496 ms).
        sys.setswitchinterval(0.001)
    decoding = sys.argv[1:2] == ["decode"]
    if decoding:
        from sigdoctor import recache
        from sigdoctor.decode import early

        # The regexes compiled by the last runs, into re's cache before any module compiles one (recache.py).
        recache.load()
        # A large log's tail child starts now, not after the imports below (~0.13 s of CPU): decode/early.py.
        early.start(sys.argv[2:])
    from sigdoctor.cli import main as cli_main

    code = cli_main()
    if decoding:
        recache.save()
    _exit_now(code)
    return code  # pragma: no cover - _exit_now does not return


def _version() -> int:
    from sigdoctor import __version__

    try:
        print(f"sigdoctor {__version__}", flush=True)
    except OSError as exc:
        # The line still buffered must not fail a second time when the interpreter flushes at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        if isinstance(exc, BrokenPipeError):  # `| true`: nobody reads, nothing went wrong
            return 0
        print(f"sigdoctor: error: cannot write to stdout: {exc.strerror} (hint: free some space)", file=sys.stderr)
        return 2
    return 0


def _exit_now(code: int) -> None:
    """Exit without the interpreter's teardown (`run --offline` 437 ms against 535 ms with it, `chain --offline`
    401 / 491 ms): it frees botocore's models and a few hundred modules one by one, and joins probe threads that a
    deadline abandoned. os._exit skips every `finally` still
    pending in those threads and every atexit hook, so what they were for is done here: the command's output and
    the crash log are already written and flushed by cli.main (a write error there is reported, not lost); logging
    is shut down; children still running (a credential_process a deadline or Ctrl-C abandoned) are killed with their
    process group instead of being orphaned."""
    import contextlib

    if "logging" in sys.modules:
        sys.modules["logging"].shutdown()
    _kill_children()
    for stream in (sys.stdout, sys.stderr):
        # Already flushed by cli.main; a reader that went away since (`| head`) leaves nothing to save.
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def _kill_children() -> None:
    import signal

    if not _any_child_running():
        return
    for pid in _children():
        try:
            # credential_process runs in a session of its own (start_new_session): its group is its pid, and a
            # shell script's own children are in it too.
            if os.getpgid(pid) == pid:
                os.killpg(pid, signal.SIGKILL)
            else:
                os.kill(pid, signal.SIGKILL)
        except OSError:
            continue  # already gone


def _any_child_running() -> bool:
    """Cheap (one system call in the usual case of none), so that the /proc scan below runs only when needed.
    Children that already exited are reaped on the way."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return False
        if pid == 0:
            return True


def _children() -> list[int]:
    """This process's live children, from /proc: each process's stat names its parent. (The kernel's per-thread
    `children` lists would be cheaper but are often compiled out, as on this project's CI kernel.)"""
    me, pids = os.getpid(), list[int]()
    try:
        entries = os.listdir("/proc")
    except OSError:
        return pids
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may contain spaces and parentheses, so split after the last ")".
        fields = stat[stat.rfind(b")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == me:
            pids.append(int(name))
    return pids
