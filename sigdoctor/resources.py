"""Where the shipped knowledge lives: inside the wheel (`sigdoctor/_data`) or, in a source checkout, the repo root."""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def _find(*parts: str) -> Path:
    for base in (_PKG / "_data", _PKG.parent):
        candidate = base.joinpath(*parts)
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"sigdoctor data folder {'/'.join(parts)} not found (broken installation?)")


def causes_dir() -> Path:
    return _find("checks", "causes")


def errors_dir() -> Path:
    return _find("checks", "errors")


def docs_dir() -> Path:
    return _find("docs", "causes")


def targets_dir() -> Path:
    return _find("checks", "targets")
