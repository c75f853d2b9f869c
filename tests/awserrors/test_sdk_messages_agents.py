"""What `decode` makes of the credential, metadata and connection messages of AWS clients that are not an AWS SDK:
Fluent Bit's C client (checks/errors/fluent-bit.toml), s3fs, the CloudWatch monitoring scripts, Metricbeat's early
aws module and the ECS agent's introspection answer (checks/errors/tools.toml), and the runtime messages of
checks/errors/network.toml for requests on Python 2, TLS spoken to plain HTTP, and header values with a newline.

Each text has the shape its source prints (file and release cited in the table); hosts, paths and ids are made up.
"""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import decode_text, text_causes, top_cause, undecided_first

_FB = "[2026/12/06 10:00:00] "

MESSAGES = [
    # Fluent Bit's profile provider: the profile it reads has no key pair.
    ("fluent-bit-profile-keys", f"{_FB}[error] [aws_credentials] aws_access_key_id and aws_secret_access_key keys not "
                                "parsed in shared credentials file for profile telemetry.\n"
                                f"{_FB}[error] [aws_credentials] Could not parse shared credentials file: valid "
                                "profile with name 'telemetry' not found", "profile-invalid"),
    ("fluent-bit-profile-header", f"{_FB}[ warn] [aws_credentials] Profile header has no ending bracket:\n [telemetry",
     "profile-invalid"),
    # HTTP_PROXY without NO_PROXY: the IMDS client is pointed at the proxy and refuses it.
    ("fluent-bit-imds-behind-proxy", f"{_FB}[debug] [imds] ec2_imds_client tcp host must be set to 169.254.169.254\n"
                                     f"{_FB}[error] [aws_credentials] EC2 IMDS configuration error\n"
                                     f"{_FB}[error] [output:cloudwatch_logs:cw.0] Failed to create AWS Credential "
                                     "Provider", "proxy-misconfigured"),
    ("fluent-bit-imds-token-refresh", f"{_FB}[debug] [aws_client] (null): http_do=0, HTTP Status: 401\n{_FB}[ warn] "
                                      "[net] sync io_read #43 timeout after 1 seconds from: tcp://169.254.169.254:80\n"
                                      f"{_FB}[debug] [imds] failed to refresh IMDSv2 token", "imds-hop-limit"),
    ("fluent-bit-token-file", f"{_FB}[error] [aws_credentials] Could not read web identify token file\n{_FB}[error] "
                              "[signv4] Provider returned no credentials, service=firehose",
     "web-identity-token-unreadable"),
    ("fluent-bit-container-uri", f"{_FB}[error] [aws credentials] AWS_CONTAINER_CREDENTIALS_FULL_URI must be set to "
                                 "an https:// address, a link local IP address, or localhost with Greengrass "
                                 "credential provider path. Found protocol=http, host=creds.internal, port=8080, "
                                 "path=/role", "container-credentials-failed"),
    ("fluent-bit-tls", f"{_FB}[error] [tls] certificate verification failed, reason: self-signed certificate in "
                       "certificate chain (X509 code: 19)", "tls-untrusted"),
    ("fluent-bit-tls-old", "[tls] certificate verification failed, reason: unable to get local issuer certificate "
                           "(X509 code 20).", "tls-untrusted"),
    # s3fs
    ("s3fs-nothing", "2026-12-06T10:00:00.000Z [CRT] s3fs.cpp:s3fs_exit(4700): could not determine how to establish "
                     "security credentials.", "no-credentials"),
    ("s3fs-passwd-file", "s3fs: Not found access key/secret key in passwd file.",
     "profile-invalid"),
    ("s3fs-half-pair", "s3fs: both environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set "
                       "together.", "env-credentials-incomplete"),
    ("s3fs-session-token", "s3fs: AWS session token was expected but wasn't provided in aws/credentials file for "
                           "profile: telemetry.", "session-token-missing"),
    ("s3fs-region", "2026-12-06T10:00:00.000Z [CRT] s3fs.cpp:s3fs_check_service(3520): The bucket region is not "
                    "'us-east-1'(default), it is correctly 'eu-west-1'. You should specify region(eu-west-1) option.",
     "region-mismatch"),
    ("s3fs-iam-role", "2026-12-06T10:00:00.000Z [ERR] s3fs_cred.cpp:LoadIAMRoleFromMetaData(480): failed to get IAM "
                      "Role token from meta data.", "imds-no-role"),
    # The CloudWatch monitoring scripts for EC2.
    ("mon-scripts-no-role", "ERROR: No IAM role is associated with this EC2 instance.", "imds-no-role"),
    ("mon-scripts-empty-key", "ERROR: Provided empty AWS access key id.", "profile-invalid"),
    # Metricbeat 7.0's aws module demands static keys.
    ("metricbeat-required-keys", "2026-12-06T10:00:00.000Z\tERROR\tinstance/beat.go:877\tExiting: missing required "
                                 "field accessing '0.secret_access_key' (source:'/etc/metricbeat/modules.d/aws.yml')",
     "sdk-unsupported-credential-source"),
    # The ECS agent's introspection API answering a task's credentials request.
    ("ecs-introspection-answer", "$ curl 169.254.170.2/v2/credentials/0f3c6a1e-1111-2222-3333-444455556666\n"
                                 '{"AvailableCommands":["/v1/metadata","/v1/tasks","/license"]}',
     "container-credentials-failed"),
    # kubectl with an exec plugin config an old AWS CLI wrote; boto 2 with no keys.
    ("kubectl-v1alpha1", 'error: exec plugin: invalid apiVersion "client.authentication.k8s.io/v1alpha1"',
     "sdk-unsupported-credential-source"),
    ("boto2-no-handler", "boto.exception.NoAuthHandlerFound: No handler was ready to authenticate. 1 handlers were "
                         "checked. ['HmacAuthV4Handler'] Check your credentials", "no-credentials"),
    # Envoy's AWS signing filter, its credentials endpoint answering with an error status.
    ("envoy-task-role", "[2026-12-06 10:00:00.000][22][debug][aws] [source/extensions/common/aws/credentials_provider_impl"
                        ".cc:288] Getting AWS credentials from the task role at URI: http://169.254.170.2/v2/credentials/"
                        "0f3c6a1e\n[2026-12-06 10:00:00.001][22][debug][misc] [source/extensions/common/aws/utility.cc:"
                        "300] Could not fetch AWS metadata: HTTP response code said error",
     "container-credentials-failed"),
    # Runtime messages.
    ("python2-requests-refused", "  File \"/usr/lib/python2.7/site-packages/botocore/vendored/requests/adapters.py\", "
                                 "line 415, in send\n    raise ConnectionError(err, request=request)\nConnectionError: "
                                 "('Connection aborted.', error(111, 'Connection refused'))", "endpoint-unreachable"),
    ("ruby-tls-to-plain-http", "error_class=Seahorse::Client::NetworkingError error=\"SSL_connect returned=1 errno=0 "
                               "state=SSLv3/TLS write client hello: wrong version number\"", "proxy-misconfigured"),
    ("go-tls-to-plain-http", 'RequestError: send request failed\ncaused by: Post "https://sts.eu-west-1.amazonaws.com/":'
                             " tls: first record does not look like a TLS handshake", "proxy-misconfigured"),
    ("go-header-newline", 'RequestError: send request failed\ncaused by: Post "https://secretsmanager.eu-west-1.'
                          'amazonaws.com/": net/http: invalid header field value for "Authorization"',
     "access-key-invalid"),
    ("go-token-newline", 'RequestError: send request failed\ncaused by: Post "https://logs.eu-west-1.amazonaws.com/": '
                         'net/http: invalid header field value for "X-Amz-Security-Token"', "session-token-missing"),
    ("ruby-header-newline", "ArgumentError: header field value cannot include CR/LF\n  /usr/lib/ruby/3.2.0/net/http/"
                            "header.rb:27:in `block in initialize_http_header'", "access-key-invalid"),
]


