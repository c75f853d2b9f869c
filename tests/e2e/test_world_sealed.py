"""The world is sealed: nothing a test runs inside it can reach the real network."""

from __future__ import annotations

import sys

from tests.world import World

PROBE = r"""
import errno, socket, sys
try:
    socket.create_connection(("1.1.1.1", 53), timeout=5)
except OSError as e:
    print("errno", e.errno)
    sys.exit(0 if e.errno == errno.ENETUNREACH else 3)
print("connected")
sys.exit(4)
"""


def test_no_route_off_the_machine(world: World) -> None:
    r = world.run_cmd([sys.executable, "-c", PROBE], timeout=30)
    # ENETUNREACH is the kernel refusing at once: there is no route, so nothing was sent or waited for.
    assert r.rc == 0, r.describe()


def test_real_names_do_not_resolve(world: World) -> None:
    r = world.run_cmd([sys.executable, "-c", "import socket; socket.getaddrinfo('amazon.com', 443)"], timeout=30)
    assert r.rc != 0 and "gaierror" in r.stderr, r.describe()
    assert {"name": "amazon.com", "type": "A"} in r.servers["dns"][0]["queries"]
