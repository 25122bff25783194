"""``rcmwatch init``: create or upgrade the schema and seed the reference data."""

from __future__ import annotations


def add_parser(sub, common) -> None:
    p = sub.add_parser("init", parents=[common], help="create or upgrade the store's schema")
    p.set_defaults(func=run)


def run(args, ctx) -> int:
    store = ctx.store(create=True)
    print(f"store ready at revision {store.revision()}: {store.display_url}")
    return 0
