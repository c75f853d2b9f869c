"""The botocore seam (sigdoctor/botoseam.py) against the installed botocore: every private name it relies on is
still there, and every seam function still does its job. CI runs this module against the pinned floor and the
newest botocore; a failure names the attribute, its botocore class and the seam function that needs it.

Needs only sigdoctor's runtime dependencies and pytest (CI runs it in bare venvs with --noconftest)."""

from __future__ import annotations

import datetime
import hashlib
import importlib
from typing import Any

import botocore
import botocore.credentials as bc
import botocore.loaders
import botocore.session
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.configprovider import ConfiguredEndpointProvider
from botocore.httpsession import URLLib3Session

from sigdoctor import botoseam

ENV = {"AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true"}


@pytest.fixture(autouse=True)
def _no_aws_files(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    for k in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS"):
        monkeypatch.delenv(k, raising=False)


def _class(owner: str) -> type:
    module, _, name = owner.rpartition(".")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def _instances() -> dict[str, list[Any]]:
    """Real botocore objects of each class the seam reaches into, built the way sigdoctor gets them."""
    session = botocore.session.Session()
    resolver = bc.create_credential_resolver(session)
    found: dict[str, list[Any]] = {"botocore.session.Session": [session]}
    for p in resolver.providers:
        found.setdefault(f"botocore.credentials.{type(p).__name__}", []).append(p)
        if isinstance(p, bc.InstanceMetadataProvider):
            found["botocore.utils.InstanceMetadataFetcher"] = [p._role_fetcher]
        if isinstance(p, bc.AssumeRoleProvider):
            sourcer = p._credential_sourcer
            found[f"botocore.credentials.{type(sourcer).__name__}"] = [sourcer]
        if isinstance(p, bc.SSOProvider):
            found["botocore.tokens.SSOTokenProvider"] = [p._token_provider]
    found["botocore.credentials.RefreshableCredentials"] = [bc.RefreshableCredentials(
        "AKIDEXAMPLE", "secret", "token", datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC),
        lambda: {}, "test")]
    found["botocore.loaders.Loader"] = [botocore.loaders.Loader()]
    client = session.create_client("sts", region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE",
                                    aws_secret_access_key="secret")
    found["botocore.client.BaseClient"] = [client]
    found["botocore.httpsession.URLLib3Session"] = [URLLib3Session()]
    return found


_INSTANCES: dict[str, list[Any]] = {}


@pytest.mark.parametrize("private", botoseam.PRIVATE, ids=lambda p: f"{p.owner.rsplit('.', 1)[1]}.{p.name}")
def test_private_name_is_still_there(private: botoseam.Private) -> None:
    where = (f"botocore {botocore.__version__}: {private.owner}.{private.name} ({private.kind}) is gone; "
             f"sigdoctor.botoseam.{private.used_by} relies on it — adapt the seam or cap botocore below this release")
    try:
        cls = _class(private.owner)
    except (ImportError, AttributeError):
        pytest.fail(f"botocore {botocore.__version__}: no class {private.owner}; "
                    f"sigdoctor.botoseam.{private.used_by} relies on it")
    if private.kind == "method":
        assert callable(getattr(cls, private.name, None)), where
        return
    if not _INSTANCES:
        _INSTANCES.update(_instances())
    objects = _INSTANCES.get(private.owner)
    assert objects, f"botocore {botocore.__version__}: could not build a {private.owner} to look for {private.name}"
    assert all(hasattr(o, private.name) for o in objects), where


# ---- each seam function still does its job -----------------------------------------------------------------------
def test_session_credentials_are_what_clients_sign_with() -> None:
    session = botocore.session.Session()
    creds = bc.Credentials("AKIDSEAM", "secret", None, method="test")
    botoseam.set_session_credentials(session, creds)
    assert session.get_credentials() is creds


