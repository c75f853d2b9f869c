"""How the agent's traffic gets to an endpoint: the proxy decision (Go's and Python's rules), TCP, the CONNECT tunnel,
TLS as the SDK verifies it, and one unsigned request that shows who answers. Used by the `connectivity` probe.
"""
