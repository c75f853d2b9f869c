"""The credentials probe's fixtures (a clean diagnosed environment, the probe itself) for test_probe.py."""

from tests.creds.conftest import env, probe  # noqa: F401
