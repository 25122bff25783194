"""The exception tree every user-facing error goes through.

Each class is something a user can act on; its ``next_step`` says how. The CLI turns any of them
into one line on stderr (``rcmwatch.cli.main``); the dashboard into ``st.error``/``st.info``
(``rcmwatch.ui.funnel``). Nothing else should reach a user: an unexpected exception is reported
as an internal error in one line too, never as a traceback.

- ``ConfigError``       a setting, URL or config file is malformed.
- ``StoreError``        the canonical store cannot be used:
    - ``StoreUnreachable``  the database server or file cannot be opened.
    - ``SchemaTooNew``      the store was migrated by a newer rcmwatch than this one.
    - ``SchemaMissing``     a page reads the store before ``rcmwatch init`` ran.
- ``InputError``        an input file or row is malformed (it is kept/quarantined, not lost).
- ``PermissionDenied``  the current user lacks the permission an action needs.
- ``SourceError``       a collector's source misbehaves (subclassed by the collectors issue:
                        unavailable, timeout, schema drift, auth).
"""

from __future__ import annotations


class RcmwatchError(Exception):
    """Base of every error a user may see. ``str(err)`` is one readable line."""

    exit_code = 2
    next_step: str | None = None

    def __init__(self, message: str, *, next_step: str | None = None) -> None:
        # Multi-line messages would break the "one line on stderr" contract.
        super().__init__(" ".join(message.split()))
        if next_step is not None:
            self.next_step = next_step

    def one_line(self) -> str:
        text = str(self)
        if self.next_step:
            text = f"{text} ({self.next_step})"
        return text


class ConfigError(RcmwatchError):
    """A setting, URL or configuration file is malformed."""

    next_step = "check the value; `rcmwatch --help` lists every setting"


class StoreError(RcmwatchError):
    """The canonical store cannot be used."""


class StoreUnreachable(StoreError):
    next_step = "is the database running and the URL right? see RCMWATCH_DATABASE_URL"


class SchemaTooNew(StoreError):
    next_step = "upgrade rcmwatch to the version that migrated this store"


class SchemaMissing(StoreError):
    next_step = "run `rcmwatch init` to create the store"


class InputError(RcmwatchError):
    """An input file or row is malformed."""

    exit_code = 1


class PermissionDenied(RcmwatchError):
    """The current user lacks a permission."""

    exit_code = 3
    next_step = "ask an administrator for a role that grants it"


class SourceError(RcmwatchError):
    """A source system misbehaves; collectors raise typed subclasses."""
