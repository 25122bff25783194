"""Importers of other systems ' exports into the canonical store."""
