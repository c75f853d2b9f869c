"""The decode prefilter's scanner is taken from the error table's JSON copy (`Scanner.kept`, kept by tomlcache.py)
instead of being built at every start-up, only while scan.py is the source that made it; taken or built, it finds the
same words at the same places."""

from __future__ import annotations

import random

from sigdoctor.decode import reader, scan
from sigdoctor.resources import errors_dir
from sigdoctor.tomlcache import derived


def _shipped() -> dict[str, object]:
    kept = derived(errors_dir()).get("prefilter", {}).get("scanner")
    assert isinstance(kept, dict), "run `python -m sigdoctor.tomlcache` and commit checks/errors/parsed.json"
    return kept


def test_the_shipped_scanner_is_current() -> None:
    kept = _shipped()
    assert kept["source"] == scan._source_digest(), (
        "decode/scan.py changed since checks/errors/parsed.json was written: every decode builds its scanner "
        "again (~11 ms); run `python -m sigdoctor.tomlcache` and commit the copies")
    assert kept == scan.Scanner(reader.prefilter_words()).kept()


def test_the_prefilter_takes_the_kept_scanner() -> None:
    taken = scan.Scanner(reader.SCANNER.words, _shipped())
    assert reader.SCANNER.kept() == _shipped() == taken.kept()


def test_a_kept_scanner_finds_what_a_built_one_finds() -> None:
    words = ["SignatureDoesNotMatch", "x509", " tcp", "The specified", "q", "ExpiredToken", "no such host"]
    built = scan.Scanner(words)
    taken = scan.Scanner(words, built.kept())
    assert taken.kept() == built.kept() and taken.longest == built.longest
    rng = random.Random(7)
    pieces = [*words, "level=info ", "component=remote ", "Temporary ", "\n", "ExpiredTok", "SignatureDoes"]
    buf = "".join(rng.choice(pieces) for _ in range(4000)).encode()
    assert taken.scan(buf, 0, len(buf)) == built.scan(buf, 0, len(buf))
    assert len(built.scan(buf, 0, len(buf))) > 1000


def test_a_scanner_kept_by_another_source_or_for_other_words_is_built_afresh() -> None:
    words = ["SignatureDoesNotMatch", "x509", " tcp"]
    kept = scan.Scanner(words).kept()
    # A kept form whose passes confirm no word shows whether it was taken: the words are then not found.
    broken = {**kept, "passes": [[p[0], []] for p in kept["passes"]]}
    assert scan.Scanner(words, broken).scan(b"a x509 b", 0, 8) == []
    buf = b"a x509 b SignatureDoesNotMatch tcp"
    want = scan.Scanner(words).scan(buf, 0, len(buf))
    assert want
    for stale in ({**broken, "source": "0" * 64}, {**broken, "words": [*words, "y"]}, {**broken, "table": "x"},
                  {**broken, "passes": "nonsense"}, None, "nonsense"):
        assert scan.Scanner(words, stale).scan(buf, 0, len(buf)) == want
