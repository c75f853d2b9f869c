"""A simulated AWS world for end-to-end tests: a fresh network namespace with only loopback, fake AWS endpoints on
the addresses AWS uses, crafted files and environment, and the real `sigdoctor` CLI run inside it.

    w = World(tmp_path)
    w.ec2(True)                                   # DMI says "Amazon EC2"
    w.imds(mode="ok", role="agent-node-role")     # fake IMDS on 169.254.169.254:80
    w.sts()                                       # moto STS over TLS, reachable by its real names via the world's DNS
    w.env(AWS_REGION="us-east-1")
    r = w.run("run", "--format", "json")
    r.rc, r.stdout, r.stderr, r.json
    r.assert_no_secrets()

Each `run` builds the world afresh (new namespace, new servers), so one World can run several commands.
The command starts from a clean environment: PATH, HOME (a directory of the world), LANG, plus what `env()` adds.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.world import creds

REPO_ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"

IMDS_ADDRESS = "169.254.169.254"
ECS_ADDRESS = "169.254.170.2"
POD_IDENTITY_ADDRESS = "169.254.170.23"
TIME_SYNC_ADDRESS = "169.254.169.123"
# A "public" address for STS, as `dig sts.us-east-1.amazonaws.com` would show outside a VPC endpoint.
STS_PUBLIC_ADDRESS = "52.94.0.20"
DNS_ADDRESS = "127.0.0.53"

IRSA_TOKEN_FILE = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"
POD_IDENTITY_TOKEN_FILE = "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token"

REGIONS = ("us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-south-1",
           "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2",
           "ca-central-1", "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "eu-south-1",
           "me-south-1", "sa-east-1")

EC2_DMI = {"sys_vendor": "Amazon EC2", "board_vendor": "Amazon EC2", "bios_vendor": "Amazon EC2",
           "product_name": "m5.large", "board_asset_tag": "i-0123456789abcdef0", "chassis_asset_tag": "Amazon EC2",
           "product_uuid": "EC2E1916-9099-7CAF-FD21-012345678901"}
NOT_EC2_DMI = {"sys_vendor": "QEMU", "board_vendor": "", "bios_vendor": "SeaBIOS",
               "product_name": "Standard PC (Q35 + ICH9, 2009)", "board_asset_tag": "", "chassis_asset_tag": "",
               "product_uuid": "4C4C4544-0042-3510-8052-B4C04F4E3732"}


class WorldError(RuntimeError):
    """The world itself could not be built or torn down (not a failure of the command under test)."""


def namespaces_available() -> tuple[bool, str]:
    """Whether `unshare -rnm` works here, and why not if it doesn't."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False, "unshare(1) or ip(8) not installed"
    try:
        p = subprocess.run(["unshare", "-rnm", "ip", "link", "set", "lo", "up"], capture_output=True, text=True,
                           timeout=20)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, f"unshare -rnm failed: {e}"
    if p.returncode != 0:
        return False, f"unshare -rnm failed (user namespaces disabled?): {p.stderr.strip()}"
    return True, ""


def _mask(secret: str) -> str:
    return f"{secret[:4]}…({len(secret)} chars)"


@dataclass
class Result:
    rc: int | None
    stdout: str
    stderr: str
    elapsed: float
    timed_out: bool
    servers: dict[str, list[dict[str, Any]]]
    secrets: list[str]
    out_dir: Path
    argv: list[str] = field(default_factory=list)

    def redacted(self, text: str) -> str:
        """`text` with every known world secret replaced: safe to put in an assertion message."""
        for s in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(s, "<SECRET>")
        return text

    def describe(self, limit: int = 3000) -> str:
        return self.redacted(f"argv={self.argv} rc={self.rc} timed_out={self.timed_out}\n"
                             f"--- stdout ---\n{self.stdout[-limit:]}\n--- stderr ---\n{self.stderr[-limit:]}")

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.stdout)
        except ValueError:
            raise AssertionError(f"stdout is not JSON\n{self.describe()}") from None

    def leaks(self) -> list[str]:
        """Masked descriptions of the world secrets found in stdout, stderr or any file in the out dir."""
        texts = {"stdout": self.stdout, "stderr": self.stderr}
        for p in self.out_dir.rglob("*"):
            if p.is_file():
                texts[str(p)] = p.read_text(errors="replace")
        return [f"{_mask(s)} in {where}" for s in self.secrets for where, t in texts.items() if s and s in t]

    def assert_no_secrets(self) -> None:
        leaked = self.leaks()
        assert not leaked, f"secrets leaked: {leaked}"

    def requests(self, kind: str) -> list[dict[str, Any]]:
        """What the fake servers of `kind` saw (method/path or action), in order."""
        return [r for rep in self.servers.get(kind, []) for r in rep.get("requests", [])]


