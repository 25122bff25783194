"""Read-only queries that turn the store into Polars frames for pages and the CLI. Pages hold no
SQL: they call these. Money comes back as ``*_cents`` Int64 columns."""
