"""`sigdoctor --pid` wired from outside the CLI — exactly the wiring proposed for sigdoctor/cli.py — so the end-to-end
test exercises context_for_pid + agent_environment through the real CLI before that lands:

    python -m tests.agent.pid_shim run --pid PID [run options...]
"""

from __future__ import annotations

import sys
from typing import Any

from sigdoctor import cli
from sigdoctor.agent.process import agent_environment, context_for_pid


def main(argv: list[str]) -> int:
    args = list(argv)
    i = args.index("--pid")
    spec = args[i + 1]
    del args[i : i + 2]
    make, diagnose = cli._context, cli._diagnose

    def context(**kw: Any) -> Any:
        return context_for_pid(spec, make(**kw))

    def run(ctx: Any, *a: Any, **k: Any) -> Any:
        with agent_environment(ctx):
            return diagnose(ctx, *a, **k)

    cli._context = context  # type: ignore[assignment]
    cli._diagnose = run  # type: ignore[assignment]
    return cli.main(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