class World:
    def __init__(self, tmp_path: Path) -> None:
        self.dir = Path(tmp_path) / "world"
        self.home = self.dir / "home"
        self.out = self.dir / "out"  # put --output files here: assert_no_secrets() scans it
        for d in (self.home, self.out):
            d.mkdir(parents=True, exist_ok=True)
        self.secrets: list[str] = []
        self._env: dict[str, str] = {}
        self._files: dict[str, tuple[str, int]] = {}  # absolute path → (content, mode)
        self._servers: list[dict[str, Any]] = []
        self._addresses: list[str] = []
        self._records: list[dict[str, Any]] = []
        self._hosts: list[str] = []
        self._tls_names: list[str] = []
        self._trust = "system"
        self._tls_issuer: dict[str, str] = {}
        self._dmi: dict[str, str] = dict(NOT_EC2_DMI)
        self._runs = 0

    # ---- building blocks -------------------------------------------------------------------------------------
    def env(self, **kv: str) -> World:
        self._env.update(kv)
        return self

    def unset_env(self, *names: str) -> World:
        for n in names:
            self._env.pop(n, None)
        return self

    def secret(self, *values: str) -> World:
        """Register values that must never appear in the tool's output."""
        self.secrets.extend(v for v in values if v)
        return self

    def file(self, path: str, content: str, mode: int = 0o600) -> str:
        """Write a file the command will see at `path` ("~/…" is the world's HOME). Returns the path as seen inside."""
        if path.startswith("~/"):
            real = self.home / path[2:]
            real.parent.mkdir(parents=True, exist_ok=True)
            real.write_text(content)
            real.chmod(mode)
            return str(real)
        if not path.startswith("/"):
            raise ValueError(f"world file paths are absolute or start with ~/: {path!r}")
        self._files[path] = (content, mode)
        return path

    def address(self, *ips: str) -> World:
        """Put addresses on the world's loopback (connections to them are refused unless a fake listens)."""
        for ip in ips:
            if ip not in self._addresses:
                self._addresses.append(ip)
        return self

    def dns(self, name: str, rtype: str, value: str = "", ttl: int = 60) -> World:
        """A record of the world's resolver. rtype A/AAAA/CNAME/TXT, or NXDOMAIN/SERVFAIL/TIMEOUT."""
        self._records.append({"name": name, "type": rtype, "value": value, "ttl": ttl})
        return self

    def hosts(self, line: str) -> World:
        self._hosts.append(line)
        return self

    def server(self, kind: str, **spec: Any) -> World:
        """Start a fake of `kind` (see tests/world/servers) with this spec; its address goes on loopback."""
        spec["kind"] = kind
        if "address" in spec:
            self.address(spec["address"])
        self._servers.append(spec)
        return self

    def tls_names(self, *names: str) -> World:
        self._tls_names.extend(n for n in names if n not in self._tls_names)
        return self

    def trust(self, how: str) -> World:
        """How the world's CA is trusted: "system" (installed as the default CA bundles), "env" (AWS_CA_BUNDLE
        points at it), "none" (not trusted: TLS verification fails)."""
        if how not in ("system", "env", "none"):
            raise ValueError(how)
        self._trust = how
        return self

    def tls_issuer(self, organization: str, unit: str | None = None) -> World:
        """Who issues the world's certificates. Default: an obviously-test CA (O=sigdoctor test world CA), which
        looks like a TLS-inspecting middlebox; `tls_issuer("Amazon", "Server CA 1B")` looks like AWS itself."""
        self._tls_issuer = {"organization": organization, **({"unit": unit} if unit else {})}
        return self

    # ---- AWS pieces ------------------------------------------------------------------------------------------
    def ec2(self, on: bool = True) -> World:
        """Whether DMI (/sys/class/dmi/id) says this machine is an EC2 instance."""
        self._dmi = dict(EC2_DMI if on else NOT_EC2_DMI)
        return self

    def imds(self, mode: str = "ok", role: str = "agent-node-role", *, expires_in: float = 6 * 3600,
             v1: bool | None = None, token_status: int = 403, region: str = "us-east-1",
             address: str = IMDS_ADDRESS) -> dict[str, str]:
        """Fake IMDS (modes in servers/imds.py). `expires_in` < 0 serves already-expired credentials; `address`
        may be the IPv6 endpoint fd00:ec2::254. Returns the credentials it serves."""
        now = time.time()
        c = {"Code": "Success", "LastUpdated": creds.iso(now - 600), "Type": "AWS-HMAC",
             "AccessKeyId": creds.access_key_id("ASIA"), "SecretAccessKey": creds.secret_access_key(),
             "Token": creds.session_token(), "Expiration": creds.iso(now + expires_in)}
        self.secret(c["SecretAccessKey"], c["Token"])
        spec: dict[str, Any] = {"address": address, "port": 80, "mode": mode, "role": role,
                                "credentials": c, "token_status": token_status, "region": region,
                                "account": ACCOUNT}
        if v1 is not None:
            spec["v1"] = v1
        self.server("imds", **spec)
        return c

    def container(self, kind: str = "pod-identity", *, mode: str = "ok", token: str | None = None,
                  token_file: bool = True, serve: bool = True, expires_in: float = 6 * 3600) -> dict[str, str]:
        """ECS task role (`kind="ecs"`) or EKS Pod Identity (`kind="pod-identity"`) credentials endpoint, with the
        environment the platform injects. `serve=False` leaves the endpoint address empty (unreachable)."""
        now = time.time()
        c = {"AccessKeyId": creds.access_key_id("ASIA"), "SecretAccessKey": creds.secret_access_key(),
             "Token": creds.session_token(), "Expiration": creds.iso(now + expires_in)}
        if kind == "pod-identity":
            c["AccountId"] = ACCOUNT
            address, path = POD_IDENTITY_ADDRESS, "/v1/credentials"
            token = token if token is not None else creds.jwt({"aud": ["pods.eks.amazonaws.com"]})
            self.env(AWS_CONTAINER_CREDENTIALS_FULL_URI=f"http://{address}{path}")
            if token_file:
                self.file(POD_IDENTITY_TOKEN_FILE, token, 0o644)
                self.env(AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=POD_IDENTITY_TOKEN_FILE)
        elif kind == "ecs":
            c["RoleArn"] = f"arn:aws:iam::{ACCOUNT}:role/ecs-task-role"
            address, path = ECS_ADDRESS, "/v2/credentials/5a2f1c3e-8a47-4b7e-9a5e-2d2f0f8d1c01"
            self.env(AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=path)
        else:
            raise ValueError(f"container kind is 'pod-identity' or 'ecs', not {kind!r}")
        self.secret(c["SecretAccessKey"], c["Token"])
        if token:
            self.secret(token, token.split(".")[-1])
        if serve:
            self.server("container", address=address, port=80, mode=mode, token=token, path=path, credentials=c)
        return c

    def web_identity(self, role_arn: str = f"arn:aws:iam::{ACCOUNT}:role/agent-irsa-role", *,
                     token: str | None = None, token_file: str = IRSA_TOKEN_FILE, write: str = "jwt",
                     session_name: str | None = None, claims: dict[str, object] | None = None,
                     regional_sts: bool = True) -> str:
        """IRSA as the EKS pod identity webhook sets it up: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE, and
        AWS_STS_REGIONAL_ENDPOINTS=regional unless `regional_sts` is False (+ AWS_ROLE_SESSION_NAME if given).
        write: "jwt" (a fresh token), "empty" (an empty file), "missing" (no file). Returns the token."""
        tok = token if token is not None else creds.jwt(claims)
        if write == "jwt":
            self.file(token_file, tok, 0o644)
            self.secret(tok, tok.split(".")[-1])
        elif write == "empty":
            self.file(token_file, "", 0o644)
        elif write != "missing":
            raise ValueError(write)
        self.env(AWS_ROLE_ARN=role_arn, AWS_WEB_IDENTITY_TOKEN_FILE=token_file)
        if regional_sts:
            self.env(AWS_STS_REGIONAL_ENDPOINTS="regional")
        if session_name:
            self.env(AWS_ROLE_SESSION_NAME=session_name)
        return tok

    def env_keys(self, prefix: str = "AKIA", *, session_token: bool | None = None, secret: bool = True) -> str:
        """AWS_ACCESS_KEY_ID (+ AWS_SECRET_ACCESS_KEY, + AWS_SESSION_TOKEN for ASIA keys unless told otherwise).
        Returns the access key id."""
        key = creds.access_key_id(prefix)
        self.env(AWS_ACCESS_KEY_ID=key)
        if secret:
            sk = creds.secret_access_key()
            self.env(AWS_SECRET_ACCESS_KEY=sk)
            self.secret(sk)
        if session_token if session_token is not None else prefix == "ASIA":
            st = creds.session_token()
            self.env(AWS_SESSION_TOKEN=st)
            self.secret(st)
        return key

    def sts(self, *, address: str = STS_PUBLIC_ADDRESS, faults: dict[str, str] | None = None,
            regions: tuple[str, ...] = REGIONS, iam: bool = True, canary: dict[str, str] | None = None,
            delays: dict[str, float] | None = None) -> World:
        """moto over TLS on address:443; the world's DNS maps the global and regional STS names (and
        iam.amazonaws.com unless `iam` is False) to it.
        `faults` = {"AssumeRoleWithWebIdentity": "InvalidIdentityToken", ...} (codes in servers/sts.py);
        `delays` = {"GetCallerIdentity": 2.0, ...}: seconds an action's answer is held back."""
        names = ["sts.amazonaws.com"] + [f"sts.{r}.amazonaws.com" for r in regions]
        if iam:
            names.append("iam.amazonaws.com")
        for n in names:
            self.dns(n, "A", address)
        self.tls_names(*names)
        self._sts_setup: list[list[Any]] = []
        if canary:
            self.secret(*canary.values())
        return self.server("sts", address=address, port=443, faults=faults or {}, setup=self._sts_setup,
                           canary=canary or {}, delays=delays or {})

    def sts_setup(self, service: str, operation: str, **params: Any) -> World:
        """A boto3 call (e.g. "iam", "create_role") made against the world's moto before the command runs."""
        if not any(s["kind"] == "sts" for s in self._servers):
            raise ValueError("call w.sts() before w.sts_setup()")
        self._sts_setup.append([service, operation, params])
        return self

    def sts_role(self, name: str, trust: dict[str, Any] | None = None, *, oidc_issuer: str | None = None) -> str:
        """An IAM role in the world's moto (and the OIDC provider of `oidc_issuer`, if given). Returns its ARN."""
        if oidc_issuer:
            self.sts_setup("iam", "create_open_id_connect_provider", Url=oidc_issuer,
                           ClientIDList=["sts.amazonaws.com"], ThumbprintList=["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"])
        trust = trust or {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                                  "Principal": {"Service": "ec2.amazonaws.com"}}]}
        self.sts_setup("iam", "create_role", RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
        return f"arn:aws:iam::{ACCOUNT}:role/{name}"

    def time_sync(self, offset: float = 0.0, address: str = TIME_SYNC_ADDRESS) -> World:
        """An NTP server (Amazon Time Sync by default) whose clock is `offset` seconds off ours."""
        return self.server("ntp", address=address, port=123, offset=offset)

    def process(self, argv: list[str], *, ready: str | None = None, address: str | None = None,
                env: dict[str, str] | None = None, name: str = "fake") -> World:
        """Run any program as a fake inside the world (e.g. `python -m tests.fakes.x`), before the command and
        until it ends. `ready="HOST:PORT"` waits until it accepts TCP there; `address` goes on loopback."""
        spec: dict[str, Any] = {"argv": argv, "ready": ready, "env": env or {}, "name": name}
        if address:
            spec["address"] = address
        return self.server("process", **spec)

    # ---- running -----------------------------------------------------------------------------------------------
    def sigdoctor_argv(self) -> list[str]:
        script = Path(sys.executable).with_name("sigdoctor")
        return [str(script)] if script.exists() else [sys.executable, "-m", "sigdoctor.cli"]

    def run(self, *args: str, timeout: float = 60.0) -> Result:
        """Run the installed `sigdoctor` with `args` inside the world."""
        return self.run_cmd([*self.sigdoctor_argv(), *args], timeout=timeout)

    def run_cmd(self, argv: list[str], timeout: float = 60.0) -> Result:
        """Run any command inside the world (hard timeout `timeout`)."""
        self._runs += 1
        rundir = self.dir / f"run{self._runs}"
        rundir.mkdir()
        spec = self._spec(rundir, argv, timeout)
        spec_path = rundir / "spec.json"
        spec_path.write_text(json.dumps(spec, indent=2))
        inside_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO_ROOT),
                      "LANG": "C.UTF-8", "HOME": str(self.home)}
        p = subprocess.Popen(["unshare", "-rnm", "--", sys.executable, "-m", "tests.world.inside", str(spec_path)],
                             cwd=REPO_ROOT, env=inside_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             start_new_session=True)
        try:
            _, err = p.communicate(timeout=timeout + 60)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.communicate()
            raise WorldError(f"the world did not finish within {timeout + 60}s") from None
        result_path = Path(spec["result"])
        if not result_path.exists():
            raise WorldError(f"the world wrote no result (rc={p.returncode}):\n{err.decode(errors='replace')}")
        res = json.loads(result_path.read_text())
        if res["world_error"]:
            raise WorldError(res["world_error"])
        result = Result(rc=res["rc"], stdout=res["stdout"], stderr=res["stderr"], elapsed=res["elapsed"],
                        timed_out=res["timed_out"], servers=res["servers"],
                        secrets=[*self.secrets, *res["issued_secrets"]], out_dir=self.out, argv=argv)
        _log_run(result)
        return result

    def _spec(self, rundir: Path, argv: list[str], timeout: float) -> dict[str, Any]:
        staged_dir = rundir / "files"
        files = []
        for i, (path, (content, mode)) in enumerate(sorted(self._files.items())):
            staged = staged_dir / str(i)
            staged.parent.mkdir(parents=True, exist_ok=True)
            staged.write_text(content)
            staged.chmod(mode)
            files.append({"path": path, "staged": str(staged)})
        etc = rundir / "etc"
        etc.mkdir()
        (etc / "resolv.conf").write_text(f"nameserver {DNS_ADDRESS}\noptions timeout:1 attempts:1\n")
        (etc / "hosts").write_text("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                                   + "".join(line + "\n" for line in self._hosts))
        (etc / "nsswitch.conf").write_text(_nsswitch())
        env = {"PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin", "HOME": str(self.home),
               "LANG": "C.UTF-8", **self._env}
        if self._trust == "env" and self._tls_names:
            env["AWS_CA_BUNDLE"] = str(rundir / "world-ca.pem")
        servers = [{"kind": "dns", "address": DNS_ADDRESS, "port": 53, "records": self._records}, *self._servers]
        return {
            "world_dir": str(rundir),
            "addresses": self._addresses,
            "files": files,
            "etc": {name: str(etc / name) for name in ("resolv.conf", "hosts", "nsswitch.conf")},
            "dmi": self._dmi,
            "tls_names": self._tls_names,
            "trust": self._trust,
            "tls_issuer": self._tls_issuer,
            "servers": servers,
            "command": argv,
            "env": env,
            "cwd": str(self.home),
            "timeout": timeout,
            "result": str(rundir / "result.json"),
        }


def _nsswitch() -> str:
    """The host's nsswitch.conf with name lookups pinned to files then DNS (no mdns/resolved/myhostname)."""
    try:
        lines = Path("/etc/nsswitch.conf").read_text().splitlines()
    except OSError:
        lines = ["passwd: files", "group: files", "shadow: files"]
    lines = [ln for ln in lines if not ln.strip().startswith("hosts:")]
    return "\n".join([*lines, "hosts: files dns", ""])


def _log_run(r: Result) -> None:
    """With WORLD_RUN_LOG=FILE, one JSON line per world run (test, argv, exit code, top cause, wall time): the
    scenario tables of the closing notes come from real runs, not from memory."""
    log = os.environ.get("WORLD_RUN_LOG")
    if not log:
        return
    top = None
    try:
        causes = json.loads(r.stdout).get("root_causes") or []
        top = causes[0]["id"] if causes else None
    except (ValueError, AttributeError, KeyError, IndexError, TypeError):
        pass
    row = {"test": os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0], "argv": r.argv[-8:], "rc": r.rc,
           "top": top, "elapsed": r.elapsed}
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(row) + "\n")
