"""python -m bot.cases.migrations: alembic's command line on the case store's revisions."""
from __future__ import annotations

import sys
from typing import Optional, Sequence

from alembic.config import CommandLine

from bot.cases.migrate import alembic_config


def main(argv: Optional[Sequence[str]] = None) -> int:
    cli = CommandLine(prog="python -m bot.cases.migrations")
    options = cli.parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if not hasattr(options, "cmd"):
        cli.parser.print_help()
        return 2
    config = alembic_config()
    config.cmd_opts = options
    cli.run_cmd(config, options)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
