"""``rcmwatch reference load DIR``: facilities, payers and fee schedules from CSV files."""

from __future__ import annotations


def add_parser(sub, common) -> None:
    p = sub.add_parser(
        "reference", parents=[common], help="load reference data (facilities, payers)"
    )
    ref_sub = p.add_subparsers(dest="reference_command", metavar="REFERENCE_COMMAND", required=True)
    load = ref_sub.add_parser(
        "load",
        parents=[common],
        help="load facilities.csv, payers.csv and fee_schedule.csv from a folder",
        description="Format: see rcmwatch/reference/loader.py (and the README).",
    )
    load.add_argument("folder", metavar="DIR")
    load.set_defaults(func=run_load)


def run_load(args, ctx) -> int:
    from pathlib import Path

    from rcmwatch import audit
    from rcmwatch.identity import require
    from rcmwatch.reference.loader import load_reference, read_reference_folder

    user = require("change_reference_data")
    data = read_reference_folder(Path(args.folder))
    store = ctx.store()
    with store.write() as conn:
        summary = load_reference(conn, data)
        audit.append(
            conn,
            actor=user.username,
            action="reference_load",
            at=ctx.clock.now(),
            subject_type="reference",
            subject_key=str(Path(args.folder).resolve()),
            after=summary.as_dict(),
        )
    parts = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in summary.as_dict().items())
    print(f"reference data loaded ({parts})")
    return 0
