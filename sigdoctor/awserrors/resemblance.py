"""The last resort of a paste no rule could read: which labelled corpus texts its words resemble.

Every blind batch of the corpus (tests/corpus) held pastes with no AWS answer and no sentence any rule of this package
reads — a tool's own message ("Amazon S3 not configured"), a title ("stops immediately after starting"), a
maintainer's fix told in words ("I had to attach the appropriate IAM role to the EC2 instance"). Rules written for one
batch's such texts did not carry to the next batch: their wording is a long tail. What does carry is the words
themselves: a paste about an instance role shares "attach", "instance", "profile" with other pastes about instance
roles. checks/errors/resemblance.json holds, for each cause label of the corpus (out-of-catalog included), how many
of its texts hold each word (scripts/train-resemblance builds it from tests/corpus; each batch's figure in
bench/corpus.py is scored with a model built without that batch, so no text is scored by a model that saw it).

A multinomial naive Bayes ranking over a text's distinct words: the causes whose texts use those words most, each
weighed by how many texts it labels. It is named only where the text gave no cause at all (decode/decoder.py), only
for a paste (at most MAX_TEXT bytes — a 100 MB log costs nothing), only when the text names something of AWS and a
failure or holds a sentence a person wrote (a log's own lines are neither), and always as an undecided group of
warnings: a resemblance is no reading of the text, and says so.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from sigdoctor.awserrors.hit import Hit
from sigdoctor.awserrors.prose_readings import readable, sentences
from sigdoctor.model import CANNOT_DECIDE, Status
from sigdoctor.records import datarecord
from sigdoctor.resources import errors_dir

DATA_FILE = "resemblance.json"
OUT_OF_CATALOG = "out-of-catalog"
MAX_TEXT = 64 * 1024
# A word must stand in this many corpus texts to be kept: fewer is one thread's own name, path or id, not a word
# people use for a cause (and keeps any one paste's particulars out of the shipped file).
MIN_TEXTS = 3
ALPHA = 1.0  # Laplace smoothing of the word counts
# Fewer known words than this is no text to compare (a bare "error", a one-word title).
MIN_WORDS = 4
CANDIDATES = 3
WORDS_SHOWN = 5

_WORD_RE = re.compile(r"[a-z][a-z0-9]+(?:[-_.:][a-z0-9]+)*")
_STOP = frozenset(["the", "a", "an", "to", "of", "in", "and", "or", "is", "it", "for", "on", "with", "this", "that",
                   "be", "are", "was", "i", "my", "we", "not", "at", "as", "from", "by"])
_LONGEST = 40
_SENTENCE_WORDS = 5  # a person's sentence, not a heading or a label
_PLAIN_WORD_RE = re.compile(r"[\"'(`]?[A-Za-z][a-z]*(?:'[a-z]+)?[\"')`]?[,.;:!?]?")
# What a text must name to be compared at all: something of AWS, and a failure (or a person's sentence, see compared).
# A healthy log, a stack of unrelated errors, a shell session's output name one of them at most.
_FAILURE_RE = re.compile(
    r"(?i)\b(?:error|errors|fail(?:s|ed|ing|ure)?|denied|forbidden|unauthori[sz]ed|not\s+authori[sz]ed|invalid|"
    r"expired?|unable|cannot|can't|could\s*n[o']?t|refused|time[ds]?\s*out|timeout|exception|traceback|missing|"
    r"crash(?:es|ed|ing)?|stops|stopped|not\s+permitted|(?:does|did|is|was|do)\s*n[o']?t\s+(?:work|handle)|"
    r"won't|broken|40[0-4]|50[0-4])\b")
_AWS_RE = re.compile(
    r"(?i)\b(?:aws|amazon|amazonaws|s3|sts|iam|sigv4|ec2|eks|ecs|imds|irsa|credentials?|access\s+key|secret\s+key|"
    r"bucket|role|token|region|cloudwatch|kinesis|firehose|dynamodb|lambda|cognito|kms|ssm|sso|meta-?data|x-amz|"
    r"169\.254\.169\.254|signature|assume|arn)\b")


class ResemblanceDataError(ValueError):
    pass


def words(text: str) -> frozenset[str]:
    """The distinct words of `text` the model compares: lower-cased, a letter first, short, no stop word."""
    return frozenset(w for w in _WORD_RE.findall(text.lower()) if len(w) < _LONGEST and w not in _STOP)


def train(texts: Iterable[tuple[str, str]], source: str, batches: Sequence[str] = ()) -> dict[str, Any]:
    """The model file's content from (text, cause label) pairs: per label its number of texts, and per word kept
    (in at least MIN_TEXTS texts) how many texts of each label hold it."""
    docs: Counter[str] = Counter()
    per_word: dict[str, Counter[str]] = {}
    in_texts: Counter[str] = Counter()
    for text, label in texts:
        docs[label] += 1
        for w in words(text):
            per_word.setdefault(w, Counter())[label] += 1
            in_texts[w] += 1
    labels = sorted(docs)
    index = {c: i for i, c in enumerate(labels)}
    kept = {w: {str(index[c]): n for c, n in sorted(per_word[w].items())}
            for w in sorted(per_word) if in_texts[w] >= MIN_TEXTS}
    return {"source": source, "batches": list(batches), "built_by": "scripts/train-resemblance",
            "alpha": ALPHA, "min_texts": MIN_TEXTS, "labels": labels, "texts": [docs[c] for c in labels],
            "words": kept}


@datarecord(frozen=True)
class Model:
    labels: tuple[str, ...]
    texts: int
    prior: tuple[float, ...]
    # Per label, the log-probability of a known word that none of its texts holds (the smoothed floor), and per word
    # kept, how far above that floor each label that has it lies: a text is scored over its own words only.
    floor: tuple[float, ...]
    lift: Mapping[str, tuple[tuple[int, float], ...]]
    batches: tuple[str, ...] = ()  # the corpus batches it was built from

    def weights(self, w: str) -> tuple[float, ...]:
        """The word's log-probability under each label (the order of `labels`)."""
        row = list(self.floor)
        for i, x in self.lift[w]:
            row[i] += x
        return tuple(row)


