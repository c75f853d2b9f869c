"""What AWS errors mean: the one classifier of AWS error texts, used by `decode` and by the identity, permissions
and signature probes.

* `table` — the knowledge as data (checks/errors/*.toml): codes and message shapes, their candidate causes with
  confidence, what each needs and the command that settles it, and the source of each entry;
* `parse` — the facts of one error occurrence in any wrapper (SDK, agent, log format), after `unescape` has undone
  the quoting it arrived in;
* `rules` — the evidence rules that pick among an entry's causes (key prefixes, dates, canonical-request diffs);
* `sts` — the same for an STS answer the identity probe received; `outcome` — for a permissions live request;
* `canonical`, `diff`, `signed` — canonical requests: AWS's (from an error), the client's, and the diff of the two;
* `anchors` — the words `decode`'s prefilter looks for.
"""
