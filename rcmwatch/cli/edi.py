"""``rcmwatch edi ...``: parse X12 files without touching the store (filled by the X12 issues)."""

from __future__ import annotations


def add_parser(sub, common) -> None:
    p = sub.add_parser("edi", parents=[common], help="parse X12 files (no store)")
    edi_sub = p.add_subparsers(dest="edi_command", metavar="EDI_COMMAND", required=True)
    ins = edi_sub.add_parser("inspect", parents=[common], help="summarise X12 files as JSON")
    ins.add_argument("--json", action="store_true", required=True, help="one JSON object per file")
    ins.add_argument("paths", nargs="+", metavar="PATH")
    ins.set_defaults(func=run_inspect)


def run_inspect(args, ctx) -> int:
    from rcmwatch.errors import RcmwatchError

    raise RcmwatchError("edi inspect is not available in this build yet")
