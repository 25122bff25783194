"""rcmwatch core: store, settings, identity, errors, clock, export, CLI."""

__version__ = "0.1.0"
