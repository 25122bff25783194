"""Why an X12 file cannot be parsed at all (each is one readable line naming what and where).

Everything short of these is a *warning* (see :mod:`collectors.edi.diagnostics`): the file is still
parsed and reported. These subclass :class:`rcmwatch.errors.InputError`, so the CLI funnel and the
ingest quarantine treat them like any malformed input.

- ``NotX12``            the bytes are not an X12 interchange (no ISA or ST where one must start,
                        an ISA too short to carry its separators, unusable separators).
- ``TruncatedX12``      an ISA, GS or ST is not closed by its IEA, GE or SE before the end of the
                        file, or before the next envelope segment that needs it closed.
"""

from __future__ import annotations

from rcmwatch.errors import InputError


class X12Error(InputError):
    """The file cannot be tokenised; the message says what and where."""


class NotX12(X12Error):
    """Not an X12 interchange, or one whose separators cannot be determined."""


class TruncatedX12(X12Error):
    """An envelope (ISA/GS/ST) is left open: the file was cut or concatenated badly."""