@pytest.mark.parametrize(("printer", "text", "cause"), MESSAGES, ids=[c[0] for c in MESSAGES])
def test_each_message_gives_its_cause(printer: str, text: str, cause: str) -> None:
    assert top_cause(decode_text(text)) == cause, printer



def test_fluent_bit_s_chain_passing_a_missing_credentials_file_is_the_empty_chain_not_a_broken_profile() -> None:
    # The profile provider reports a missing file as an error each time the chain reaches it: in a container with
    # no file, the failure is that no source gave credentials.
    text = (f"{_FB}[error] [aws_credentials] Shared credentials file /root/.aws/credentials does not exist\n"
            f"{_FB}[error] [aws_credentials] Failed to retrieve credentials for AWS Profile default\n"
            f"{_FB}[error] [signv4] Provider returned no credentials, service=logs")
    causes = text_causes(text)
    assert causes[0] == ("no-credentials", Severity.WARNING)
    assert undecided_first(text) == "no-credentials"
    assert ("profile-invalid", Severity.ERROR) not in causes


def test_fluent_bit_s_profile_provider_lines_alone_are_no_error() -> None:
    # The chain walks its sources this way while instance metadata is slow at start-up, and may still succeed.
    text = (f"{_FB}[error] [aws_credentials] Shared credentials file /root/.aws/credentials does not exist\n"
            f"{_FB}[error] [aws_credentials] Failed to retrieve credentials for AWS Profile default")
    causes = text_causes(text)
    assert causes and all(sev == Severity.WARNING for _, sev in causes)


