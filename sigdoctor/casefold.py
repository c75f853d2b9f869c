"""When a literal test on a string's lower-case form decides whether an ignore-case pattern of ASCII words can
match it.

Under re.IGNORECASE an ASCII letter also matches ı (i), ſ (s) and the Kelvin sign (k), and İ lower-cases to two
characters: a string holding any of them may match where its lower-case form shows no ASCII word (this is every such
character: `re._casefix` and the code points whose lower case is ASCII). In any other string, an ASCII word occurs in
the lower-case form wherever an ignore-case pattern can match it.
"""

from __future__ import annotations

import re

_FOLDS_TO_ASCII = re.compile("[\u0130\u0131\u017f\u212a]")


def lower_decides(s: str, low: str) -> bool:
    """Whether testing ASCII words against `low` (= s.lower()) is exact for ignore-case patterns."""
    return len(low) == len(s) and _FOLDS_TO_ASCII.search(s) is None


def literal_lower(s: str) -> str | None:
    """`s.lower()` when testing ASCII words against it is exact for ignore-case patterns; None when it is not."""
    low = s.lower()
    return low if lower_decides(s, low) else None
