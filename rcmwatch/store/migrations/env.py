"""Alembic environment: runs on the connection rcmwatch hands over (see rcmwatch.store.migrate),
or on ``sqlalchemy.url`` when a developer runs the alembic CLI with ``-x url=...``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from rcmwatch.store.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit("pass the store URL: alembic -x url=sqlite:///.rcmwatch/rcmwatch.db ...")
    engine = create_engine(url)
    with engine.begin() as conn:
        _run(conn)
