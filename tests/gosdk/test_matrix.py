"""The Go SDK models against the real SDKs (Debian's aws-sdk-go 1.44 and aws-sdk-go-v2 config 1.17), built offline
and run inside a network namespace where only loopback exists. For every environment of the matrix, the source
each model predicts must be the one the real SDK reports (or both find none)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sigdoctor.gosdk import v1, v2
from sigdoctor.gosdk.common import GoInput, Prediction
from tests.gosdk import harness
from tests.gosdk.cases import CASES, Case


def _reader(path: str) -> str | None:
    try:
        return Path(path).read_text()
    except OSError:
        return None


def model_input(m: harness.Materialised, version: str) -> GoInput:
    return GoInput(
        env=m.env,
        read=_reader,
        home=m.env["HOME"],
        profile=m.case.profile,
        reachable={"imds": m.case.imds_up, "container": True},
        version=version,
    )


def predictions(m: harness.Materialised) -> dict[str, Prediction]:
    return {
        "v1": v1.predict(model_input(m, harness.V1_VERSION)),
        "v1:enable": v1.predict(model_input(m, harness.V1_VERSION), shared_config=True),
        "v2": v2.predict(model_input(m, harness.V2_CONFIG_VERSION)),
    }


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    try:
        bins = harness.build()
    except harness.Unavailable as e:
        pytest.skip(str(e))
    problem = harness.namespace_problem()
    if problem:
        pytest.skip(problem)
    root = tmp_path_factory.mktemp("gosdk-matrix")
    cases = {c.id: harness.materialise(c, root) for c in CASES}
    real = harness.run_matrix(list(cases.values()), bins, root)
    return {"cases": cases, "real": real}


def test_the_matrix_is_large_enough() -> None:
    assert len(CASES) >= 15


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_models_match_the_real_sdks(matrix: dict[str, Any], case: Case) -> None:
    m = matrix["cases"][case.id]
    real = matrix["real"][case.id]
    predicted = predictions(m)
    mismatches = []
    for run, p in predicted.items():
        actual = real[run]
        if p.source != actual["source"]:
            mismatches.append(f"{run}: model {p.source!r} ({p.why}) != real {actual['source']!r} ({actual['error']})")
    assert not mismatches, "\n".join(mismatches)
