"""Re-export: probe modules import `Probe` from here; code outside the registry imports `sigdoctor.probe` so it
does not pull in every probe (and botocore) through this package's __init__."""

from sigdoctor.probe import Probe, RunFn, not_implemented

__all__ = ["Probe", "RunFn", "not_implemented"]
