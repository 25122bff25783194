"""``rcmwatch edi ...``: parse X12 files without touching the store.

Only argparse at import time: ``rcmwatch edi inspect`` must not pay for Streamlit, Great
Expectations, SQLAlchemy or pandas (tests/edi/test_cli.py checks the modules loaded).
"""

from __future__ import annotations


def add_parser(sub, common) -> None:
    p = sub.add_parser("edi", parents=[common], help="parse X12 files (no store)")
    edi_sub = p.add_subparsers(dest="edi_command", metavar="EDI_COMMAND", required=True)
    ins = edi_sub.add_parser("inspect", parents=[common], help="summarise X12 files as JSON")
    ins.add_argument("--json", action="store_true", required=True, help="one JSON object per file")
    ins.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help=(
            "summarise chunks in N processes (default 1: three threads of this process; "
            "each further process adds ~200 MB)"
        ),
    )
    ins.add_argument("paths", nargs="+", metavar="PATH", help="X12 files, or folders of them")
    ins.set_defaults(func=run_inspect)


def run_inspect(args, ctx) -> int:
    """One JSON object per line per file; exit 1 if any file could not be parsed."""
    import json
    import sys

    from collectors.edi.inspect import inspect_file
    from collectors.edi.paths import expand_paths

    if args.workers < 1:
        from rcmwatch.errors import InputError

        raise InputError("--workers must be at least 1")
    failed = False
    for path in expand_paths(args.paths):
        result = inspect_file(path, workers=args.workers)
        failed = failed or not result["ok"]
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 1 if failed else 0
