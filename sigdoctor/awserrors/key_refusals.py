"""A refused key that the text shows is not simply a bad key: AWS answers InvalidClientTokenId ("The security token
included in the request is invalid") for credentials it knows, in cases its own documents name, so the key readings
(access-key-invalid, a missing or foreign session token, the opt-in-region token) stay warnings there.

* IAM refuses some session credentials outright: those of STS GetSessionToken unless the call carries MFA (aws-vault's
  default `exec` session), and AWS Cloud9's managed temporary credentials, which may call no IAM action. A key that
  IAM has only just created (Vault's dynamic credentials, a script that creates a key and uses it at once) is not
  yet known everywhere: IAM is eventually consistent.
* The reporter says the same credentials work with another tool or call (the CLI works, exported keys work, other
  resources of the same run were created): the key exists, and the refusal is about what this client sends.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
from pathlib import Path

from sigdoctor.awserrors.awshosts import botocore_data_dir
from sigdoctor.awserrors.hit import Hit
from sigdoctor.awserrors.parse import AwsError
from sigdoctor.lazyre import lazy
from sigdoctor.model import Status
from sigdoctor.resources import errors_dir

# The answers a refused key gets: the common InvalidClientTokenId (IAM, STS, the query services), the JSON services'
# UnrecognizedClientException, and their shared message (AWS Common Errors; botocore service models).
_TOKEN_REFUSAL_RE = lazy(r"\bInvalidClientTokenId\b|\bUnrecognizedClient(?:Exception)?\b|"
                         r"security\s+token\s+included\s+in\s+the\s+request\s+is\s+invalid", re.I)
# S3's answer for a key it does not know (S3 error codes: InvalidAccessKeyId).
_S3_REFUSAL_RE = lazy(r"\bInvalidAccessKeyId\b|Access\s+Key\s+Id\s+you\s+provided\s+does\s+not\s+exist", re.I)
_KEY_CAUSES = frozenset({"access-key-invalid", "session-token-missing", "sts-opt-in-region", "credentials-expired"})

# The call is IAM's: its endpoint, a CLI `aws iam …` command, a CloudFormation IAM resource, a Go v2 operation
# error, Terraform's and other tools' "creating IAM Role/User …", an SDK client's `iam.createRole` / `iam: …`.
_IAM_CALL_RE = lazy(
    r"\biam\.amazonaws\.com(?:\.cn)?\b|\baws\s+iam\s+[a-z]|\bAWS::IAM::|\boperation\s+error\s+IAM\s*:|"
    r"\b(?:creat|delet|read|updat|attach|detach|fetch|gett|list|tagg|put)ing\s+(?:an?\s+)?IAM\s+"
    r"(?:role|user|polic|group|instance\s*profile|access\s*key|OIDC|OpenID)|"
    r"\biam\.(?:create|delete|get|list|attach|detach|put|update|tag)[A-Z]\w*|\biam:\s+\w+ing\b", re.I)
# botocore's "when calling the X operation" (a paste cut inside the last word still names X), Go v2's "operation
# error IAM: X".
_OPERATION_RE = lazy(r"when\s+calling\s+the\s+(\w+)\s+operat|\boperation\s+error\s+\w+:\s*(\w+)")

# The reporter's words that the same credentials work elsewhere. "works" only (not "worked": a key that worked
# yesterday may have been rotated since), and not in "it works?" questions.
_WORKS_RE = lazy(
    r"\b(?:it|that|this|everything|they|which|the\s+(?:aws\s+)?cli|the\s+same\s+\w+(?:\s+\w+)?)\s+(?:still\s+|then\s+)?"
    r"works\b(?!\s*\?)(?!\s+(?:not|only\s+if))|\bworks\s+(?:fine|well|as\s+expected|like\s+expected|perfectly|correctly)\b|"
    r"\b(?:invocation|call|command|request)\s+succeeds\b|\bthen\s+it\s+works\b", re.I)
# Terraform's own line for a resource the same run (the same credentials) created before the refusal.
_CREATED_RE = lazy(r"\bCreation\s+complete\s+after\s+\d")
# A key created right before it was used (IAM eventual consistency).
_NEW_KEY_RE = lazy(r"\b(?:just|newly|freshly|recently)\s+(?:been\s+)?(?:created|generated|issued)\b|"
                   r"\b(?:new(?:ly)?|dynamic)\s+(?:AWS\s+)?(?:access\s+)?(?:keys?|credentials)\b", re.I)

SOURCES = (
    "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html (\"You cannot call any IAM API "
    "operations unless MFA authentication information is included in the request\")",
    "https://docs.aws.amazon.com/cloud9/latest/user-guide/security-iam.html#auth-and-access-control-temporary-managed-"
    "credentials (AWS managed temporary credentials: IAM actions are not allowed)",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-"
    "consistency (changes to IAM, new access keys included, take time to be visible everywhere)",
    "https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html (InvalidClientTokenId)",
)


# IAM's operation names as botocore's model of IAM lists them, in the shipped knowledge (checks/errors/), written by
# `python -m sigdoctor.awserrors.key_refusals` (the model is ~1.6 MB of JSON: reading it cost ~90 ms of a decode).
# tests/awserrors/test_iam_operations.py compares it with the installed botocore's model.
IAM_OPERATIONS = "iam_operations.json"


def operations_file() -> Path:
    return errors_dir() / IAM_OPERATIONS


@functools.cache
def iam_operations() -> frozenset[str]:
    """IAM's operation names (checks/errors/iam_operations.json); empty when the file cannot be read — then only the
    other signs of an IAM call count."""
    try:
        ops = json.loads(operations_file().read_bytes()).get("operations")
    except (OSError, ValueError, AttributeError):
        return frozenset()
    return frozenset(o for o in ops if isinstance(o, str)) if isinstance(ops, list) else frozenset()


def model_operations() -> tuple[str, frozenset[str]] | None:
    """(botocore's version, IAM's operation names) from botocore's model of IAM (data/iam/<version>/service-2.json
    [.gz]); None when it cannot be read."""
    import botocore

    folder = botocore_data_dir()
    if folder is None:
        return None
    for model in sorted((folder / "iam").glob("*/service-2.json*"), reverse=True):
        try:
            raw = gzip.decompress(model.read_bytes()) if model.suffix == ".gz" else model.read_bytes()
            ops = json.loads(raw).get("operations", {})
        except (OSError, ValueError):
            continue
        if isinstance(ops, dict):
            return botocore.__version__, frozenset(ops)
    return None


def write_operations() -> Path:
    """checks/errors/iam_operations.json from the installed botocore's model, with its source."""
    got = model_operations()
    if got is None:
        raise SystemExit("botocore's model of IAM cannot be read")
    version, ops = got
    source = f"botocore {version}, botocore/data/iam/*/service-2.json: operations"
    out = operations_file()
    out.write_text(json.dumps({"source": source, "botocore": version, "operations": sorted(ops)}, indent=0) + "\n",
                   encoding="utf-8")
    return out


