"""Reference data every store starts with, written in the migration's transaction: the roles and
version 1 of the CARC → denial category table (KPI.md §2). Idempotent."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select

from rcmwatch.identity import ROLES
from rcmwatch.reference.carc_map import builtin_carc_map
from rcmwatch.store.models import CarcCategory, GovernedVersion, Role

CARC_MAP_NAME = "carc_category_table"
# Version 1 applies from the beginning of time: it is the table KPI.md defines.
CARC_V1_EFFECTIVE = datetime(2000, 1, 1, tzinfo=UTC)


def seed_reference_data(conn: Connection) -> None:
    existing_roles = set(conn.scalars(select(Role.name)))
    for name, role in ROLES.items():
        if name not in existing_roles:
            conn.execute(insert(Role).values(name=name, description=role.description))

    carc = builtin_carc_map(1)
    found = conn.scalar(
        select(GovernedVersion.id).where(
            GovernedVersion.kind == "carc_map",
            GovernedVersion.name == CARC_MAP_NAME,
            GovernedVersion.version == str(carc.version),
        )
    )
    if found is None:
        version_id = conn.execute(
            insert(GovernedVersion)
            .values(
                kind="carc_map",
                name=CARC_MAP_NAME,
                version=str(carc.version),
                content_hash=carc.content_hash,
                author="rcmwatch (KPI.md §2)",
                approver="rcmwatch (KPI.md §2)",
                effective_from=CARC_V1_EFFECTIVE,
                notes="Seeded by rcmwatch init from KPI.md's CARC → category table.",
            )
            .returning(GovernedVersion.id)
        ).scalar_one()
        conn.execute(
            insert(CarcCategory),
            [
                {"version_id": version_id, "carc": code, "category": category}
                for code, category in sorted(carc.category_of.items())
            ],
        )
