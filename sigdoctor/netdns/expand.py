"""Which names a resolver actually queries for one lookup: the search list and ndots, as glibc and Go apply them.

glibc (res_search): a name with a trailing dot is queried as is, alone. A name with at least `ndots` dots is tried
as is first, then with each search domain; otherwise the search domains come first and the bare name last. Each
tried name costs an A and an AAAA query. glibc moves to the next candidate on NXDOMAIN, no data or SERVFAIL, but a
timeout ends the whole lookup. Go's pure resolver (net/dnsclient_unix.go nameList) builds the same list; it keeps
going after a timeout or SERVFAIL too (unless StrictErrors), so a silent search domain costs Go time, not the answer.
"""

from __future__ import annotations

from sigdoctor.records import datarecord


def is_rooted(name: str) -> bool:
    return name.endswith(".")


def dot_count(name: str) -> int:
    return name.rstrip(".").count(".")


def candidates(name: str, search: list[str], ndots: int) -> list[str]:
    """The names tried in order, without trailing dots (glibc and Go agree on the order)."""
    bare = name.rstrip(".")
    if is_rooted(name):
        return [bare]
    first = dot_count(name) >= ndots
    out = [bare] if first else []
    for domain in search:
        fqdn = f"{bare}.{domain.strip('.')}"
        # Both resolvers skip candidates longer than a domain name may be.
        if len(fqdn) <= 253 and fqdn not in out:
            out.append(fqdn)
    if not first and bare not in out:
        out.append(bare)
    return out


@datarecord(frozen=True)
class Cost:
    name: str
    dots: int
    ndots: int
    tried: tuple[str, ...]
    # Candidates queried before the name itself, for a name that exists as given.
    extra_names: int

    @property
    def extra_queries(self) -> int:
        return 2 * self.extra_names  # A and AAAA for each

    def explain(self) -> str:
        if self.extra_names == 0:
            why = "trailing dot" if self.name.endswith(".") else f"{self.dots} dots ≥ ndots {self.ndots}"
            return f"{self.name}: queried as is first ({why}): no extra queries"
        return (f"{self.name} has {self.dots} dots < ndots {self.ndots}: {self.extra_names} search domain"
                f"{'s' if self.extra_names != 1 else ''} tried first = {self.extra_queries} extra queries (A+AAAA)")


def cost(name: str, search: list[str], ndots: int) -> Cost:
    tried = candidates(name, search, ndots)
    bare = name.rstrip(".")
    extra = tried.index(bare) if bare in tried else len(tried)
    return Cost(name, dot_count(name), ndots, tuple(tried), extra)


def go_differences(name: str, search: list[str], ndots: int, options: list[str], env: dict[str, str]) -> list[str]:
    """Where a Go agent (pure Go resolver) would look this name up differently from glibc."""
    notes: list[str] = []
    if not is_rooted(name) and len(candidates(name, search, ndots)) > 1:
        notes.append("Go tries the next candidate after a timeout or SERVFAIL; glibc stops at the first timeout")
    if "no-tld-query" in options and dot_count(name) == 0:
        notes.append("option no-tld-query: glibc never queries the bare single-label name; Go's resolver does not "
                     "know the option and falls back to cgo (glibc) when cgo is available")
    for var in ("LOCALDOMAIN", "RES_OPTIONS", "HOSTALIASES"):
        if env.get(var):
            notes.append(f"{var} is set: glibc honours it; a Go binary built with CGO_ENABLED=0 ignores it "
                         "(with cgo, Go hands the lookup to glibc)")
    return notes
