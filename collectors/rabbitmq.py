"""The broker (RabbitMQ): queue depths, publish/deliver rates, dead-letter queues and the age of
their oldest message, sampled into ``queue_sample``; dead letters copied into
``interface_message`` (status ``dead_lettered``) *without being consumed*.

Through the management HTTP API when it is reachable: ``GET /api/queues/{vhost}`` for every
queue's counters, and for dead-letter queues ``POST .../get`` with ``ackmode=ack_requeue_true``
(the broker hands the messages back to the queue), at most ``peek_limit`` per queue per run. Each
dead letter is keyed by its message id, else by a hash of its content and first death, so reading
it again changes nothing. When the whole dead-letter queue was read, messages no longer in it
(republished, purged) get ``removed_at_source``.

Without the management API (plugin disabled, port closed) the collector degrades to AMQP
passive declares of the queues listed in the sources file — depth and consumers only — and says
so in the source's notice. Both clients are injected.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import quote, unquote, urlsplit

import httpx

from collectors.base import RunContext
from collectors.errors import (
    CollectorError,
    SchemaDrift,
    SourceAuthError,
    SourceConfigError,
    SourceTimeout,
    SourceUnavailable,
)
from collectors.retry import RetryPolicy
from collectors.sink import close_removed, upsert_rows
from rcmwatch.store.models import InterfaceMessage, QueueSample

DEAD_LETTER_PATTERN = r"(^|[._-])(dlq|dlx|dead[._-]?letters?|dead)($|[._-])"
_DIGITS = re.compile(r"\d+")


class ManagementUnavailable(SourceUnavailable):
    """The management API cannot be used (not enabled, not reachable): degrade to AMQP."""


# --- clients ---------------------------------------------------------------------------------


class ManagementApi:
    """The few calls of RabbitMQ's management HTTP API the collector needs."""

    def __init__(
        self,
        base_url: str,
        user: str,
        password: str,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = httpx.Client(
            base_url=self.base_url, auth=(user, password), timeout=timeout, transport=transport
        )

    def close(self) -> None:
        self.client.close()

    def _call(self, method: str, path: str, **kw):
        try:
            response = self.client.request(method, path, **kw)
        except httpx.TimeoutException as exc:
            raise SourceTimeout(f"management API {self.base_url}: {exc}") from None
        except httpx.TransportError as exc:
            raise ManagementUnavailable(
                f"management API {self.base_url} unreachable: {type(exc).__name__}: {exc}"
            ) from None
        if response.status_code in (401, 403):
            raise SourceAuthError(
                f"management API {self.base_url} refused the credentials ({response.status_code})"
            )
        if response.status_code == 404:
            raise ManagementUnavailable(f"management API {self.base_url}{path}: not found (404)")
        if response.status_code >= 400:
            raise SourceUnavailable(
                f"management API {self.base_url}{path}: HTTP {response.status_code}"
            )
        try:
            return response.json()
        except ValueError:
            raise SchemaDrift(f"management API {self.base_url}{path}: not JSON") from None

    def queues(self, vhost: str) -> list[dict]:
        body = self._call("GET", f"/api/queues/{quote(vhost, safe='')}")
        if not isinstance(body, list):
            raise SchemaDrift(f"management API {self.base_url}: /api/queues is not a list")
        return body

    def peek(self, vhost: str, queue: str, count: int) -> list[dict]:
        body = self._call(
            "POST",
            f"/api/queues/{quote(vhost, safe='')}/{quote(queue, safe='')}/get",
            json={
                "count": count,
                "ackmode": "ack_requeue_true",
                "encoding": "auto",
                "truncate": 50_000,
            },
        )
        if not isinstance(body, list):
            raise SchemaDrift(f"management API {self.base_url}: get on {queue} is not a list")
        return body


class AmqpDepths(Protocol):
    def depths(self, queues: Iterable[str]) -> dict[str, tuple[int, int] | None]: ...

    def close(self) -> None: ...


class PikaDepths:
    """Queue depth and consumers over AMQP (passive declare: nothing is created or consumed)."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url
        self.timeout = timeout

    def depths(self, queues: Iterable[str]) -> dict[str, tuple[int, int] | None]:
        import pika
        from pika import exceptions as pe

        params = pika.URLParameters(self.url)
        params.socket_timeout = self.timeout
        params.blocked_connection_timeout = self.timeout
        params.connection_attempts = 1
        try:
            connection = pika.BlockingConnection(params)
        except (pe.ProbableAuthenticationError, pe.AuthenticationError) as exc:
            raise SourceAuthError(
                f"AMQP {_redact(self.url)} refused the credentials: {exc}"
            ) from None
        except pe.AMQPError as exc:
            raise SourceUnavailable(
                f"AMQP {_redact(self.url)} unreachable: {type(exc).__name__} {exc}"
            ) from None
        out: dict[str, tuple[int, int] | None] = {}
        try:
            channel = connection.channel()
            for queue in queues:
                try:
                    ok = channel.queue_declare(queue=queue, passive=True)
                    out[queue] = (ok.method.message_count, ok.method.consumer_count)
                except pe.ChannelClosedByBroker:
                    out[queue] = None  # no such queue
                    channel = connection.channel()
        except pe.AMQPError as exc:
            raise SourceUnavailable(
                f"AMQP {_redact(self.url)}: {type(exc).__name__} {exc}"
            ) from None
        finally:
            if connection.is_open:
                connection.close()
        return out

    def close(self) -> None:
        return None


def _redact(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


# --- dead letters ------------------------------------------------------------------------------


def _epoch(value) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, UTC)
    try:
        at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _error_text(headers: Mapping) -> str | None:
    for name in ("x-exception-message", "x-error", "error", "x-error-message", "exception"):
        value = headers.get(name)
        if value:
            return " ".join(str(value).split())
    return None


def error_signature(reason: str | None, error: str | None) -> str:
    """A grouping key for failures: the death reason and the error's first line with numbers
    masked (``rejected: HTTP # from payer gateway``)."""
    parts = [reason or "dead_lettered"]
    if error:
        parts.append(_DIGITS.sub("#", error.split(". ")[0])[:150])
    return ": ".join(parts)[:200]


def dead_letter_row(
    dlq: str, message: Mapping, interfaces: Mapping[str, str], now: datetime
) -> dict:
    """One peeked message as an ``interface_message`` row (without ``source``)."""
    props = message.get("properties") or {}
    if not isinstance(props, Mapping):
        raise SchemaDrift(f"dead letter in {dlq}: properties is not an object")
    headers = props.get("headers") or {}
    deaths = headers.get("x-death") or []
    first = deaths[-1] if deaths else {}  # x-death is most recent first
    original_queue = headers.get("x-first-death-queue") or first.get("queue") or dlq
    reason = headers.get("x-first-death-reason") or first.get("reason")
    error = _error_text(headers)
    routing = first.get("routing-keys") or [message.get("routing_key")]
    message_id = props.get("message_id")
    if message_id:
        key = f"id:{message_id}"
    else:
        body = str(message.get("payload", "")) + "\x1f" + str(original_queue) + "\x1f"
        body += str(first.get("time", ""))
        key = "sha256:" + hashlib.sha256(body.encode()).hexdigest()
    created = _epoch(props.get("timestamp")) or _epoch(first.get("time")) or now
    return {
        "source_key": key[:200],
        "interface": interfaces.get(original_queue, original_queue)[:80],
        "queue": str(original_queue)[:120],
        "exchange": (headers.get("x-first-death-exchange") or first.get("exchange") or "")[:120]
        or None,
        "routing_key": (str(routing[0]) if routing and routing[0] else None),
        "message_id": str(message_id)[:120] if message_id else None,
        "status": "dead_lettered",
        "error": error,
        "error_signature": error_signature(reason, error),
        "attempts": sum(int(d.get("count", 1)) for d in deaths) or 1,
        "subject_type": None,
        "subject_key": None,
        "created_at": created,
        "updated_at": now,
        "completed_at": None,
    }


# --- the collector -----------------------------------------------------------------------------


class RabbitMqCollector:
    kind = "rabbitmq"
    full_scan_seconds = None

    def __init__(
        self,
        name: str,
        *,
        vhost: str,
        management: ManagementApi | None,
        amqp: AmqpDepths | None,
        queues: list[str] | None = None,
        queue_prefix: str = "",
        dead_letter_pattern: str = DEAD_LETTER_PATTERN,
        peek_limit: int = 100,
        interfaces: Mapping[str, str] | None = None,
        cadence_seconds: int = 60,
        retry: RetryPolicy | None = None,
        record_source: str | None = None,
    ) -> None:
        self.name = name
        self.vhost = vhost
        self.management = management
        self.amqp = amqp
        self.queues = list(queues or [])
        self.queue_prefix = queue_prefix
        self.dead_letter = re.compile(dead_letter_pattern)
        self.peek_limit = peek_limit
        self.interfaces = dict(interfaces or {})
        self.cadence_seconds = cadence_seconds
        self.retry = retry or RetryPolicy()
        self.record_source = record_source or name

    def close(self) -> None:
        if self.management is not None:
            self.management.close()
        if self.amqp is not None:
            self.amqp.close()

    def _wanted(self, name: str) -> bool:
        if self.queues:
            return name in self.queues
        return name.startswith(self.queue_prefix)

    def collect(self, run: RunContext) -> None:
        now = run.now()
        if self.management is not None:
            try:
                self._via_management(run, now)
                return
            except ManagementUnavailable as exc:
                if self.amqp is None:
                    raise
                run.stats.notice(
                    f"management API unavailable ({exc}); depths over AMQP only — no rates, "
                    "no dead-letter contents"
                )
        elif self.amqp is not None:
            run.stats.notice("no management API configured; depths over AMQP only")
        if self.amqp is None:
            raise SourceConfigError(f"{self.name}: neither a management URL nor an AMQP URL")
        self._via_amqp(run, now)

    def _via_amqp(self, run: RunContext, now: datetime) -> None:
        if not self.queues:
            run.stats.notice("no queues listed in the sources file: nothing to sample over AMQP")
            return
        depths = self.amqp.depths(self.queues)
        samples, missing = [], []
        for queue, found in depths.items():
            if found is None:
                missing.append(queue)
                continue
            messages, consumers = found
            samples.append(self._sample(queue, now, "amqp", messages=messages,
                                        consumers=consumers))  # fmt: skip
        if missing:
            run.stats.notice(f"queues not found on the broker: {', '.join(missing)}")
        self._write(run, samples, [], {})

    def _via_management(self, run: RunContext, now: datetime) -> None:
        listed = self.management.queues(self.vhost)
        samples, letters, complete = [], [], {}
        for q in listed:
            try:
                name, messages = q["name"], int(q.get("messages", 0) or 0)
            except (KeyError, TypeError, ValueError):
                raise SchemaDrift(
                    f"{self.name}: a queue in /api/queues lacks name/messages"
                ) from None
            if not self._wanted(name):
                continue
            stats = q.get("message_stats") or {}
            oldest = _epoch(q.get("head_message_timestamp"))
            is_dlq = bool(self.dead_letter.search(name))
            if is_dlq and messages:
                peeked = self.management.peek(self.vhost, name, min(self.peek_limit, messages))
                rows = [dead_letter_row(name, m, self.interfaces, now) for m in peeked]
                letters.extend(rows)
                run.stats.rows_read += len(rows)
                times = [r["created_at"] for r in rows]
                if times and oldest is None:
                    oldest = min(times)
                complete[name] = len(peeked) >= messages
                if messages > len(peeked):
                    run.stats.notice(
                        f"{name}: {messages - len(peeked)} dead letters beyond the peek limit "
                        f"({self.peek_limit}) not read"
                    )
            elif is_dlq:
                complete[name] = True
            samples.append(
                self._sample(
                    name,
                    now,
                    "management",
                    messages=messages,
                    ready=q.get("messages_ready"),
                    unacked=q.get("messages_unacknowledged"),
                    consumers=q.get("consumers"),
                    publish_rate=(stats.get("publish_details") or {}).get("rate"),
                    deliver_rate=(stats.get("deliver_get_details") or {}).get("rate"),
                    oldest=oldest,
                    dead_letter=is_dlq,
                )
            )
        self._write(run, samples, letters, complete)

    def _sample(
        self,
        queue,
        now,
        via,
        *,
        messages,
        ready=None,
        unacked=None,
        consumers=None,
        publish_rate=None,
        deliver_rate=None,
        oldest=None,
        dead_letter=None,
    ) -> dict:
        return {
            "source": self.name,
            "vhost": self.vhost,
            "queue": queue,
            "sampled_at": now,
            "is_dead_letter": bool(self.dead_letter.search(queue))
            if dead_letter is None
            else dead_letter,
            "messages": int(messages),
            "messages_ready": ready,
            "messages_unacked": unacked,
            "consumers": consumers,
            "publish_rate": float(publish_rate) if publish_rate is not None else None,
            "deliver_rate": float(deliver_rate) if deliver_rate is not None else None,
            "oldest_message_at": oldest,
            "via": via,
        }

    def _write(
        self, run: RunContext, samples: list[dict], letters: list[dict], complete: dict[str, bool]
    ) -> None:
        from sqlalchemy import insert, select

        table = InterfaceMessage.__table__
        with run.store.write() as conn:
            if samples:
                conn.execute(insert(QueueSample.__table__), samples)
            run.stats.rows_written += upsert_rows(conn, table, self.record_source, letters)
            for row in letters:
                run.stats.saw(row["created_at"])
            # Dead letters no longer in a queue read whole were republished or purged.
            seen = {r["source_key"] for r in letters}
            fully_read = [q for q, whole in complete.items() if whole]
            if fully_read:
                present = conn.execute(
                    select(table.c.source_key).where(
                        table.c.source == self.record_source,
                        table.c.removed_at_source.is_(None),
                        table.c.status == "dead_lettered",
                    )
                ).scalars()
                gone = {k for k in present if k not in seen}
                if gone and len(fully_read) == len(complete):
                    close_removed(conn, table, self.record_source, gone, run.now())
        run.stats.watermark = f"{len(samples)} queues"


def rabbitmq_collector(cfg) -> RabbitMqCollector:
    """A broker collector from its sources-file entry."""
    opts = cfg.options
    amqp_url = opts["amqp_url"]
    parts = urlsplit(amqp_url)
    if parts.scheme not in ("amqp", "amqps"):
        raise SourceConfigError(f"{cfg.where('amqp_url')}: must be an amqp:// URL")
    vhost = opts.get("vhost") or unquote(parts.path[1:]) or "/"
    timeout = float(opts.get("timeout_seconds", 10))
    management = None
    if opts.get("management_url"):
        management = ManagementApi(
            opts["management_url"],
            unquote(parts.username or "guest"),
            unquote(parts.password or "guest"),
            timeout=timeout,
        )
    queues = opts.get("queues")
    if queues is not None and (
        not isinstance(queues, list) or not all(isinstance(q, str) for q in queues)
    ):
        raise SourceConfigError(f"{cfg.where('queues')}: must be a list of queue names")
    try:
        re.compile(opts.get("dead_letter_pattern", DEAD_LETTER_PATTERN))
    except re.error as exc:
        raise SourceConfigError(f"{cfg.where('dead_letter_pattern')}: {exc}") from None
    return RabbitMqCollector(
        cfg.name,
        vhost=vhost,
        management=management,
        amqp=PikaDepths(amqp_url, timeout),
        queues=queues,
        queue_prefix=str(opts.get("queue_prefix", "")),
        dead_letter_pattern=opts.get("dead_letter_pattern", DEAD_LETTER_PATTERN),
        peek_limit=int(opts.get("peek_limit", 100)),
        interfaces=opts.get("interfaces") or {},
        cadence_seconds=cfg.cadence_seconds,
        retry=cfg.retry,
        record_source=cfg.record_source,
    )


__all__ = ["CollectorError", "ManagementApi", "PikaDepths", "RabbitMqCollector"]
