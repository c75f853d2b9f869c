"""Measuring the local clock against true time: NTP servers, the HTTP `Date` of AWS endpoints, the time daemon,
and the verdict the `clock` probe reports (SigV4 windows, agreement between sources, credential expiry)."""