def test_endpoint_url_provider_reads_the_environment_we_give() -> None:
    session = botocore.session.Session()

    def install(client_name: str, config_store: Any) -> None:
        provider = ConfiguredEndpointProvider(full_config=session.full_config, scoped_config=session.get_scoped_config(),
                                              client_name=client_name, environ={"AWS_ENDPOINT_URL_STS": "http://127.0.0.1:9"})
        config_store.set_config_provider(logical_name="endpoint_url", provider=provider)

    botoseam.set_endpoint_url_provider(session, install)
    client = session.create_client("sts", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    assert client.meta.endpoint_url == "http://127.0.0.1:9"


def test_sign_at_is_add_auth_at_that_instant(monkeypatch: pytest.MonkeyPatch) -> None:
    creds = bc.Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")

    def request() -> AWSRequest:
        return AWSRequest("POST", "https://sts.us-east-1.amazonaws.com/", data=b"Action=GetCallerIdentity",
                          headers={"Content-Type": "application/x-www-form-urlencoded"})

    ours = request()
    botoseam.sign_at(SigV4Auth(creds, "sts", "us-east-1"), ours, "20240102T030405Z")

    class Frozen(datetime.datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=tz)

        @classmethod
        def utcnow(cls) -> Any:
            return datetime.datetime(2024, 1, 2, 3, 4, 5)

    monkeypatch.setattr(botocore.auth.datetime, "datetime", Frozen)
    theirs = request()
    SigV4Auth(creds, "sts", "us-east-1").add_auth(theirs)
    assert ours.headers["Authorization"] == theirs.headers["Authorization"]
    assert ours.headers["X-Amz-Date"] == "20240102T030405Z"


def test_providers_read_the_environment_and_fetchers_we_give() -> None:
    session = botocore.session.Session()
    providers = {p.METHOD: p for p in bc.create_credential_resolver(session).providers}
    env = {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/x"}
    container = providers["container-role"]
    botoseam.set_provider_environ(container, env)
    calls: list[str] = []

    class Fetcher:
        def full_url(self, path: str) -> str:
            return "http://169.254.170.2" + path

        def retrieve_full_uri(self, url: str, headers: Any = None) -> dict[str, str]:
            calls.append(url)
            return {"AccessKeyId": "AKIDC", "SecretAccessKey": "s", "Token": "t", "Expiration": "2030-01-01T00:00:00Z"}

        def retrieve_uri(self, path: str) -> dict[str, str]:
            return self.retrieve_full_uri(self.full_url(path))

    botoseam.set_container_fetcher(container, Fetcher())
    creds = container.load()
    assert creds is not None and creds.get_frozen_credentials().access_key == "AKIDC"
    assert calls and calls[0].endswith("/v2/credentials/x")


@pytest.mark.parametrize("profile", ["legacy", "with-session"])
def test_sso_providers_read_the_token_cache_we_give(tmp_path: Any, monkeypatch: pytest.MonkeyPatch,
                                                    profile: str) -> None:
    config = tmp_path / "config"
    config.write_text(
        "[profile legacy]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
        "sso_account_id = 123456789012\nsso_role_name = Agent\n"
        "[profile with-session]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Agent\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    session = botocore.session.Session(profile=profile)
    sso = next(p for p in bc.create_credential_resolver(session).providers if p.METHOD == "sso")
    key = hashlib.sha1(b"corp" if profile == "with-session" else b"https://corp.awsapps.com/start").hexdigest()
    # A token without expiresAt: botocore's own cache never holds this key, so the error proves ours was read.
    botoseam.set_sso_token_cache(sso, {key: {"accessToken": "not-a-real-token"}})
    creds = sso.load()
    with pytest.raises(Exception, match=r"is invalid|expiresAt"):
        creds.get_frozen_credentials()


def test_imds_fetcher_is_replaced_with_botocores_settings_kept() -> None:
    session = botocore.session.Session()
    imds = next(p for p in bc.create_credential_resolver(session).providers if p.METHOD == "iam-role")
    seen: list[Any] = []

    def make(user_agent: Any, config: Any) -> Any:
        seen.append((user_agent, config))
        return "fetcher"

    botoseam.replace_imds_fetcher(imds, make)
    assert seen and seen[0][0]  # botocore's user agent came through


def test_web_identity_reads_our_sources() -> None:
    session = botocore.session.Session()
    web = next(p for p in bc.create_credential_resolver(session).providers
               if p.METHOD == "assume-role-with-web-identity")
    asked: list[str] = []
    botoseam.set_web_identity_sources(web, lambda key: asked.append(key) or None, lambda path: (lambda: "t"))
    assert web.load() is None  # no role ARN in our environment: the provider passes
    assert "role_arn" in asked or "web_identity_token_file" in asked


def test_process_provider_runs_our_popen(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config"
    config.write_text("[default]\ncredential_process = /bin/true\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    session = botocore.session.Session()
    process = next(p for p in bc.create_credential_resolver(session).providers if p.METHOD == "custom-process")
    started: list[Any] = []

    def popen(*args: Any, **kwargs: Any) -> Any:
        started.append(args[0])
        raise RuntimeError("not run")

    botoseam.set_process_popen(process, popen)
    with pytest.raises(RuntimeError, match="not run"):
        process.load()
    assert started == [["/bin/true"]]


def test_credential_source_reaches_the_environment_provider(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config"
    config.write_text("[default]\nrole_arn = arn:aws:iam::123456789012:role/r\ncredential_source = Environment\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    session = botocore.session.Session()
    assume = next(p for p in bc.create_credential_resolver(session).providers if p.METHOD == "assume-role")
    assert any(isinstance(q, bc.EnvProvider) for q in botoseam.credential_source_providers(assume))


def test_peek_does_not_refresh() -> None:
    refreshed: list[int] = []
    past = datetime.datetime(2001, 1, 1, tzinfo=datetime.UTC)
    creds = bc.RefreshableCredentials("AKIDOLD", "s", "t", past, lambda: refreshed.append(1) or {}, "test")
    assert botoseam.peek_refreshable(creds) == ("AKIDOLD", "s", "t", past)
    assert refreshed == []


def test_loader_cache_and_locations() -> None:
    loader = botocore.loaders.Loader()
    loader.list_available_services("service-2")
    assert any(key[0] == "list_available_services" for key in botoseam.loader_cache(loader))
    assert any(loc.endswith("botocore/data") for loc in botoseam.loader_locations(loader))


def test_http_session_class_is_swapped_on_a_fresh_client() -> None:
    session = botocore.session.Session()
    client = session.create_client("sts", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")

    class Swapped(botoseam.TrustOnceBase):
        pass

    import ssl
    context = ssl.create_default_context()
    botoseam.swap_http_session(client, Swapped, lambda verify: ("/bundle.pem", context))
    http = client._endpoint.http_session
    assert type(http) is Swapped and http._get_ssl_context() is context
