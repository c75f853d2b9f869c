"""Is something keeping this host's clock in time? Running daemons (from /proc), their runtime state and configs,
and where we are (EC2, a Kubernetes pod, another container), which decides the fix."""

from __future__ import annotations

from dataclasses import field
from typing import Any

from sigdoctor import boundedio
from sigdoctor.context import Context
from sigdoctor.records import datarecord

# /proc/PID/comm is cut at 15 characters: "systemd-timesyncd" shows as "systemd-timesyn".
_COMM = {
    "chronyd": "chrony",
    "systemd-timesyn": "systemd-timesyncd",
    "systemd-timesyncd": "systemd-timesyncd",
    "ntpd": "ntpd",
    "ntpsec": "ntpsec",
    "openntpd": "openntpd",
}
_CONFIGS = {
    "chrony": ("/etc/chrony.conf", "/etc/chrony/chrony.conf"),
    "systemd-timesyncd": ("/etc/systemd/timesyncd.conf",),
    "ntpsec": ("/etc/ntpsec/ntp.conf",),
    "openntpd": ("/etc/openntpd/ntpd.conf",),
    "ntpd": ("/etc/ntp.conf",),
}
_RUN_DIRS = {"chrony": ("/run/chrony", "/var/run/chrony"), "systemd-timesyncd": ("/run/systemd/timesync",)}
TIME_SYNC = "169.254.169.123"


@datarecord
class DaemonInfo:
    running: list[str] = field(default_factory=list)
    configured: list[str] = field(default_factory=list)  # config file or runtime directory present
    synchronized: bool | None = None  # systemd-timesyncd says so in /run/systemd/timesync/synchronized
    chrony_uses_time_sync: bool | None = None
    where: str = "host"  # "ec2" | "kubernetes" | "container" | "host"
    unreadable: list[str] = field(default_factory=list)  # daemon config files that are a FIFO, a device, huge

    def to_dict(self) -> dict[str, Any]:
        return {
            "running": self.running,
            "configured": self.configured,
            "synchronized": self.synchronized,
            "chrony_uses_time_sync": self.chrony_uses_time_sync,
            "where": self.where,
            **({"unreadable": self.unreadable} if self.unreadable else {}),
        }


def _read(ctx: Context, path: str, limit: int = boundedio.SMALL_LIMIT, unread: list[str] | None = None) -> str | None:
    """At most `limit` characters of a regular file (sysfs files say 4096 bytes whatever they hold, /proc ones 0:
    the cap is on what is read). A FIFO or device there (chrony.conf bind-mounted from /dev/zero) is not read and,
    given `unread`, named there."""
    try:
        text = boundedio.read_text(ctx.path(path), max(limit, boundedio.SMALL_LIMIT), errors="replace")
    except boundedio.ReadRefused as exc:
        if unread is not None:
            unread.append(f"{path} {exc.strerror}: not read")
        return None
    except OSError:
        return None
    return text[:limit]


def _running(ctx: Context) -> list[str]:
    found: list[str] = []
    try:
        entries = list(ctx.path("/proc").iterdir())
    except OSError:
        return found
    for entry in entries:
        if not entry.name.isdigit():
            continue
        comm = _read(ctx, f"/proc/{entry.name}/comm", 64)
        name = _COMM.get((comm or "").strip())
        if name and name not in found:
            found.append(name)
    # ntpsec and OpenNTPD both run as "ntpd": their config file says which one it is.
    if "ntpd" in found:
        for variant in ("ntpsec", "openntpd"):
            if any(ctx.path(p).exists() for p in _CONFIGS[variant]) and variant not in found:
                found[found.index("ntpd")] = variant
                break
    return sorted(found)


def where(ctx: Context) -> str:
    if ctx.env.get("KUBERNETES_SERVICE_HOST"):
        return "kubernetes"
    if ctx.env.get("ECS_CONTAINER_METADATA_URI_V4") or ctx.env.get("ECS_CONTAINER_METADATA_URI"):
        return "container"
    if ctx.path("/.dockerenv").exists() or ctx.path("/run/.containerenv").exists():
        return "container"
    for name in ("sys_vendor", "board_vendor", "bios_vendor"):
        if "amazon" in (_read(ctx, f"/sys/class/dmi/id/{name}", 256) or "").lower():
            return "ec2"
    if (_read(ctx, "/sys/hypervisor/uuid", 64) or "").lower().startswith("ec2"):
        return "ec2"
    return "host"


def detect(ctx: Context) -> DaemonInfo:
    info = DaemonInfo(running=_running(ctx), where=where(ctx))
    for name, paths in _CONFIGS.items():
        if any(ctx.path(p).exists() for p in (*paths, *_RUN_DIRS.get(name, ()))):
            info.configured.append(name)
    if "systemd-timesyncd" in info.running or "systemd-timesyncd" in info.configured:
        info.synchronized = ctx.path("/run/systemd/timesync/synchronized").exists()
    chrony_conf = next((t for p in _CONFIGS["chrony"] if (t := _read(ctx, p, unread=info.unreadable)) is not None), None)
    if chrony_conf is not None:
        info.chrony_uses_time_sync = any(
            TIME_SYNC in line for line in chrony_conf.splitlines() if not line.lstrip().startswith(("#", "!"))
        )
    return info


def install_fix(info: DaemonInfo) -> list[str]:
    """How to get a time daemon onto this kind of host."""
    if info.where == "kubernetes":
        return [
            "A pod has no clock of its own: it uses the node's. Fix time sync on the node, not in the pod",
            "EKS nodes: chrony with `server 169.254.169.123 prefer iburst` (EKS-optimised AMIs ship it; check custom AMIs)",
        ]
    if info.where == "container":
        return ["A container uses its host's clock: fix time sync on the host (or the ECS container instance)"]
    if info.where == "ec2":
        return [
            "Install chrony and use Amazon Time Sync: add `server 169.254.169.123 prefer iburst minpoll 4 maxpoll 4` "
            "to /etc/chrony.conf (Debian/Ubuntu: /etc/chrony/chrony.conf)",
            "Then `sudo systemctl enable --now chronyd` (Debian/Ubuntu: `chrony`) and check with `chronyc sources -v`",
        ]
    return [
        "Turn on time sync: `sudo timedatectl set-ntp true` (systemd-timesyncd), or install chrony",
        "Check with `timedatectl timesync-status` or `chronyc tracking`",
    ]


def repair_fix(info: DaemonInfo) -> list[str]:
    """How to bring the clock back now, given what runs here."""
    if info.where in ("kubernetes", "container"):
        return install_fix(info)
    lines: list[str] = []
    if "chrony" in info.running:
        lines.append("Step the clock now: `sudo chronyc makestep`; see why it drifted: `chronyc tracking`, `chronyc sources -v`")
        if info.where == "ec2" and info.chrony_uses_time_sync is False:
            lines.append("Point chrony at Amazon Time Sync: `server 169.254.169.123 prefer iburst minpoll 4 maxpoll 4`")
    elif "systemd-timesyncd" in info.running:
        lines.append("Resync now: `sudo systemctl restart systemd-timesyncd`; check `timedatectl timesync-status`")
    elif info.running:
        lines.append(f"{', '.join(info.running)} runs but the clock is off: check its servers (`ntpq -p`) and logs")
    else:
        lines.extend(install_fix(info))
    return lines