def load(data: Mapping[str, Any]) -> Model:
    try:
        labels = tuple(str(c) for c in data["labels"])
        texts = [int(n) for n in data["texts"]]
        alpha = float(data["alpha"])
        raw: Mapping[str, Mapping[str, int]] = data["words"]
        if len(texts) != len(labels) or not labels or alpha <= 0:
            raise ResemblanceDataError(f"{DATA_FILE}: labels and texts must be non-empty lists of one length")
        rows = {w: tuple((int(i), int(n)) for i, n in per.items()) for w, per in raw.items()}
        totals = [0] * len(labels)
        for row in rows.values():
            for i, n in row:
                totals[i] += n
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        if isinstance(exc, ResemblanceDataError):
            raise
        raise ResemblanceDataError(f"{DATA_FILE}: malformed ({exc})") from exc
    floor = tuple(math.log(alpha) - math.log(t + alpha * len(rows)) for t in totals)
    base = math.log(alpha)
    lift = {w: tuple((i, math.log(n + alpha) - base) for i, n in row) for w, row in rows.items()}
    all_texts = sum(texts)
    return Model(labels, all_texts, tuple(math.log(n / all_texts) for n in texts), floor, lift,
                 tuple(str(b) for b in data.get("batches", ())))


@functools.cache
def model(path: Path | None = None) -> Model:
    # Read only on the fallback path: most decodes never get here.
    with open(path or errors_dir() / DATA_FILE, encoding="utf-8") as fh:
        return load(json.load(fh))


@datarecord(frozen=True)
class Resemblance:
    ranked: tuple[str, ...]  # every label, the most resembled first
    known: int  # the text's distinct words the model holds
    texts: int  # the corpus texts the model was built from
    # Per catalog cause among the first CANDIDATES: the text's words that weigh most for it against the others.
    telling: Mapping[str, tuple[str, ...]]

    def candidates(self, catalog: frozenset[str]) -> tuple[str, ...]:
        return tuple(c for c in self.ranked if c != OUT_OF_CATALOG and c in catalog)[:CANDIDATES]

    @property
    def outside_first(self) -> bool:
        return bool(self.ranked) and self.ranked[0] == OUT_OF_CATALOG


def compared(text: str) -> bool:
    """Whether `text` is one to compare: a paste naming something of AWS and a failure — or holding a sentence a person
    wrote, which in a ticket is about what went wrong ("the role does not include…", "the token expires…")."""
    if len(text) > MAX_TEXT or not _AWS_RE.search(text):
        return False
    return bool(_FAILURE_RE.search(text)) or _person_wrote(text)


def _person_wrote(text: str) -> bool:
    return any(not s.printed and _prose_like(s.text) for t in readable(text) for s in sentences(t))


