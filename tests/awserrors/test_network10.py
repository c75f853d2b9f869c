"""Pass 10's network readings: host names with a region no partition has, and the C++, Java 2.x proxy-tunnel and
Crystal wordings of failed requests.

A name built from a wrong region setting (`us-east`, an availability zone, GCP's `us-east1`) never resolves, so a
runtime that words the failure as a refused or failed connection still failed its look-up; the fix is the region.
Texts in the runtimes' own words (sources in checks/errors/network10.toml and network_readings.py); hosts, addresses
and ARNs are made up.
"""

from __future__ import annotations

import pytest

from sigdoctor.awserrors.awshosts import impossible_host, known_regions
from sigdoctor.model import Severity
from tests.decode.conftest import decode_text, finding, text_causes

_GO_V1 = "RequestError: send request failed\ncaused by: "


@pytest.mark.parametrize("host, word", [
    ("sts.us-east.amazonaws.com", "'us-east'"),
    ("s3.eu-west.amazonaws.com", "'eu-west'"),
    ("logs.us-east-1a.amazonaws.com", "availability zone of us-east-1"),
    ("s3-us-east1.amazonaws.com", "'us-east1'"),
    ("mybucket.s3-us-east1.amazonaws.com", "'us-east1'"),
    ("sts.us-east-9.amazonaws.com", "'us-east-9'"),
    ("chunks.amazonaws.com", "'chunks'"),
])
def test_a_name_with_no_real_region_is_impossible(host: str, word: str) -> None:
    why = impossible_host(host)
    assert why is not None and word in why, why


@pytest.mark.parametrize("host", [
    "sts.us-east-1.amazonaws.com", "sts.amazonaws.com", "s3.amazonaws.com", "iam.amazonaws.com",
    "s3-us-west-2.amazonaws.com", "s3-external-1.amazonaws.com", "bucket.s3-eu-west-1.amazonaws.com",
    "s3-website-us-east-1.amazonaws.com", "mybucket.s3.amazonaws.com", "s3.dualstack.us-east-1.amazonaws.com",
    "logs.eu-south-2.amazonaws.com", "sqs.us-gov-west-1.amazonaws.com", "ec2.amazonaws.com",
    "abc123.execute-api.us-east-1.amazonaws.com", "example.com", "sts.cn-north-1.amazonaws.com.cn",
])
def test_real_names_are_not_impossible(host: str) -> None:
    assert impossible_host(host) is None


def test_the_region_list_is_botocores() -> None:
    assert {"us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1"} <= known_regions()


@pytest.mark.parametrize("text", [
    # botocore: the look-up's gaierror inside EndpointConnectionError.
    'Could not connect to the endpoint URL: "https://sts.us-east.amazonaws.com/"',
    # Go v1 connect wording around an availability zone used as the region.
    _GO_V1 + 'Post "https://logs.us-east-1a.amazonaws.com/": dial tcp: lookup logs.us-east-1a.amazonaws.com: '
             "no such host",
    # Java 1.x: the connect failure's words, a region without its number.
    "com.amazonaws.SdkClientException: Unable to execute HTTP request: Connect to s3.eu-west.amazonaws.com:443 "
    "failed: connect timed out",
    # Go v1 cut before its cause: the host alone (a bucket name where the service and region go).
    _GO_V1 + 'Delete "https://chunks.amazonaws.com/loki_cluster_seed.json',
])
def test_an_impossible_host_is_a_lookup_failure_whatever_the_words(text: str) -> None:
    report = decode_text(text)
    causes = text_causes(text)
    assert causes[0] == ("dns-resolution-failed", Severity.ERROR), causes
    assert "region" in finding(report, "dns-resolution-failed").message


def test_a_real_host_keeps_its_connect_reading() -> None:
    causes = text_causes('Could not connect to the endpoint URL: "https://sts.us-east-1.amazonaws.com/"')
    assert causes[0] == ("endpoint-unreachable", Severity.ERROR)
    assert "dns-resolution-failed" not in [c for c, _ in causes]


@pytest.mark.parametrize("text", [
    # aws-sdk-cpp 1.7: NETWORK_CONNECTION (99) as an application logs it.
    "sts_client.AssumeRole Failed. STS Error Type: [99], Message: [Unable to connect to endpoint with address : "
    "52.94.0.10], Role Arn: [arn:aws:iam::111122223333:role/example]",
    # aws-sdk-cpp 1.11 over curl.
    "PutObject failed: curlCode: 7, Couldn't connect to server",
    # curl's timeout (28) read where it names an AWS endpoint.
    "GetObject https://s3.us-west-2.amazonaws.com/bucket/key failed: curlCode: 28, Timeout was reached",
])
def test_cpp_sdk_connect_failures(text: str) -> None:
    assert text_causes(text)[0] == ("endpoint-unreachable", Severity.ERROR)


