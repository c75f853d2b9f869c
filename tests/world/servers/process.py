"""Any program as a fake: started inside the world before the command, stopped (SIGTERM, then SIGKILL) after it.

Spec: `argv`, optional `env` (added to a clean PATH/LANG/PYTHONPATH=repo env), and `ready`: "HOST:PORT" to wait
(up to `ready_timeout` seconds) until the program accepts TCP there. Its output goes to process-NAME.log.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.world.servers.base import Running, ServerContext

REPO_ROOT = Path(__file__).resolve().parents[3]


class _Process(Running):
    def __init__(self, spec: dict[str, Any], ctx: ServerContext) -> None:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "PYTHONPATH": str(REPO_ROOT),
               **spec.get("env", {})}
        self.log = ctx.world_dir / f"process-{spec.get('name', 'fake')}.log"
        with self.log.open("wb") as logf:
            self.p = subprocess.Popen(spec["argv"], env=env, cwd=str(ctx.world_dir), stdin=subprocess.DEVNULL,
                                      stdout=logf, stderr=subprocess.STDOUT, start_new_session=True)
        ready = spec.get("ready")
        if ready:
            self._wait_tcp(ready, float(spec.get("ready_timeout", 15)))

    def _wait_tcp(self, ready: str, timeout: float) -> None:
        host, port = ready.rsplit(":", 1)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.p.poll() is not None:
                raise RuntimeError(f"fake process exited early (rc={self.p.returncode}): {self.log.read_text()[-2000:]}")
            try:
                socket.create_connection((host.strip("[]"), int(port)), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"fake process not listening on {host}:{port} after {timeout}s")

    def stop(self) -> None:
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait(timeout=5)

    def report(self) -> dict[str, Any]:
        return {"rc": self.p.returncode, "log": str(self.log)}


def start(spec: dict[str, Any], ctx: ServerContext) -> Running:
    return _Process(spec, ctx)
