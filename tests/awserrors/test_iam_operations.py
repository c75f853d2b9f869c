"""IAM's operation names that a refused key's reading tests (`when calling the CreateRole operation`) come from a small
file written from botocore's model of IAM, not from the 1.6 MB model itself on decode's path."""

from __future__ import annotations

import json
import subprocess
import sys

import botocore

from sigdoctor.awserrors import key_refusals


def test_the_shipped_names_are_botocores_model_of_iam() -> None:
    shipped = json.loads(key_refusals.operations_file().read_text(encoding="utf-8"))
    got = key_refusals.model_operations()
    assert got is not None
    version, model = got
    assert key_refusals.iam_operations() == frozenset(shipped["operations"])
    assert shipped["source"].startswith(f"botocore {shipped['botocore']}, ")
    if version == shipped["botocore"]:
        assert key_refusals.iam_operations() == model
    else:
        # A newer botocore may know operations IAM added since (then `python -m sigdoctor.awserrors.key_refusals`
        # writes the file afresh); one it no longer lists would be a name IAM withdrew.
        assert key_refusals.iam_operations() <= model, "regenerate: python -m sigdoctor.awserrors.key_refusals"


def test_a_refused_key_on_an_iam_operation_reads_without_botocores_model() -> None:
    # Files opened while the text is decoded, seen by an audit hook in a fresh interpreter.
    code = ("import sys\n"
            "from tests.decode.conftest import decode_text, ranked_causes\n"
            "opened = []\n"
            "sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == 'open' else None)\n"
            "text = ('An error occurred (InvalidClientTokenId) when calling the CreateRole operation: The security '\n"
            "        'token included in the request is invalid.')\n"
            "causes = ranked_causes(decode_text(text))\n"
            "print(causes[0][0], *[p for p in opened if 'service-2.json' in p])")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["access-key-invalid"]


def test_the_names_hold_iams_own() -> None:
    assert {"CreateUser", "CreateRole", "ListRoles", "GetInstanceProfile"} <= key_refusals.iam_operations()
    assert botocore.__version__
