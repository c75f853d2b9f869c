"""Just enough of the DNS wire protocol for the dns probe: one standard query out, over UDP then TCP when the answer
is truncated, and the header and answer section back (RFC 1035). Standard library only: dnspython cost ~60 ms of
imports (and 4x the CPU per query) for the handful of A/AAAA queries a run makes.

Names come back as dnspython's `to_text(omit_final_dot=True)` writes them (the same escapes), so what the probe
shows — CNAME targets, owner names — does not depend on which client parsed the answer.
"""

from __future__ import annotations

import os
import socket
import struct
import time
from typing import NamedTuple

RDTYPES = {"A": 1, "CNAME": 5, "AAAA": 28}
A, CNAME, AAAA = 1, 5, 28
CLASS_IN = 1
NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED = 0, 1, 2, 3, 4, 5
RCODE_NAMES = ("NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET",
               "NOTAUTH", "NOTZONE", "DSOTYPENI")

_QR, _TC, _RD = 0x8000, 0x0200, 0x0100
_HEADER = struct.Struct("!HHHHHH")
_RR_FIXED = struct.Struct("!HHIH")
# dnspython escapes these with a backslash in presentation format; bytes outside 0x21..0x7e become \DDD.
_SPECIAL = b'"().;\\@$'
_ORDINARY = bytes(c for c in range(0x21, 0x7F) if c not in _SPECIAL)
_MAX_NAME = 255  # octets on the wire, root label included


class WireError(Exception):
    """A name that cannot be put in a query, or a response that cannot be read."""


class Record(NamedTuple):
    owner: str
    rdtype: int
    rdclass: int
    ttl: int
    # The address for A/AAAA, the target for CNAME, "" for any other type.
    data: str


class Response(NamedTuple):
    id: int
    flags: int
    rcode: int
    question: tuple[str, int, int] | None
    answer: list[Record]

    @property
    def truncated(self) -> bool:
        return bool(self.flags & _TC)


def rcode_text(rcode: int) -> str:
    return RCODE_NAMES[rcode] if rcode < len(RCODE_NAMES) else str(rcode)


def encode_name(name: str) -> bytes:
    """`name` (dots between labels, an optional final dot) in wire form; non-ASCII labels IDNA-encoded."""
    text = name[:-1] if name.endswith(".") else name
    if not text:
        return b"\x00"
    out = bytearray()
    for label in text.split("."):
        if not label:
            raise WireError(f"invalid name {name!r}: empty label")
        try:
            raw = label.encode("ascii") if label.isascii() else label.encode("idna")
        except UnicodeError as exc:
            raise WireError(f"invalid name {name!r}: {exc}") from None
        if len(raw) > 63:
            raise WireError(f"invalid name {name!r}: a label is longer than 63 octets")
        out.append(len(raw))
        out += raw
    out.append(0)
    if len(out) > _MAX_NAME:
        raise WireError(f"invalid name {name!r}: longer than 253 characters")
    return bytes(out)


def make_query(name: str, rdtype: str) -> tuple[int, bytes]:
    """(id, message): a recursive query for `name`, no EDNS (the answers asked for fit in 512 bytes or go TCP)."""
    try:
        qtype = RDTYPES[rdtype.upper()]
    except KeyError:
        raise WireError(f"unsupported record type {rdtype!r}") from None
    # Unpredictable, so an off-path spoofer must guess it; os.urandom is what `secrets` reads, minus its imports.
    qid = int.from_bytes(os.urandom(2), "big")
    return qid, _HEADER.pack(qid, _RD, 1, 0, 0, 0) + encode_name(name) + struct.pack("!HH", qtype, CLASS_IN)


def _label_text(label: bytes) -> str:
    if not label.translate(None, _ORDINARY):  # nothing to escape: the common case
        return label.decode("ascii")
    return "".join(("\\" + chr(c)) if c in _SPECIAL else chr(c) if 0x20 < c < 0x7F else f"\\{c:03d}"
                   for c in label)


def read_name(wire: bytes, offset: int) -> tuple[str, int]:
    """(name as text without the final dot, offset after the name where it sits) — compression followed.

    Every pointer must go strictly backwards from the previous one (dnspython's rule), so no loop can form.
    """
    labels: list[str] = []
    size = 1
    end = -1
    limit = offset  # a pointer must land before this
    pos = offset
    n = len(wire)
    while True:
        if pos >= n:
            raise WireError(f"name at offset {offset} runs past the end of the message")
        length = wire[pos]
        if length == 0:
            pos += 1
            break
        kind = length & 0xC0
        if kind == 0xC0:
            if pos + 1 >= n:
                raise WireError(f"name at offset {offset} runs past the end of the message")
            target = ((length & 0x3F) << 8) | wire[pos + 1]
            if end < 0:
                end = pos + 2
            if target >= limit:
                raise WireError(f"compression pointer at offset {pos} does not point backwards (loop)")
            limit = pos = target
            continue
        if kind:
            raise WireError(f"unknown label type {kind:#x} at offset {pos}")
        if pos + 1 + length > n:
            raise WireError(f"name at offset {offset} runs past the end of the message")
        size += length + 1
        if size > _MAX_NAME:
            raise WireError(f"name at offset {offset} is longer than 255 octets")
        labels.append(_label_text(wire[pos + 1:pos + 1 + length]))
        pos += 1 + length
    return (".".join(labels) if labels else "."), (end if end >= 0 else pos)


def read_header(wire: bytes) -> tuple[int, int, int, int, int, int]:
    if len(wire) < _HEADER.size:
        raise WireError(f"message of {len(wire)} bytes is shorter than a DNS header")
    return _HEADER.unpack_from(wire)


