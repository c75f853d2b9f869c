"""The live signature check: build each target's harmless request, sign it here with botocore, send it the way the
agent would (its proxy environment, its CA bundle) and judge AWS's answer against the canonical request signed here.

`request` builds and signs, `send` delivers, `judge` turns the answer into findings.
"""
