"""Placeholder until the credentials probe lands (replace this whole file)."""

from sigdoctor.probes.base import not_implemented

PROBE = not_implemented("credentials", "Which credential source wins")