def test_fluent_bit_s_failed_assume_role_alone_is_only_ranked_readings() -> None:
    # STS's answer code, when there was one, stands on the line before; without it the text cannot decide.
    causes = text_causes(f"{_FB}[error] [aws_credentials] STS assume role request failed")
    assert causes and all(sev == Severity.WARNING for _, sev in causes)
    assert causes[0][0] == "role-trust-denied"


def test_s3fs_s_bare_403_on_its_mount_check_is_only_ranked_readings() -> None:
    text = ("2026-12-06T10:00:00.000Z [CRT] s3fs.cpp:s3fs_check_service(3587): invalid credentials(host=https://s3-"
            "eu-west-1.amazonaws.com/logs) - result of checking service.")
    assert text_causes(text) == [("permission-missing", Severity.WARNING), ("access-key-invalid", Severity.WARNING),
                             ("no-credentials", Severity.WARNING)]


def test_kubectl_s_401_from_eks_is_ranked_readings_in_the_table_s_order() -> None:
    text = ("$ aws eks update-kubeconfig --name telemetry --region eu-west-1\n$ kubectl get pods\nerror: You must be "
            "logged in to the server (Unauthorized)")
    assert text_causes(text) == [("credentials-expired", Severity.WARNING), ("clock-skew", Severity.WARNING)]


def test_kubectl_s_401_without_eks_in_the_text_is_no_error() -> None:
    # Any Kubernetes cluster answers 401 in kubectl's words (GKE, AKS, OpenShift): no error-severity reading. Pasted
    # into sigdoctor it was EKS in each of the corpus's 8 texts without an EKS word (checks/errors/agents9.toml), so
    # the expired token is offered as a warning.
    causes = text_causes("$ kubectl get pods\nerror: You must be logged in to the server (Unauthorized)")
    assert causes == [("credentials-expired", Severity.WARNING), ("clock-skew", Severity.WARNING)]


def test_botocore_s_own_proxies_argument_in_a_traceback_is_no_proxy_cue() -> None:
    # botocore/endpoint.py's `proxies=self.proxies` is printed in every traceback through _send.
    text = ("  File \"/usr/lib/python2.7/site-packages/botocore/endpoint.py\", line 204, in _get_response\n"
            "    proxies=self.proxies, timeout=self.timeout)\n  File \"/usr/lib/python2.7/site-packages/botocore/"
            "vendored/requests/adapters.py\", line 415, in send\n    raise ConnectionError(err, request=request)\n"
            "ConnectionError: ('Connection aborted.', error(111, 'Connection refused'))")
    assert text_causes(text)[0] == ("endpoint-unreachable", Severity.ERROR)


def test_a_certificate_name_mismatch_in_fluent_bit_s_words_is_no_untrusted_ca() -> None:
    text = f"{_FB}[error] [tls] certificate verification failed, reason: hostname mismatch (X509 code: 62)"
    assert top_cause(decode_text(text)) != "tls-untrusted"