def _prose_like(sentence: str) -> bool:
    # Words of a language, most of the sentence: not a header line, a canonical request or a key=value dump.
    tokens = sentence.split()
    plain = sum(1 for w in tokens if _PLAIN_WORD_RE.fullmatch(w))
    return plain >= _SENTENCE_WORDS and plain >= 0.6 * len(tokens)


def resemble(text: str, m: Model | None = None) -> Resemblance | None:
    """The labels ranked by how much `text`'s words resemble their texts', or None when the text is not one to compare
    or holds too few of the model's words."""
    if not compared(text):
        return None
    m = m or current()
    known = [w for w in words(text) if w in m.lift]
    if len(known) < MIN_WORDS:
        return None
    score = [p + len(known) * f for p, f in zip(m.prior, m.floor, strict=True)]
    for w in known:
        for i, x in m.lift[w]:
            score[i] += x
    order = sorted(range(len(m.labels)), key=lambda i: (-score[i], m.labels[i]))
    ranked = tuple(m.labels[i] for i in order)
    rows = {w: m.weights(w) for w in known}
    totals = {w: sum(row) for w, row in rows.items()}
    n = len(m.labels)
    telling = {}
    for i in order[:CANDIDATES + 1]:
        if m.labels[i] == OUT_OF_CATALOG:
            continue
        # Each word's weight for this label above its mean weight for the others.
        above = {w: row[i] - (totals[w] - row[i]) / (n - 1) for w, row in rows.items()}
        telling[m.labels[i]] = tuple(sorted((w for w in known if above[w] > 0), key=lambda w: (-above[w], w))
                                     [:WORDS_SHOWN])
    return Resemblance(ranked, len(known), m.texts, telling)


_substitute: list[Model] = []


@contextlib.contextmanager
def substituted(m: Model) -> Iterator[Model]:
    """Rank with `m` instead of the shipped model inside the block (bench/corpus.py: a batch is scored with a model
    built without its texts)."""
    _substitute.append(m)
    try:
        yield m
    finally:
        _substitute.pop()


def current() -> Model:
    return _substitute[-1] if _substitute else model()


# Decides between any of the candidates: every probe, where the agent runs.
SETTLE = "Text alone cannot decide: run `sigdoctor run` on the agent's host (or in its pod, with --pid) to settle it"


def _quoted(ws: Sequence[str], redact: Callable[[str], str]) -> str:
    return ", ".join(f"“{redact(w)}”" for w in ws) if ws else "no single word stands out"


def resemblance_hits(text: str, catalog: frozenset[str], redact: Callable[[str], str],
                     settles: Mapping[str, tuple[str, str]]) -> list[Hit]:
    """One undecided group of warnings for a text nothing else read: its first CANDIDATES catalog causes by
    resemblance, each with the words of the text that weigh for it (through `redact`), what must be true for it and
    how to check (`settles`: cause → (needs, command), prose_readings' vocabularies)."""
    r = resemble(text)
    if r is None:
        return []
    picked = r.candidates(catalog)
    out = []
    for rank, cause in enumerate(picked):
        needs, decide = settles.get(cause, ("", ""))
        said = f"its words ({_quoted(r.telling.get(cause, ()), redact)})"
        holds = f" — it holds if {needs}" if needs else ""
        if rank == 0:
            lead = ("Its words resemble most the texts whose cause lay outside sigdoctor's catalog (a client's bug, a "
                    "non-AWS server, throttling); of the catalog's causes, " if r.outside_first else
                    "No AWS answer and no stated cause could be read in the text; ")
            msg = (f"{lead}it resembles most the corpus texts whose cause was {cause}, by {said}: a resemblance, not "
                   f"a reading{holds}")
            extra: dict[str, Any] = {CANNOT_DECIDE: (
                f"the text holds no AWS answer and no sentence sigdoctor reads: the candidates are ranked only by how "
                f"much its words resemble those of {r.texts} labelled texts from public issue threads ({r.known} of "
                f"its words are known to the comparison)"), "resemblance": {
                    "ranked": list(r.ranked[:CANDIDATES + 1]), "words_known": r.known, "corpus_texts": r.texts}}
            fix = [SETTLE]
        else:
            msg = f"Or {cause}: next nearest by {said}{holds}"
            extra = {"candidate_rank": rank, "candidate_of": picked[0]}
            fix = []
        if decide:
            fix.append(f"If {cause}: check with `{decide}`")
        out.append(Hit(cause, Status.WARN, msg, fix, extra))
    return out
