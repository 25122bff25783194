"""X12 into the canonical store: landing (raw kept, SHA-256, received_at), parsing, writing in
one transaction per file, linking, quarantining what fails. ``run.ingest_paths`` is the entry
point the CLI and the EDI collector share."""
