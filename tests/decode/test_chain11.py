"""Pass 11: what one record says about another's undecided reading, and a quoted paste wrapped at its spaces.

* A credential chain's summary (botocore's "Unable to locate credentials": every source came up empty, the text
  alone cannot tell which failed) beside another record that names the failing source by a reading of its own
  (kube2iam's access log of the pod's role list answered 404): that record says which, and leads.
* A text Markdown-quoted on its first line and then wrapped at its spaces has lines of one width by chance; a line
  end whose words cannot be judged (`no EC2|instance`) is a space when joining it makes a phrase of the table
  unreadable (the mangling property's random draw: tests/decode/test_mangling.py, test_wrappers.py MANGLERS).
"""

from __future__ import annotations

import pytest

from sigdoctor.awserrors.parse import readable
from sigdoctor.causes import diagnose
from sigdoctor.model import Finding, ProbeResult, Severity, Status
from tests.awserrors.test_credential_sources import SOURCES
from tests.decode.conftest import decode_text, rules_with_stand_ins, text_causes, top_cause, undecided_first
from tests.decode.test_wrappers import MANGLERS

# jtblin/kube2iam 0.11 server/server.go: the access log "%s %s (%d) took %f ms" (ns before 0.10), a 404 for the role
# list when it has no role for the pod; botocore credentials.py NoCredentialsError.
KUBE2IAM_404 = "GET /latest/meta-data/iam/security-credentials/ (404) took 3.211 ms"
BOTOCORE_EMPTY = "botocore.exceptions.NoCredentialsError: Unable to locate credentials"


def test_the_failing_source_another_record_names_decides_the_empty_chain() -> None:
    causes = text_causes(f"{KUBE2IAM_404}\n\n{BOTOCORE_EMPTY}")
    assert causes[0] == ("imds-no-role", Severity.ERROR)
    assert "no-credentials" not in [c for c, _ in causes]


def test_the_empty_chain_alone_stays_the_empty_chain() -> None:
    assert undecided_first(BOTOCORE_EMPTY) == "no-credentials"


def _finding(cause: str, status: Status, line: int, **evidence: object) -> Finding:
    return Finding(f"decode.{cause}", status, cause, {"lines": [line], **evidence})


def test_a_record_settles_only_a_rival_the_summary_listed_and_only_from_another_record() -> None:
    rules = rules_with_stand_ins()
    summary = _finding("no-credentials", Status.FAIL, 8, candidates=[{"cause": "imds-no-role"}])

    def ranked(*fs: Finding) -> list[tuple[str, Severity]]:
        probe = ProbeResult("decode", "decode", Status.FAIL, "", 0, fs)
        return [(c.id, c.severity) for c in diagnose((probe,), rules)]

    assert ranked(summary, _finding("imds-no-role", Status.WARN, 1))[0] == ("imds-no-role", Severity.ERROR)
    # the same record's own alternative, or a rival the summary did not list, decides nothing
    assert ranked(summary, _finding("imds-no-role", Status.WARN, 8))[0] == ("no-credentials", Severity.ERROR)
    unlisted = _finding("no-credentials", Status.FAIL, 8, candidates=[{"cause": "imds-unreachable"}])
    assert ranked(unlisted, _finding("imds-no-role", Status.WARN, 1))[0] == ("no-credentials", Severity.ERROR)
    # a mere candidate of another record decides nothing either
    assert ranked(summary, _finding("imds-no-role", Status.WARN, 1, candidate_rank=2))[0] == (
        "no-credentials", Severity.ERROR)


GO1_IMDS_404 = next(s for s in SOURCES if s[0] == "go1-imds-404")[1]


@pytest.mark.parametrize("frame", ["markdown-quote", "terraform-margin"])
def test_a_quoted_error_wrapped_at_its_spaces_keeps_the_space_of_a_wrapped_word_boundary(frame: str) -> None:
    # The draw: escaped once more, quoted on its one line, then wrapped at 72 — two lines of one width by chance.
    text = GO1_IMDS_404
    for name in ("escape-again", frame, "wrap"):
        text = MANGLERS[name](text)
    assert "no EC2 instance role found" in " ".join(readable(text).split())
    assert top_cause(decode_text(text)) == "imds-no-role"


def test_a_quoted_line_a_terminal_cut_inside_a_word_is_still_joined() -> None:
    cut = "> botocore.exceptions.NoCredentialsError: Unable to lo\ncate credentials and nothing else at all to\nsay"
    assert "Unable to locate credentials" in readable(cut)
