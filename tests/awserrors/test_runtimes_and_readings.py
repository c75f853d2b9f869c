"""What `decode` makes of failures other runtimes print (checks/errors/network.toml), of texts that cannot decide
(ranked readings, never an error the text does not prove), and of S3-compatible servers that are not AWS
(checks/errors/backends.toml).

Each text has the shape its runtime gives it (the exception type and wording of the JDK, .NET, Node.js, urllib3,
curl, hyper, Go's net package; the SDK wrapper around it); hosts and ids are made up. The mangling property of
tests/decode/test_wrappers.py is applied to them too: the top cause must survive a ticket's damage.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sigdoctor.model import Severity
from tests.decode.conftest import decode_text, ranked_causes, top_cause, undecided_first
from tests.decode.test_wrappers import MANGLERS

NETWORK = [
    ("go-lookup", 'ts=2026-11-27T04:00:00Z level=warn msg="Failed to send batch" err="Post \\"https://aps-workspaces.'
                  'eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write\\": dial tcp: lookup aps-workspaces.'
                  'eu-west-1.amazonaws.com on 10.96.0.10:53: no such host"', "dns-resolution-failed"),
    ("java-unknown-host", "com.amazonaws.SdkClientException: Unable to execute HTTP request: logs.eu-west-1.amazonaws."
                          "com\nCaused by: java.net.UnknownHostException: logs.eu-west-1.amazonaws.com\n\tat "
                          "java.base/java.net.InetAddress$CachedAddresses.get(InetAddress.java:801)",
     "dns-resolution-failed"),
    ("dotnet-no-such-host", "System.Net.Http.HttpRequestException: No such host is known. (sts.eu-west-1.amazonaws.com"
                            ":443)\n ---> System.Net.Sockets.SocketException (11001): No such host is known.",
     "dns-resolution-failed"),
    ("node-enotfound", "Error: getaddrinfo ENOTFOUND logs.eu-west-1.amazonaws.com\n    at GetAddrInfoReqWrap."
                       "onlookup [as oncomplete] (node:dns:107:26) {\n  errno: -3008,\n  code: 'ENOTFOUND',\n  "
                       "syscall: 'getaddrinfo',\n  hostname: 'logs.eu-west-1.amazonaws.com'\n}",
     "dns-resolution-failed"),
    ("urllib3-gaierror", "urllib3.exceptions.NewConnectionError: <botocore.awsrequest.AWSHTTPSConnection object at "
                         "0x7f3a>: Failed to establish a new connection: [Errno -2] Name or service not known",
     "dns-resolution-failed"),
    ("curl", "curl: (6) Could not resolve host: sts.eu-west-1.amazonaws.com", "dns-resolution-failed"),
    ("hyper-dns", 'DispatchFailure(DispatchFailure { source: ConnectorError { kind: Io, source: hyper::Error(Connect, '
                  'ConnectError("dns error", Custom { kind: Uncategorized, error: "failed to lookup address '
                  'information: Name or service not known" })) } })', "dns-resolution-failed"),
    ("java-connect-timeout", "com.amazonaws.SdkClientException: Unable to execute HTTP request: Connect to logs.eu-"
                             "west-1.amazonaws.com:443 [logs.eu-west-1.amazonaws.com/52.94.1.1] failed: connect "
                             "timed out", "endpoint-unreachable"),
    ("go-dial-timeout", "RequestError: send request failed\ncaused by: Post \"https://monitoring.eu-west-1.amazonaws."
                        "com/\": dial tcp 52.94.1.1:443: i/o timeout", "endpoint-unreachable"),
    ("dotnet-timeout", "System.Net.Http.HttpRequestException: A connection attempt failed because the connected "
                       "party did not properly respond after a period of time, or established connection failed "
                       "because connected host has failed to respond. (logs.eu-west-1.amazonaws.com:443)",
     "endpoint-unreachable"),
    ("node-etimedout", "Error: connect ETIMEDOUT 52.94.1.1:443\n    at TCPConnectWrap.afterConnect [as oncomplete] "
                       "(node:net:1555:16)", "endpoint-unreachable"),
    ("go-deadline", '2026-11-27T04:00:00.000Z\terror\texporterhelper/queue_sender.go:101\tExporting failed.\t{"kind": '
                    '"exporter", "name": "prometheusremotewrite", "error": "Permanent error: Post \\"https://aps-'
                    'workspaces.eu-central-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write\\": context deadline '
                    'exceeded (Client.Timeout exceeded while awaiting headers)"}', "endpoint-unreachable"),
    ("dotnet-tls", "System.Net.Http.HttpRequestException: The SSL connection could not be established, see inner "
                   "exception.\n ---> System.Security.Authentication.AuthenticationException: The remote certificate "
                   "is invalid according to the validation procedure: RemoteCertificateChainErrors", "tls-untrusted"),
    ("node-tls", "Error: unable to verify the first certificate\n    at TLSSocket.onConnectSecure (node:_tls_wrap:1540:"
                 "34) {\n  code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'\n}", "tls-untrusted"),
    ("rustls", 'DispatchFailure(DispatchFailure { source: ConnectorError { kind: Io, source: hyper::Error(Connect, '
               'Custom { kind: InvalidData, error: InvalidCertificate(UnknownIssuer) }) } })', "tls-untrusted"),
    ("urllib3-proxy", "urllib3.exceptions.ProxyError: ('Cannot connect to proxy.', ConnectionRefusedError(111, "
                      "'Connection refused'))", "proxy-misconfigured"),
    ("java-proxy-407", "java.io.IOException: Unable to tunnel through proxy. Proxy returns \"HTTP/1.1 407 Proxy "
                       "Authentication Required\"", "proxy-misconfigured"),
    ("curl-proxy", "curl: (56) Received HTTP code 407 from proxy after CONNECT", "proxy-misconfigured"),
    ("fluent-bit-connect", "[2026/11/27 04:00:00] [error] [net] TCP connection failed: logs.us-east-1.amazonaws.com:443 "
                           "(Connection timed out)", "endpoint-unreachable"),
    ("fluent-bit-dns", "[2026/11/27 04:00:00] [ warn] [net] getaddrinfo(host='logs.us-east-1.amazonaws.com', err=4): "
                       "Domain name not found", "dns-resolution-failed"),
    ("fluent-bit-imds", "[2026/11/27 04:00:00] [error] [net] TCP connection failed: 169.254.169.254:80 (No route to "
                        "host)", "imds-unreachable"),
    ("node-imds", "Error: connect EHOSTUNREACH 169.254.169.254:80 - Local (10.0.0.5:51234)\n    at internalConnect "
                  "(node:net:1086:16)", "imds-unreachable"),
    ("urllib3-imds", "urllib3.exceptions.ConnectTimeoutError: (<botocore.awsrequest.AWSHTTPConnection object at "
                     "0x7f3a>, 'Connection to 169.254.169.254 timed out. (connect timeout=1)')", "imds-unreachable"),
    ("java-ecs-endpoint", "[DEBUG] EC2CredentialsUtils - An IOException occured when connecting to service endpoint: "
                          "http://169.254.170.2/v2/credentials/1f0e6a52\n Retrying to connect again.",
     "container-credentials-failed"),
    # The IMDSv2 token's answer lost on its way back (Go's timeout names `Client.Timeout`, which is no host).
    ("go-imds-token-timeout", "RequestError: send request failed\ncaused by: Put \"http://169.254.169.254/latest/api/"
                              "token\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
     "imds-hop-limit"),
    # The AWS SDK for JavaScript v2 turns a getaddrinfo ENOTFOUND into UnknownEndpoint (event_listeners.js).
    ("node-v2-unknown-endpoint", "UnknownEndpoint: Inaccessible host: `logs.eu-west-1.amazonaws.com' at port "
                                 "`undefined'. This service may not be available in the `eu-west-1' region.\n    at "
                                 "Request.ENOTFOUND_ERROR (/app/node_modules/aws-sdk/lib/event_listeners.js:611:46)",
     "dns-resolution-failed"),
]
READINGS = [
    ("imds-trust", 'curl http://169.254.169.254/latest/meta-data/iam/security-credentials/agent\n{\n  "Code" : '
                   '"AssumeRoleUnauthorizedAccess",\n  "Message" : "EC2 cannot assume the role agent.",\n  '
                   '"LastUpdated" : "2026-11-27T04:00:00Z"\n}', "role-trust-denied"),
    ("states-trust", "$ lambda-tool measure --region eu-west-1\n\nNeither the global service principal states.amazonaws.com, "
                     "nor the regional one is authorized to assume the provided role.", "role-trust-denied"),
    ("tag-session", "An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: User: "
                    "arn:aws:sts::123456789012:assumed-role/ci/session is not authorized to perform: sts:TagSession on "
                    "resource: arn:aws:iam::123456789012:role/deploy", "role-trust-denied"),
    ("explicit-deny-anonymous", '{"__type":"AccessDeniedException","Message":"User: anonymous is not authorized to '
                                'perform: s3:GetObject on resource: arn:aws:s3:::b/k with an explicit deny in a '
                                'resource control policy"}', "explicit-deny"),
    ("empty-env", "AWS_ACCESS_KEY_ID='' AWS_SECRET_ACCESS_KEY='' ./agent\nUnrecognizedClientException: The security "
                  "token included in the request is invalid.", "env-credentials-incomplete"),
    # The same words in a Markdown code span whose quotes were lost on the way into the ticket.
    ("empty-env-code-span", "if using `AWS_ACCESS_KEY_ID=` an exception will be thrown\n{\"__type\":"
                            "\"UnrecognizedClientException\",\"message\":\"The security token included in the "
                            "request is invalid.\"}", "env-credentials-incomplete"),
    ("dotnet-web-identity", "System.InvalidOperationException: A token could not be loaded from the "
                            "WebIdentityTokenFile.\n ---> System.UnauthorizedAccessException: Access to the path "
                            "'/var/run/secrets/eks.amazonaws.com/serviceaccount/token' is denied.",
     "web-identity-token-unreadable"),
    ("go-v1-named-profile", "NoCredentialProviders: no valid providers in chain\ncaused by: EnvAccessKeyNotFound: "
                            "failed to find credentials in the environment.\nSharedCredsLoad: failed to load profile, "
                            "monitoring.\nEC2RoleRequestError: no EC2 instance role found\ncaused by: RequestError: "
                            "send request failed\ncaused by: Get \"http://169.254.169.254/latest/meta-data/iam/"
                            "security-credentials/\": dial tcp 169.254.169.254:80: connect: no route to host",
     "profile-invalid"),
    # Java 2 lists every provider it tried; the ones merely not configured (web identity, container) are no cue.
    ("java2-chain",
                  'software.amazon.awssdk.core.exception.SdkClientException: Unable to load credentials from any of'
                  ' the providers in the chain AwsCredentialsProviderChain(credentialsProviders=[SystemPropertyCred'
                  'entialsProvider(), EnvironmentVariableCredentialsProvider(), WebIdentityTokenCredentialsProvider'
                  '(), ProfileCredentialsProvider(profileName=default, profileFile=ProfileFile(sections=[])), Conta'
                  'inerCredentialsProvider(), InstanceProfileCredentialsProvider()]) : [SystemPropertyCredentialsPr'
                  'ovider(): Unable to load credentials from system settings. Access key must be specified either v'
                  'ia environment variable (AWS_ACCESS_KEY_ID) or system property (aws.accessKeyId)., EnvironmentVa'
                  'riableCredentialsProvider(): Unable to load credentials from system settings. Access key must be'
                  ' specified either via environment variable (AWS_ACCESS_KEY_ID) or system property (aws.accessKey'
                  'Id)., WebIdentityTokenCredentialsProvider(): Either the environment variable AWS_WEB_IDENTITY_TO'
                  'KEN_FILE or the javaproperty aws.webIdentityTokenFile must be set., ProfileCredentialsProvider(p'
                  'rofileName=default, profileFile=ProfileFile(sections=[])): Profile file contained no credentials'
                  " for profile 'default': ProfileFile(sections=[]), ContainerCredentialsProvider(): Cannot fetch c"
                  'redentials from container - neither AWS_CONTAINER_CREDENTIALS_FULL_URI or AWS_CONTAINER_CREDENTI'
                  'ALS_RELATIVE_URI environment variables are set., InstanceProfileCredentialsProvider(): Failed to'
                  ' load credentials from IMDS.]',
     "no-credentials"),
    ("java2-web-identity-alone", "java.lang.IllegalStateException: Either the environment variable "
                                 "AWS_WEB_IDENTITY_TOKEN_FILE or the javaproperty aws.webIdentityTokenFile must be "
                                 "set.\n\tat software.amazon.awssdk.auth.credentials.WebIdentityTokenFileCredentials"
                                 "Provider.<init>(WebIdentityTokenFileCredentialsProvider.java:88)",
     "web-identity-token-unreadable"),
    ("otel-sigv4auth", "Error: failed to get config: invalid configuration: extensions::sigv4auth: bad AWS credentials",
     "no-credentials"),
    ("opensearch-fgac", '{"error":{"root_cause":[{"type":"security_exception","reason":"no permissions for '
                        '[indices:data/write/bulk] and User [name=arn:aws:iam::123456789012:role/fluent-bit, '
                        'backend_roles=[arn:aws:iam::123456789012:role/fluent-bit], requestedTenant=null]"}],"type":'
                        '"security_exception"},"status":403}', "permission-missing"),
    ("opensearch-anonymous", '{"Message":"User: anonymous is not authorized to perform: es:ESHttpPost"}',
     "request-not-signed"),
    # Empty credential chains and expired credentials in the words of other runtimes and tools.
    ("rusoto-chain", 'Error: CredentialsError { message: "Couldn\'t find AWS credentials in environment, credentials '
                     'file, or IAM role." }', "no-credentials"),
    ("cdk-chain", "Error: Need to perform AWS calls for account 123456789012, but no credentials have been configured"
                  "\n    at SdkProvider.forEnvironment (/app/node_modules/aws-cdk/lib/api/aws-auth/sdk-provider.ts:131:19)",
     "no-credentials"),
    ("fluent-bit-signv4", "[2026/11/27 04:00:00] [error] [signv4] Provider returned no credentials, service=logs\n"
                          "[2026/11/27 04:00:00] [error] [aws_client] could not sign request", "no-credentials"),
    ("php-imds-no-role", "Aws\\Exception\\CredentialsException: Error retrieving credentials from the instance profile "
                         "metadata server. (Client error: `GET http://169.254.169.254/latest/meta-data/iam/security-"
                         "credentials/` resulted in a `404 Not Found` response)", "imds-no-role"),
    ("dotnet-expired", "Amazon.Runtime.AmazonClientException: The retrieved credentials have already expired: Now = "
                       "11/27/2026 04:00:00, Credentials expiration = 11/27/2026 03:59:00", "credentials-expired"),
    # S3's wrong-region 301 as aws-sdk-go v1 names it and as Go's HTTP client meets it (no Location header).
    ("go-v1-bucket-region", 'err="BucketRegionError: incorrect region, the bucket is not in \'eu-west-1\' region at '
                            'endpoint \'\'\\n\\tstatus code: 301, request id: , host id: "', "region-mismatch"),
    ("go-http-301", "Error downloading from S3: Get https://logs.s3.amazonaws.com/a.gz: 301 response missing Location "
                    "header", "region-mismatch"),
    ("cognito-pool", "InvalidIdentityPoolConfigurationException: Invalid identity pool configuration. Check assigned "
                     "IAM roles for this pool.", "role-trust-denied"),
    ("s3-key-id-short", "Message=The Access Key Id you provided does not exist in our records.", "access-key-invalid"),
    # A credential source the Java SDK cannot use without its STS module.
    ("java2-sts-module", "java.lang.IllegalStateException: To use web identity tokens, the 'sts' service module must "
                         "be on the class path.\n\tat software.amazon.awssdk.auth.credentials.internal.WebIdentity"
                         "CredentialsUtils.factory(WebIdentityCredentialsUtils.java:54)",
     "sdk-unsupported-credential-source"),
    ("java1-sts-module", "com.amazonaws.SdkClientException: To use assume role profiles the aws-java-sdk-sts module "
                         "must be on the class path.", "sdk-unsupported-credential-source"),
    ("skew-message-only", "Error: Failed to create S3 client\nCaused by:\n    0: Client error\n    1: Forbidden: The "
                          "difference between the request time and the current time is too large.", "clock-skew"),
]



@pytest.mark.parametrize(("printer", "text", "cause"), NETWORK + READINGS, ids=[c[0] for c in NETWORK + READINGS])
def test_each_runtime_and_reading_gives_the_cause(printer: str, text: str, cause: str) -> None:
    assert top_cause(decode_text(text)) == cause, printer


def test_a_proxy_the_text_speaks_of_comes_first_for_a_direct_connect_that_timed_out() -> None:
    text = ("HTTPS_PROXY=http://proxy.corp:3128\ncom.amazonaws.SdkClientException: Unable to execute HTTP request: "
            "Connect to monitoring.eu-west-1.amazonaws.com:443 [monitoring.eu-west-1.amazonaws.com/52.94.1.1] "
            "failed: connect timed out")
    causes = ranked_causes(decode_text(text))
    assert causes[0] == ("proxy-misconfigured", Severity.ERROR)
    assert ("endpoint-unreachable", Severity.WARNING) in causes


def test_a_bodiless_head_answer_is_ranked_readings_with_what_settles_them() -> None:
    report = decode_text(">> An error occurred (403) when calling the HeadObject operation: Forbidden")
    causes = ranked_causes(report)
    # A HeadObject: the missing key first (S3 answers 403 for it without s3:ListBucket; pass 11).
    assert [c for c, _ in causes[:2]] == ["target-not-found", "permission-missing"]
    assert all(s is not Severity.ERROR for _, s in causes)  # the text proves none of them
    found = {f.id: f for f in report.probes[0].findings}
    assert "list-objects-v2" in " ".join(found["decode.target-not-found"].evidence["fix"])


def test_a_bare_403_from_an_aws_endpoint_is_ranked_readings_and_from_elsewhere_nothing() -> None:
    aws = "requests.exceptions.HTTPError: 403 Client Error: Forbidden for url: https://monitoring.eu-west-1.amazonaws.com/"
    causes = ranked_causes(decode_text(aws))
    assert [c for c, _ in causes[:3]] == ["permission-missing", "request-not-signed", "secret-key-mismatch"]
    assert all(s is not Severity.ERROR for _, s in causes)
    assert ranked_causes(decode_text(aws.replace("monitoring.eu-west-1.amazonaws.com", "grafana.example.com"))) == []


def test_a_head_status_line_does_not_outrank_the_body_that_explains_it() -> None:
    text = ("boto.exception.S3ResponseError: S3ResponseError: 400 Bad Request\n<?xml version=\"1.0\" encoding=\"UTF-8"
            "\"?>\n<Error><Code>InvalidRequest</Code><Message>The authorization mechanism you have provided is not "
            "supported. Please use AWS4-HMAC-SHA256.</Message><RequestId>61E7C278C090239B</RequestId></Error>")
    assert top_cause(decode_text(text)) == "request-not-signed"


@pytest.mark.parametrize(("text", "server"), [
    ('time="2026-11-27T04:00:00Z" level=warning msg="backup storage location unavailable: InvalidAccessKeyId: \\n\\t'
     'status code: 403, request id: tx00000000000000a1b2c3d-0065a1b2c3-9d3682b-fra1b, host id: "', "Ceph"),
    ('err="upload: Put \\"https://logs.s3.eu-central-2.wasabisys.com/chunk\\": SignatureDoesNotMatch: The request '
     'signature we calculated does not match the signature you provided."', "Wasabi"),
    ("---[ RESPONSE ]--------------------------------------\nHTTP/1.1 403 Forbidden\nContent-Length: 291\nServer: "
     "MinIO\nX-Amz-Request-Id: 17B1A2C3D4E5F607\n\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request "
     "signature we calculated does not match the signature you provided. Check your key and signing method."
     "</Message></Error>", "MinIO"),
    # No x-amz-id-2: AWS S3 sends it with every answer.
    ("2026/11/27 04:00:00 NOTICE: Failed to ls: operation error S3: ListBuckets, https response error StatusCode: 403, "
     "RequestID: , HostID: , api error SignatureDoesNotMatch: UnknownError", "not AWS"),
    ('level=error msg="module failed" err="SignatureDoesNotMatch: The request signature we calculated does not match '
     'the signature you provided.\\n\\tstatus code: 403, request id: 1699FC02BBE5816F, host id: "', "not AWS"),
])
def test_an_s3_compatible_server_gets_no_aws_cause_as_an_error(text: str, server: str) -> None:
    report = decode_text(text)
    assert all(s is not Severity.ERROR for _, s in ranked_causes(report)), ranked_causes(report)
    assert any(server in f.message for f in report.probes[0].findings)


def test_the_same_error_from_aws_itself_is_still_an_error() -> None:
    text = ('err="upload: Put \\"https://logs.s3.eu-central-2.amazonaws.com/chunk\\": SignatureDoesNotMatch: The '
            'request signature we calculated does not match the signature you provided."')
    assert undecided_first(text) == "secret-key-mismatch"


# Every text, those whose phrase no capitalised prefilter word marks and Go's chains too: a paste is searched for
# the table's shapes however spaced or wrapped, and a chain stays one record (tests/decode/test_reading.py).
MANGLED = NETWORK + READINGS


def _named(printer: str) -> tuple[str, str, str]:
    return next(m for m in MANGLED if m[0] == printer)


# Damage random draws have shown to change a reading, kept as examples every run tries: a text wrapped at its words
# whose two longest lines happen to be as long (read as a terminal's cut and joined without the space), inside
# Terraform's margin or quoted; a terminal box wrapped again (its sides on lines of their own); JSON in JSON, escaped.
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(MANGLED), st.lists(st.sampled_from(sorted(MANGLERS)), min_size=1, max_size=3))
@example(_named("opensearch-fgac"), ["terraform-margin", "wrap"])
@example(_named("opensearch-fgac"), ["json-log", "drop-quotes", "wrap"])
@example(_named("opensearch-fgac"), ["markdown-quote", "wrap", "code-span"])
@example(_named("opensearch-fgac"), ["wrap", "box", "wrap"])
@example(_named("node-enotfound"), ["json-in-json", "escape-again", "wrap"])
def test_mangled_runtime_text_keeps_its_top_cause(case: tuple[str, str, str], mangles: list[str]) -> None:
    printer, text, cause = case
    for name in mangles:
        text = MANGLERS[name](text)
    assert top_cause(decode_text(text)) == cause, (printer, mangles, text[:400])


def test_an_empty_chain_on_an_ec2_instance_offers_the_missing_instance_profile() -> None:
    text = ("[ec2-user@ip-10-0-1-23 ~]$ aws sts get-caller-identity\nUnable to locate credentials. You can configure "
            "credentials by running \"aws configure\".")
    assert [c for c, _ in ranked_causes(decode_text(text))[:2]] == ["no-credentials", "imds-no-role"]


def test_the_rust_sdk_timing_out_on_instance_metadata_is_read_as_instance_metadata() -> None:
    text = ("failed to construct request: Failed to load credentials from the credentials provider: An error occurred "
            "while loading credentials: An IO error occurred communicating with IMDS: timeout: HTTP read timeout "
            "occurred after 1s")
    causes = [c for c, _ in ranked_causes(decode_text(text))]
    assert causes[0] in ("imds-hop-limit", "imds-unreachable"), causes
    assert "no-credentials" not in causes[:1]
