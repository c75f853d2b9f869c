"""Helpers of the `credentials` probe: one module per family of credential sources in botocore's chain.

Each module diagnoses its sources on its own (reading `ctx.env` and files through `ctx.path`), so the probe can say
why a source botocore skipped silently was skipped; `chain` runs botocore's own resolver to learn who really wins.
"""
