"""The non-AWS server test (`backends.recognise`) asks each mark and name for a piece of text every match holds
before it runs the regex: it must recognise exactly what running every regex on the text recognises.

The reference below is the plain reading — every mark on the text and on the text with whitespace made single, every
name on the lines before it and the text, flattened. Texts: every corpus text and fixture (with the sentence before
an error as the lines before it), and the cases a piece test could get wrong: a name only in the lines before the
error, a mark cut by a wrap, and letters that IGNORECASE matches to ASCII ones whose lower case is another letter.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sigdoctor.awserrors.backends import Recognised, backends, host_res, mark_res, name_res, needed_piece, recognise
from sigdoctor.awserrors.parse import extract

TESTS = Path(__file__).resolve().parents[1]
TEXTS = sorted([*TESTS.glob("corpus/batch*/*.txt"), *(TESTS / "decode" / "inputs").iterdir()])


# backends.recognise's rule, restated: where the text shows the request went to an AWS endpoint, a product's name alone
# decides nothing (its hosts and marks still do).
_AWS_URL = re.compile(r"https?://(?:[\w-]+\.)+amazonaws\.com(?:\.cn)?\b", re.I)


def _plain(text: str, host: str | None, before: str = "") -> Recognised | None:
    flat = " ".join(text.split())
    around = " ".join(f"{before}\n{text}".split()) if before else flat
    names = not (host and re.search(r"(?:^|\.)amazonaws\.com(?:\.cn)?(?::\d+)?$", host, re.I)) and not _AWS_URL.search(text)
    for b in backends():
        if host and any(h.search(host) for h in host_res(b)):
            return Recognised(b.name, f"the endpoint {host}")
        for m in mark_res(b):
            found = m.search(text) or (m.search(flat) if flat != text else None)
            if found:
                return Recognised(b.name, f"'{found.group(0)[:60]}'")
        for n in name_res(b) if names else ():
            if found := n.search(around):
                return Recognised(b.name, f"the name '{found.group(0)[:60]}' in the text")
    return None


def test_most_marks_and_names_have_a_piece_and_every_piece_is_in_what_they_match() -> None:
    patterns = [p for b in backends() for p in (*mark_res(b), *name_res(b))]
    with_piece = [p for p in patterns if needed_piece(p)]
    assert len(with_piece) >= len(patterns) * 3 // 4
    assert needed_piece(re.compile(r"(?<![\w.-])(?:[\w.-]+\.wasabisys\.com)(?![\w-])")) == ".wasabisys.com"
    assert needed_piece(re.compile(r"\bS3ProxyHandler\b")) == "s3proxyhandler"
    # Whitespace, a class, a repeat or an alternation ends a run; a group's literals continue it.
    assert needed_piece(re.compile(r"Check\s+your\s+Google\s+secret")) == "google"
    assert needed_piece(re.compile(r"ab(?:cde)fg|xyz")) == ""
    assert needed_piece(re.compile(r"(?i:abc(?:def)g)h")) == "abcdefgh"


@pytest.mark.parametrize("path", TEXTS, ids=[f"{p.parent.name}/{p.name}" for p in TEXTS])
def test_recognise_is_the_plain_reading_on_every_corpus_text(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    lines = text.split("\n")
    before, rest = "\n".join(lines[:2]), "\n".join(lines[2:])
    assert recognise(text, None) == _plain(text, None)
    assert recognise(rest, None, before) == _plain(rest, None, before)


@pytest.mark.parametrize(("text", "before"), [
    # A product named only in the sentence above the error.
    ("<Error><Code>SignatureDoesNotMatch</Code></Error>", "we moved the bucket to Wasabi last week"),
    # A mark whose words a wrap or doubled spaces split.
    ("SignatureDoesNotMatch: Check  your\nGoogle secret key and signing method.", ""),
    # IGNORECASE matches dotless i, long s, the dotted capital I and the Kelvin sign to ASCII letters.
    ("SignatureDoesNotMatch from storage.WASABİSYS.com", ""),
    ("SignatureDoesNotMatch from bucket.wasabısys.com", ""),
    ("SignatureDoesNotMatch from bucket.wasabiſys.com", ""),
    ("AccessDenied at \u212aeycdn, not bucket.s3.amazonaws.com", "our Ceph cluster"),
    ("SignatureDoesNotMatch", "Backblaze \u212a"),
])
def test_recognise_is_the_plain_reading_where_a_piece_test_could_miss(text: str, before: str) -> None:
    assert recognise(text, None, before) == _plain(text, None, before)
    assert recognise(text, None, before) is not None


_EMPTY_HOST_ID = ('level=error msg="upload failed" err="SignatureDoesNotMatch: The request signature we calculated does '
                  'not match the signature you provided. Check your key and signing method.\\n\\tstatus code: 403, '
                  'request id: 1699FC02BBE5816F, host id: "')


@pytest.mark.parametrize("how", ["as logged", "quote dropped", "quote dropped, framed", "quote dropped, flattened"])
def test_an_empty_s3_host_id_is_read_whatever_whitespace_ends_the_text(how: str) -> None:
    # aws-sdk-go v1 s3err: "request id: %s, host id: %s" — S3 always sends x-amz-id-2, an S3-compatible server may not.
    text = _EMPTY_HOST_ID if how == "as logged" else _EMPTY_HOST_ID[:-1]
    if "framed" in how:
        text = "╷\n" + "\n".join("│ " + line for line in text.split("\n")) + "\n│\n╵\n"
    if "flattened" in how:
        text = text.replace("host id: ", "host  id:  \n\n")
    e = extract(text, 1, 1)  # the record as the rules read it: a paste's frame taken off
    assert recognise(e.text, e.host, e.context) is not None
    # A wrap that put the line break where the space before a real host id stood is no empty id.
    real = extract(_EMPTY_HOST_ID[:-1] + "\nQ2xvdWRGcm9udCBob3N0IGlkIGZvciB0ZXN0aW5nIG9ubHkgMTIzNDU2Nzg5MGFiY2RlZg==",
                   1, 1)
    assert recognise(real.text, real.host, real.context) is None


def test_a_name_beside_an_aws_url_is_not_the_server_that_answered() -> None:
    # The user typed a Scaleway endpoint, the client still went to AWS: the name is no server, the AWS URL decides.
    text = ('I set the endpoint to s3.nl-ams.scw.cloud but it fails:\n'
            'Could not connect to the endpoint URL: "https://s3.nl-ams.amazonaws.com/bucket?list-type=2"\n')
    assert recognise(text, None) is None
    assert _plain(text, None) is None
    assert recognise("Could not connect to s3.nl-ams.scw.cloud: timed out", None) is not None
