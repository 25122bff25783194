"""The canonical store: SQLAlchemy 2.x models, Alembic migrations, engine set-up, seed data."""
