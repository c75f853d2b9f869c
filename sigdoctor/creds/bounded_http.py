"""botocore's HTTP sessions for the credential endpoints (IMDS, ECS / Pod Identity), with a cap on the body.

botocore reads a response body whole; an endpoint that streams without end (a broken proxy, a hostile
AWS_CONTAINER_CREDENTIALS_FULL_URI) grew the process by ~150 MB a second until the deadline. Credentials are a few
hundred bytes of JSON.
"""

from __future__ import annotations

from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import HTTPClientError

from sigdoctor.boundedio import MIB, human

BODY_LIMIT = 1 * MIB


class BodyTooLarge(HTTPClientError):
    fmt = "{error}"


class BoundedSession:
    """Wraps a botocore URLLib3Session: the same connections and proxies, at most BODY_LIMIT bytes of body."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def send(self, request: Any) -> Any:
        streamed = bool(request.stream_output)
        request.stream_output = True  # botocore would read it all before returning
        response = self.inner.send(request)
        if streamed:
            return response
        data = response.raw.read(BODY_LIMIT + 1)
        if len(data) > BODY_LIMIT:
            response.raw.close()
            raise BodyTooLarge(error=f"{request.url} answered with a body of more than {human(BODY_LIMIT)}")
        return AWSResponse(response.url, response.status_code, response.headers, _Read(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class _Read:
    """The body already read, as the `raw` that AWSResponse.content streams from."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, *_args: Any, **_kwargs: Any) -> Any:
        yield self.data
