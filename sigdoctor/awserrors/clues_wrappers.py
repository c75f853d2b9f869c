"""Exception class names that are not what they seem: a class of a network failure's name that wraps an answer."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sigdoctor.awserrors.table import Match
from sigdoctor.lazyre import lazy

if TYPE_CHECKING:
    from sigdoctor.awserrors.parse import AwsError

# Java prints the exception an exception wraps on the lines after it as "Caused by: CLASS: MESSAGE" (Throwable.
# printStackTrace), frames between. The JDK's socket exceptions (java.net.ConnectException and its kin) are made by
# the socket's connect with the OS's message and wrap nothing; an AWS service exception — an answer, with its
# status (SDK for Java 1.x AmazonServiceException "(Service: …; Status Code: 403; …)", 2.x "(Service: S3, Status
# Code: 403, …)") — under a class of that name shows another library's class (Kafka Connect's ConnectException
# written without its package): the request was answered, so no TCP connection failed.
_CAUSED_BY_RE = lazy(r"\n[\s>]*Caused by: ([^\n]*)")
_ANSWER_RE = lazy(r"\(Service: [^;,()]+[;,] Status Code: \d{3}\b")
_FRAME_RE = lazy(r"(?:\n[\s>]*(?:at [^\n]*|\.\.\. \d+ more))*")


def answered_wrappers(e: AwsError, found: Match) -> Match:
    """`found` without the connect entries whose every occurrence in `e` is a class name (an entry's code) wrapping
    an AWS service's answer."""
    drop = []
    for entry in found.of("connect"):
        seen = list(entry.regex.finditer(e.text))
        if seen and all(_wraps_answer(e.text, m, entry.codes) for m in seen):
            drop.append(entry)
    return Match(tuple(x for x in found.entries if x not in drop)) if drop else found


def _wraps_answer(text: str, m: re.Match[str], codes: tuple[str, ...]) -> bool:
    if m.group(0) not in codes:
        return False
    line_end = text.find("\n", m.end())
    if line_end < 0:
        return False
    frames = _FRAME_RE.match(text, line_end)
    cause = _CAUSED_BY_RE.match(text, frames.end() if frames else line_end)
    return cause is not None and bool(_ANSWER_RE.search(cause.group(1)))