def test_cpp_sdk_timeout_without_a_host_names_no_cause() -> None:
    # curl's 28 is a timeout of any phase (a slow answer on a made connection too): alone, nothing to blame.
    causes = text_causes("tag=CurlHttpClient message=Curl returned error code 28 - Timeout was reached")
    assert not [c for c, s in causes if s == Severity.ERROR], causes


def test_cpp_sdk_lookup_failure() -> None:
    causes = text_causes("GetObject failed: curlCode: 6, Couldn't resolve host name")
    assert causes[0] == ("dns-resolution-failed", Severity.ERROR)


def test_cpp_sdk_untrusted_certificate() -> None:
    causes = text_causes("ListBuckets failed: curlCode: 60, SSL peer certificate or SSH remote key was not OK")
    assert causes[0] == ("tls-untrusted", Severity.ERROR)


@pytest.mark.parametrize("text", [
    # Java 2.x Netty client: the CONNECT could not be sent.
    "software.amazon.awssdk.core.exception.SdkClientException: Unable to execute HTTP request: Unable to send "
    "CONNECT request to proxy",
    # Java 2.x Netty client: the proxy answered the CONNECT with something other than 200.
    "software.amazon.awssdk.core.exception.SdkClientException: Unable to execute HTTP request: Could not connect "
    "to proxy\nCaused by: java.io.IOException: Could not connect to proxy",
    # Apache HttpClient 4 (Java 1.x, Java 2.x's sync client).
    "com.amazonaws.SdkClientException: Unable to execute HTTP request: CONNECT refused by proxy: HTTP/1.1 403 "
    "Forbidden\nCaused by: org.apache.http.impl.execchain.TunnelRefusedException: CONNECT refused by proxy: "
    "HTTP/1.1 403 Forbidden",
    # The CRT client.
    "software.amazon.awssdk.crt.http.HttpException: Proxy-based connection establishment failed because the "
    "CONNECT call failed",
])
def test_java_proxy_tunnel_failures(text: str) -> None:
    assert text_causes(text)[0] == ("proxy-misconfigured", Severity.ERROR)


def test_crystal_lookup_failure() -> None:
    causes = text_causes("Unhandled exception: Hostname lookup for logs.eu-west-1.amazonaws.com failed: No address "
                         "found (Socket::Addrinfo::Error)")
    assert causes[0] == ("dns-resolution-failed", Severity.ERROR)


def test_java_pkix_failure_offers_interception_second() -> None:
    causes = text_causes("com.amazonaws.SdkClientException: Unable to execute HTTP request: sun.security.validator."
                         "ValidatorException: PKIX path building failed: sun.security.provider.certpath."
                         "SunCertPathBuilderException: unable to find valid certification path to requested target")
    assert causes[0] == ("tls-untrusted", Severity.ERROR)
    assert ("tls-intercepted", Severity.WARNING) in causes[1:3]


def test_an_inspecting_products_name_is_said() -> None:
    # Go's UnknownAuthorityError names the candidate authority it tried (crypto/x509/verify.go).
    text = (_GO_V1 + 'Post "https://sts.eu-west-1.amazonaws.com/": x509: certificate signed by unknown authority '
            '(possibly because of "crypto/rsa: verification error" while trying to verify candidate authority '
            'certificate "Zscaler Root CA")')
    causes = text_causes(text)
    assert causes[0] == ("tls-untrusted", Severity.ERROR)
    assert "tls-intercepted" in [c for c, _ in causes[1:3]]
    messages = [f.message for f in decode_text(text).probes[0].findings if f.id == "decode.tls-intercepted"]
    assert messages and "Zscaler" in messages[0]


def test_a_proxy_variable_beside_a_failed_verification_offers_interception() -> None:
    causes = text_causes("export HTTPS_PROXY=http://proxy.example.com:3128\n$ aws s3 ls\n\n"
                         "SSL validation failed for https://s3.us-west-2.amazonaws.com/ [SSL: CERTIFICATE_VERIFY_FAILED] "
                         "certificate verify failed (_ssl.c:1129)")
    assert causes[0] == ("tls-untrusted", Severity.ERROR)
    assert "tls-intercepted" in [c for c, _ in causes[1:3]]


def test_nettys_proxy_handler_failure() -> None:
    causes = text_causes("io.netty.handler.proxy.HttpProxyHandler$HttpProxyConnectException: http, none, "
                         "proxy.example.com/10.0.0.8:3128 => sqs.us-east-1.amazonaws.com:443, status: 407 Proxy "
                         "Authentication Required")
    assert causes[0] == ("proxy-misconfigured", Severity.ERROR)