def read_question(wire: bytes) -> tuple[int, int, int, tuple[str, int, int] | None, int]:
    """(id, flags, question count, first question or None, offset of the answer section)."""
    qid, flags, qdcount, _, _, _ = read_header(wire)
    pos = _HEADER.size
    first = None
    for _ in range(qdcount):
        qname, pos = read_name(wire, pos)
        if pos + 4 > len(wire):
            raise WireError("question section runs past the end of the message")
        qtype, qclass = struct.unpack_from("!HH", wire, pos)
        pos += 4
        if first is None:
            first = (qname, qtype, qclass)
    return qid, flags, qdcount, first, pos


def parse(wire: bytes) -> Response:
    """Header, question and answer section; the authority and additional sections are not read."""
    qid, flags, _, question, pos = read_question(wire)
    ancount = _HEADER.unpack_from(wire)[3]
    answer: list[Record] = []
    n = len(wire)
    for _ in range(ancount):
        owner, pos = read_name(wire, pos)
        if pos + _RR_FIXED.size > n:
            raise WireError("answer record runs past the end of the message")
        rdtype, rdclass, ttl, rdlength = _RR_FIXED.unpack_from(wire, pos)
        pos += _RR_FIXED.size
        end = pos + rdlength
        if end > n:
            raise WireError("answer record data runs past the end of the message")
        data = ""
        if rdtype in (A, AAAA):
            want = 4 if rdtype == A else 16
            if rdlength != want:
                raise WireError(f"{'A' if rdtype == A else 'AAAA'} record of {rdlength} bytes, not {want}")
            data = socket.inet_ntop(socket.AF_INET if rdtype == A else socket.AF_INET6, wire[pos:end])
        elif rdtype == CNAME:
            data, after = read_name(wire, pos)
            if after != end:
                raise WireError(f"CNAME record of {rdlength} bytes holds a name of {after - pos}")
        answer.append(Record(owner, rdtype, rdclass, ttl, data))
        pos = end
    return Response(qid, flags, flags & 0x000F, question, answer)


def _answers(query: bytes, wire: bytes) -> bool:
    """Is `wire` a response to `query` (id, QR, opcode, question) — dnspython's Message.is_response."""
    try:
        qid, flags, qdcount, question, _ = read_question(wire)
    except WireError:
        return False
    ours = read_question(query)
    if not flags & _QR or qid != ours[0] or (flags & 0x7800) != (ours[1] & 0x7800):
        return False
    if question is None:
        # Error answers and truncated ones may come without the question.
        return bool(flags & _TC) or (flags & 0xF) in (FORMERR, SERVFAIL, NOTIMP, REFUSED)
    mine = ours[3]
    # Names are ASCII text here (other bytes are escaped), and DNS compares them case-insensitively.
    return (qdcount == 1 and mine is not None and question[0].lower() == mine[0].lower()
            and question[1:] == mine[1:])


def _family(nameserver: str) -> socket.AddressFamily:
    family = socket.AF_INET6 if ":" in nameserver else socket.AF_INET
    try:
        socket.inet_pton(family, nameserver.split("%", 1)[0])
    except OSError:
        raise WireError(f"nameserver {nameserver!r} is not an IP address") from None
    return family


def _same_host(family: socket.AddressFamily, a: str, b: str) -> bool:
    return socket.inet_pton(family, a.split("%", 1)[0]) == socket.inet_pton(family, b.split("%", 1)[0])


def _udp(query: bytes, nameserver: str, port: int, family: socket.AddressFamily, deadline: float) -> bytes:
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        # Not connected: like dnspython, an ICMP port-unreachable is not reported, the query just times out.
        sock.sendto(query, (nameserver, port))
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer")
            sock.settimeout(left)
            wire, source = sock.recvfrom(65535)
            # Datagrams from elsewhere, or for another query (a late answer, a spoof), are not the answer: wait on.
            if source[1] == port and _same_host(family, source[0], nameserver) and _answers(query, wire):
                return wire


def _recv_exactly(sock: socket.socket, size: int, deadline: float) -> bytes:
    buf = bytearray()
    while len(buf) < size:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no answer")
        sock.settimeout(left)
        chunk = sock.recv(size - len(buf))
        if not chunk:
            raise WireError(f"the nameserver closed the TCP connection after {len(buf)} of {size} bytes")
        buf += chunk
    return bytes(buf)


def _tcp(query: bytes, nameserver: str, port: int, family: socket.AddressFamily, deadline: float) -> bytes:
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no answer")
        sock.settimeout(left)
        sock.connect((nameserver, port))
        sock.sendall(struct.pack("!H", len(query)) + query)
        (size,) = struct.unpack("!H", _recv_exactly(sock, 2, deadline))
        wire = _recv_exactly(sock, size, deadline)
    if not _answers(query, wire):
        raise WireError("the TCP answer does not answer the query (id or question differ)")
    return wire


def exchange(query: bytes, nameserver: str, port: int, timeout: float) -> tuple[Response, bool]:
    """(response, over TCP) for `query` sent to nameserver:port; `timeout` bounds UDP and TCP together.

    Raises TimeoutError when no answer came in time, OSError when the network refuses (no route, connection
    refused over TCP), WireError for an unusable nameserver address or a malformed answer.
    """
    family = _family(nameserver)
    deadline = time.monotonic() + timeout
    wire = _udp(query, nameserver, port, family, deadline)
    tcp = bool(wire[2] & (_TC >> 8))
    if tcp:
        wire = _tcp(query, nameserver, port, family, deadline)
    try:
        return parse(wire), tcp
    except WireError as exc:
        raise WireError(f"malformed answer: {exc}") from None
