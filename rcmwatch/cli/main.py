"""Entry point of the ``rcmwatch`` console script.

Every subcommand lives in its own module under ``rcmwatch.cli`` and exposes
``add_parser(subparsers, common)``; the module must stay cheap to import (argparse only) so that
``rcmwatch edi inspect`` never pays for Streamlit, Great Expectations or SQLAlchemy. Errors go
through one funnel here: a :class:`~rcmwatch.errors.RcmwatchError` becomes one line on stderr and
its exit code; anything unexpected becomes one "internal error" line (set ``RCMWATCH_DEBUG=1`` for
the traceback).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from rcmwatch import __version__
from rcmwatch.errors import RcmwatchError

# Order is the order in `rcmwatch --help`.
COMMAND_MODULES: tuple[str, ...] = (
    "init",
    "demo",
    "settings",
    "reference",
    "generate",
    "ingest",
    "imports",
    "edi",
    "kpi",
    "check",
    "collect",
    "scheduler",
    "simulate",
    "bench",
)


def build_parser() -> argparse.ArgumentParser:
    from rcmwatch.settings import settings_help_text

    parser = argparse.ArgumentParser(
        prog="rcmwatch",
        description="Observability and governance console for patient-billing automation.",
        epilog=settings_help_text(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"rcmwatch {__version__}")
    parser.add_argument(
        "--db", metavar="URL", default=None, help="SQLAlchemy URL of the store (overrides env)"
    )
    # Subcommands accept --db too; SUPPRESS keeps a global --db from being reset to None.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"rcmwatch.cli.{name}")
        module.add_parser(sub, common)
    return parser


class _OneLineHandler(logging.StreamHandler):
    """Log records as one line each on stderr; tracebacks only with RCMWATCH_DEBUG=1."""

    def __init__(self, debug: bool) -> None:
        super().__init__(sys.stderr)
        self.debug = debug
        self.setFormatter(logging.Formatter("rcmwatch: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if not self.debug and record.exc_info:
            record = logging.makeLogRecord(record.__dict__)
            record.exc_info = record.exc_text = None
            record.msg = " ".join(str(record.getMessage()).split())
            record.args = None
        super().emit(record)


def _configure_logging() -> None:
    debug = bool(os.environ.get("RCMWATCH_DEBUG"))
    root = logging.getLogger()
    root.handlers[:] = [_OneLineHandler(debug)]
    root.setLevel(logging.DEBUG if debug else logging.WARNING)
    # Our own progress lines (skipped files, scheduler leadership, collector outcomes) are the
    # operator's record; libraries' INFO chatter (alembic, apscheduler) is not.
    for ours in ("rcmwatch", "collectors", "checks", "metrics", "sample_data"):
        logging.getLogger(ours).setLevel(logging.DEBUG if debug else logging.INFO)


def main(argv: Sequence[str] | None = None) -> int:
    _configure_logging()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        from rcmwatch.cli.context import CliContext

        ctx = CliContext.from_args(args)
        code = args.func(args, ctx)
        return int(code or 0)
    except RcmwatchError as exc:
        print(f"rcmwatch: error: {exc.one_line()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("rcmwatch: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `rcmwatch ... | head` closing the pipe is not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # the funnel's last resort: never a traceback for users
        if os.environ.get("RCMWATCH_DEBUG"):
            raise
        kind = type(exc).__name__
        detail = " ".join(str(exc).split()) or "no detail"
        print(
            f"rcmwatch: internal error: {kind}: {detail} (rerun with RCMWATCH_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return 70


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
