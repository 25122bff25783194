"""``rcmwatch import synthea DIR``: load a Synthea CSV export into the store (idempotent)."""

from __future__ import annotations


def add_parser(sub, common) -> None:
    p = sub.add_parser(
        "import",
        parents=[common],
        help="import another system's export (synthea)",
        description="Import another system's export into the canonical store.",
    )
    kinds = p.add_subparsers(dest="import_kind", metavar="KIND", required=True)
    s = kinds.add_parser(
        "synthea",
        parents=[common],
        help="a Synthea CSV export (claims, claims_transactions, payers, organizations, "
        "encounters)",
    )
    s.add_argument("folder", metavar="DIR", help="folder holding Synthea's CSV files")
    s.set_defaults(func=run_synthea)


def run_synthea(args, ctx) -> int:
    from pathlib import Path

    from rcmwatch.importers.synthea import check_folder, import_synthea

    check_folder(Path(args.folder))
    store = ctx.store()
    summary = import_synthea(store, args.folder, now=ctx.clock.now())
    print(summary.line())
    if summary.unknown_payers:
        print(
            f"rcmwatch: {len(summary.unknown_payers)} payer ids not in payers.csv were added "
            "as payers that need mapping"
        )
    print(
        "note: a Synthea store has no acknowledgments, denials or posting times; those KPIs "
        "say 'not available from this source'"
    )
    return 0