def _iam_call(e: AwsError) -> str | None:
    t = e.flat
    if m := _IAM_CALL_RE.search(t):
        return " ".join(m.group(0).split())
    if e.host and _IAM_CALL_RE.search(e.host):
        return e.host
    for m in _OPERATION_RE.finditer(t):
        op = m.group(1) or m.group(2)
        # Names IAM shares with other services' models (Lambda's GetPolicy, Organizations' ListPolicies) say less;
        # those with IAM's own nouns are read.
        if op in iam_operations() and re.search(r"User|Role|InstanceProfile|AccessKey|LoginProfile|MFA|"
                                                r"OpenIDConnect|SAMLProvider|ServerCertificate", op):
            return f"the {op} operation"
    return None


def _elsewhere(e: AwsError) -> str | None:
    for rx in (_WORKS_RE, _CREATED_RE):
        if m := rx.search(e.context) or rx.search(e.text):
            return " ".join(m.group(0).split())
    return None


def key_refusal_readings(e: AwsError, hits: list[Hit]) -> None:
    """The key readings of a refused key stay warnings where the text shows the key is not simply wrong: an IAM call
    (which refuses session credentials AWS knows) or the same credentials working elsewhere; the first key reading
    says why."""
    key_hits = [h for h in hits if h.cause in _KEY_CAUSES]
    if not key_hits or not any(h.status == Status.FAIL for h in key_hits) or "backend" in hits[0].extra:
        return
    token = _TOKEN_REFUSAL_RE.search(e.flat)
    iam = _iam_call(e) if token else None
    works = _elsewhere(e) if (token or _S3_REFUSAL_RE.search(e.flat)) else None
    if iam is None and works is None:
        return
    if iam is not None:
        new = _NEW_KEY_RE.search(f"{e.context}\n{e.text}")
        why = (f"IAM answered ('{iam[:60]}') — IAM refuses credentials AWS does know: session credentials from STS "
               "GetSessionToken without MFA (aws-vault exec's default session), AWS Cloud9's managed temporary "
               "credentials (no IAM action is allowed), and a key used before IAM has propagated it"
               + (f" (the text speaks of '{' '.join(new.group(0).split())}')" if new else "")
               + "; the text cannot tell these from a wrong key")
        fix = ("If the call runs under aws-vault, Cloud9 or just-created keys: use the long-term key (aws-vault "
               "`--no-session`, or add MFA), turn off Cloud9's AWS managed temporary credentials, or wait a few "
               "seconds after creating a key; `aws sts get-caller-identity` with the same credentials shows the key "
               "is known")
        evidence = "iam-call"
    else:
        why = (f"the text says the same credentials work elsewhere ('{(works or '')[:60]}'): the key exists, so the "
               "refusal is about what this client sends or which credentials it picked (another profile, a "
               "session token dropped, an SSO or session source it does not read)")
        fix = ("Compare what this client signs with against the one that works: `aws sts get-caller-identity` in the "
               "same environment, the client's own profile and credential settings, and whether it passes the "
               "session token")
        evidence = "works-elsewhere"
    for h in hits:
        if h.status == Status.FAIL:
            h.status = Status.WARN
            h.extra["demoted"] = True
    first = key_hits[0]
    first.message = f"Not necessarily a bad key: {why}. {first.message}"
    first.fix.insert(0, fix)
    first.extra["key_refusal"] = evidence


if __name__ == "__main__":
    print(f"wrote {write_operations()}")
