"""The exact command lines an administrator can run for the same check, with their own credentials."""

from __future__ import annotations

import shlex

from sigdoctor.iam.principal import PolicySource
from sigdoctor.iam.simulate import Check, context_entries, groups


def sigdoctor_line(principal_arn: str, targets: list[str], region: str | None) -> str:
    argv = ["sigdoctor", "run", "--principal-arn", principal_arn]
    for t in targets:
        argv += ["--target", t]
    if region:
        argv += ["--region", region]
    return shlex.join(argv)


def aws_lines(source: PolicySource, checks: list[Check]) -> list[str]:
    """One `aws iam simulate-principal-policy` per resource and region, as the probe itself asks."""
    assert source.arn is not None
    out = []
    for resource, region, group in groups(checks):
        argv = ["aws", "iam", "simulate-principal-policy", "--policy-source-arn", source.arn,
                "--action-names", *dict.fromkeys(c.action for c in group), "--resource-arns", resource]
        entries = context_entries(region)
        if entries:
            argv.append("--context-entries")
            argv += [f"ContextKeyName={e['ContextKeyName']},ContextKeyValues={e['ContextKeyValues'][0]},"
                     f"ContextKeyType={e['ContextKeyType']}" for e in entries]
        argv += ["--query", "EvaluationResults[].[EvalActionName,EvalDecision]"]
        out.append(shlex.join(argv))
    return out


def admin_commands(source: PolicySource, checks: list[Check], targets: list[str], region: str | None) -> list[str]:
    if source.arn is None:
        return []
    return [sigdoctor_line(source.arn, targets, region), *aws_lines(source, checks)]
