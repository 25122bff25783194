"""The collectors' exception tree: what a source did wrong, and whether trying again can help.

Every error a collector raises about its source is a :class:`SourceError` subclass. The runner
retries the retryable ones under the source's :class:`~collectors.retry.RetryPolicy`, then records
the run as failed with ``error_kind`` and one line, and marks the source unhealthy.

- ``SourceUnavailable``  the source cannot be reached (connection refused, host down, broker
                         closed the connection, folder missing). Retryable.
- ``SourceTimeout``      the source did not answer in time. Retryable.
- ``SourceAuthError``    the source refused our credentials. Not retryable: a person must act.
- ``SchemaDrift``        the source answered, but not in the shape the mapping expects (a missing
                         table or column, a changed API field). Not retryable: the mapping or the
                         source must change.
- ``SourceConfigError``  the sources or mapping file is wrong (a ``ConfigError`` too). Not
                         retryable.
"""

from __future__ import annotations

from rcmwatch.errors import ConfigError, SourceError


class CollectorError(SourceError):
    kind = "error"
    retryable = False


class SourceUnavailable(CollectorError):
    kind = "unavailable"
    retryable = True
    next_step = "is the source up and reachable from here?"


class SourceTimeout(CollectorError):
    kind = "timeout"
    retryable = True
    next_step = "the source is slow or overloaded; it is retried at the next run"


class SourceAuthError(CollectorError):
    kind = "auth"
    next_step = "check the credentials in the sources file"


class SchemaDrift(CollectorError):
    kind = "schema_drift"
    next_step = "the source changed shape: update the mapping file (or the source)"


class SourceConfigError(ConfigError):
    kind = "config"
    retryable = False
    next_step = "the formats are described at the top of collectors/config.py and mapping.py"


def error_kind(exc: BaseException) -> str:
    """The ``collector_run.error_kind`` of an exception (``internal`` for bugs of ours)."""
    kind = getattr(exc, "kind", None)
    if isinstance(kind, str):
        return kind
    return "internal"


def one_line(exc: BaseException) -> str:
    text = exc.one_line() if hasattr(exc, "one_line") else " ".join(str(exc).split())
    text = text or type(exc).__name__
    if getattr(exc, "kind", None) is None:
        text = f"{type(exc).__name__}: {text}"
    return text[:1000]
