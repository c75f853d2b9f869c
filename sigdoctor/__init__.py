"""sigdoctor: a doctor for AWS request signing."""

__version__ = "0.1.0"
