"""The environments of the model-vs-real-SDK matrix.

Paths in `env` and `files` use `{base}` (the case's own directory) so every case gets fresh files; HOME is
`{base}/home`. Endpoints are the fakes of netns_driver (IMDS answers at its default address unless a case says
otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.gosdk.netns_driver import CLOSED_PORT, CONTAINER_PORT, CONTAINER_TOKEN, IMDS_ALT_PORT, POD_TOKEN

KEY = "AKIAFAKEFAKEFAKE0001"
SECRET = "fake/secret/for/the/sdk/matrix/0001"
ROLE = "arn:aws:iam::111122223333:role/agent"
TOKEN_FILE = "{base}/token"
JWT = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0ZXN0In0.c2ln"
KEYS_INI = f"aws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n"
PROCESS_SCRIPT = f'#!/bin/sh\necho \'{{"Version": 1, "AccessKeyId": "{KEY}", "SecretAccessKey": "{SECRET}"}}\'\n'


@dataclass(frozen=True)
class Case:
    id: str
    what: str
    env: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # path (with {base}) → content
    profile: str | None = None  # set in code (session.Options.Profile / WithSharedConfigProfile / --profile)
    imds_up: bool = True


CASES: tuple[Case, ...] = (
    Case(
        "env-keys",
        "AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY",
        {"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET},
    ),
    Case("env-key-only", "AWS_ACCESS_KEY_ID without its secret", {"AWS_ACCESS_KEY_ID": KEY}),
    Case("env-keys-old-names", "AWS_ACCESS_KEY + AWS_SECRET_KEY", {"AWS_ACCESS_KEY": KEY, "AWS_SECRET_KEY": SECRET}),
    Case(
        "env-keys+web-identity",
        "env keys and IRSA",
        {
            "AWS_ACCESS_KEY_ID": KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET,
            "AWS_ROLE_ARN": ROLE,
            "AWS_WEB_IDENTITY_TOKEN_FILE": TOKEN_FILE,
        },
        {TOKEN_FILE: JWT},
    ),
    Case(
        "web-identity",
        "IRSA: token file + role",
        {"AWS_ROLE_ARN": ROLE, "AWS_WEB_IDENTITY_TOKEN_FILE": TOKEN_FILE},
        {TOKEN_FILE: JWT},
    ),
    Case(
        "web-identity-no-role",
        "token file without AWS_ROLE_ARN",
        {"AWS_WEB_IDENTITY_TOKEN_FILE": TOKEN_FILE},
        {TOKEN_FILE: JWT},
    ),
    Case(
        "web-identity-token-missing",
        "IRSA whose token file does not exist",
        {"AWS_ROLE_ARN": ROLE, "AWS_WEB_IDENTITY_TOKEN_FILE": "{base}/no-such-token"},
    ),
    Case(
        "credentials-file",
        "[default] keys in ~/.aws/credentials",
        files={"{base}/home/.aws/credentials": "[default]\n" + KEYS_INI},
    ),
    Case(
        "config-file-keys",
        "[default] keys in ~/.aws/config only",
        files={"{base}/home/.aws/config": "[default]\n" + KEYS_INI},
    ),
    Case(
        "config-file-keys+load-config",
        "keys in ~/.aws/config, AWS_SDK_LOAD_CONFIG=1",
        {"AWS_SDK_LOAD_CONFIG": "1"},
        {"{base}/home/.aws/config": "[default]\n" + KEYS_INI},
    ),
    Case(
        "profile-assume-role",
        "AWS_PROFILE=dev: role_arn + source_profile in config",
        {"AWS_PROFILE": "dev"},
        {
            "{base}/home/.aws/config": f"[profile dev]\nrole_arn = {ROLE}\nsource_profile = base\n",
            "{base}/home/.aws/credentials": "[base]\n" + KEYS_INI,
        },
    ),
    Case(
        "profile-missing+env-keys",
        "AWS_PROFILE names no profile; env keys set",
        {"AWS_PROFILE": "nope", "AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET},
    ),
    Case(
        "credential-process",
        "credential_process in [default] of ~/.aws/config",
        files={
            "{base}/home/.aws/config": "[default]\ncredential_process = sh {base}/creds.sh\n",
            "{base}/creds.sh": PROCESS_SCRIPT,
        },
    ),
    Case(
        "ecs-relative",
        "ECS task role (relative URI)",
        {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/task"},
    ),
    Case(
        "container-full-loopback",
        "full URI on loopback + AWS_CONTAINER_AUTHORIZATION_TOKEN",
        {
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": f"http://127.0.0.1:{CONTAINER_PORT}/auth/credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": CONTAINER_TOKEN,
        },
    ),
    Case(
        "pod-identity",
        "EKS Pod Identity: 169.254.170.23 + token file",
        {
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.23/v1/credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "{base}/pod-token",
        },
        {"{base}/pod-token": POD_TOKEN},
    ),
    Case(
        "pod-identity-token-file-loopback",
        "loopback full URI whose token is only in a file",
        {
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": f"http://127.0.0.1:{CONTAINER_PORT}/pod/credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "{base}/pod-token",
        },
        {"{base}/pod-token": POD_TOKEN},
    ),
    Case(
        "relative+full-uri",
        "both container URIs set",
        {
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": f"http://127.0.0.1:{CONTAINER_PORT}/open/full",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/task",
        },
    ),
    Case("imds", "nothing configured: IMDS at 169.254.169.254"),
    Case(
        "imds-endpoint-override",
        "IMDS via AWS_EC2_METADATA_SERVICE_ENDPOINT",
        {"AWS_EC2_METADATA_SERVICE_ENDPOINT": f"http://127.0.0.1:{IMDS_ALT_PORT}"},
    ),
    Case(
        "imds-unreachable",
        "IMDS endpoint does not answer",
        {"AWS_EC2_METADATA_SERVICE_ENDPOINT": f"http://127.0.0.1:{CLOSED_PORT}"},
        imds_up=False,
    ),
    Case("imds-disabled", "AWS_EC2_METADATA_DISABLED=true", {"AWS_EC2_METADATA_DISABLED": "true"}),
    Case(
        "credentials-file+ecs",
        "[default] keys and an ECS relative URI",
        {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/task"},
        {"{base}/home/.aws/credentials": "[default]\n" + KEYS_INI},
    ),
    Case(
        "credentials-file-partial",
        "[default] has aws_access_key_id only",
        files={"{base}/home/.aws/credentials": f"[default]\naws_access_key_id = {KEY}\n"},
    ),
    Case(
        "web-identity-in-config",
        "web_identity_token_file + role_arn in [default] of ~/.aws/config",
        files={
            "{base}/home/.aws/config": f"[default]\nweb_identity_token_file = {TOKEN_FILE}\nrole_arn = {ROLE}\n",
            TOKEN_FILE: JWT,
        },
    ),
    Case(
        "code-profile+env-keys",
        "profile dev set in code beats env keys",
        {"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET},
        {"{base}/home/.aws/credentials": "[dev]\n" + KEYS_INI},
        profile="dev",
    ),
    Case(
        "default-profile-env",
        "AWS_DEFAULT_PROFILE=dev",
        {"AWS_DEFAULT_PROFILE": "dev"},
        {"{base}/home/.aws/credentials": "[dev]\n" + KEYS_INI},
    ),
    Case(
        "credential-source-imds+load-config",
        "role_arn + credential_source Ec2InstanceMetadata",
        {"AWS_SDK_LOAD_CONFIG": "true"},
        {"{base}/home/.aws/config": f"[default]\nrole_arn = {ROLE}\ncredential_source = Ec2InstanceMetadata\n"},
    ),
)
