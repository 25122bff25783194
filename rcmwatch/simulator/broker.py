"""The integration engine's broker side, played on a real RabbitMQ.

Topology (every name under an optional prefix, so test sessions do not meet):
exchanges ``ehr.events`` and ``edi`` (topic) route each interface's messages to its queue
(``billing.adt``, ``billing.charges``, ``edi.claims.out``, ``edi.acks.in``, ``edi.era.in`` — the
engine's routes, ``sample_data.claim_story.INTERFACE_ROUTES``); every queue dead-letters into
the ``rcm.dlx`` exchange, which routes by the original routing key to ``<queue>.dlq``.

The simulator publishes each engine message when it is created and consumes it as the
downstream system would: a message whose story says it fails is rejected without requeue, so
the broker dead-letters it (x-death records its queue, exchange and routing key); the error text
travels in the ``x-exception-message`` header, as engines that republish with the error do. A
message that comes back — republished by an operator or a remediation job to its original
exchange and routing key — carries ``x-death`` and is consumed: the simulator records it as
processed in the engine's message log and closes its work item.

Without a broker (not installed, not running) the simulator runs on and says "not connected".
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sample_data.claim_story import INTERFACE_ROUTES

log = logging.getLogger("rcmwatch.simulator")
DLX = "rcm.dlx"


@dataclass(frozen=True)
class Delivery:
    queue: str
    message_id: str | None
    routing_key: str
    republished: bool  # came back after dead-lettering (has x-death)
    body: dict


class Broker:
    def __init__(self, url: str, prefix: str = "", timeout: float = 5.0) -> None:
        self.url = url
        self.prefix = prefix
        self.timeout = timeout
        self.connection = None
        self.channel = None
        self.error: str | None = None
        self.routes = {
            interface: (queue, exchange, rkey)
            for interface, (_d, queue, exchange, rkey, _t) in INTERFACE_ROUTES.items()
        }

    def name(self, base: str) -> str:
        return f"{self.prefix}{base}"

    @property
    def queues(self) -> list[str]:
        return [self.name(q) for q, _e, _r in self.routes.values()]

    @property
    def status(self) -> str:
        if self.channel is not None and self.channel.is_open:
            parts = urlsplit(self.url)
            return f"connected to {parts.hostname}:{parts.port or 5672}"
        return f"not connected ({self.error or 'no broker configured'})"

    def connect(self) -> bool:
        import pika

        params = pika.URLParameters(self.url)
        params.socket_timeout = self.timeout
        params.blocked_connection_timeout = self.timeout
        params.connection_attempts = 1
        try:
            self.connection = pika.BlockingConnection(params)
            self.channel = self.connection.channel()
            self._declare()
        except Exception as exc:  # any broker trouble: run on without it
            self.error = f"{type(exc).__name__}: {' '.join(str(exc).split()) or 'unreachable'}"
            self.close()
            return False
        self.error = None
        return True

    def _declare(self) -> None:
        ch = self.channel
        ch.exchange_declare(self.name(DLX), "topic", durable=True)
        for exchange in sorted({e for _q, e, _r in self.routes.values()}):
            ch.exchange_declare(self.name(exchange), "topic", durable=True)
        for queue, exchange, rkey in self.routes.values():
            ch.queue_declare(
                self.name(queue),
                durable=True,
                arguments={"x-dead-letter-exchange": self.name(DLX)},
            )
            ch.queue_bind(self.name(queue), self.name(exchange), routing_key=rkey)
            ch.queue_declare(self.name(queue) + ".dlq", durable=True)
            ch.queue_bind(self.name(queue) + ".dlq", self.name(DLX), routing_key=rkey)

    def publish(self, row: dict, fails: bool) -> None:
        """Publish one engine message (a message_log row) on its interface's route."""
        import pika

        _queue, exchange, rkey = self.routes[row["interface"]]
        created = datetime.fromisoformat(row["created_at"])
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        headers = {
            "interface": row["interface"],
            "subject_type": row["subject_type"],
            "subject_key": row["subject_key"],
            "facility": row["facility_code"],
        }
        if fails:
            headers["x-sim-outcome"] = "fail"
            headers["x-exception-message"] = row.get("error_text") or "processing failed"
        props = pika.BasicProperties(
            message_id=row["message_id"],
            timestamp=int(created.timestamp()),
            headers=headers,
            content_type="application/json",
            delivery_mode=2,
            type=row["message_type"],
        )
        body = {"message_id": row["message_id"], "control_id": row["control_id"]}
        self.channel.basic_publish(
            self.name(exchange), rkey, json.dumps(body).encode(), properties=props
        )

    def consume(self, limit: int = 10_000) -> list[Delivery]:
        """Take what waits in the interface queues: fail what must fail (→ dead letter), ack
        the rest; report each delivery."""
        out = []
        for queue in self.queues:
            for _ in range(limit):
                method, props, body = self.channel.basic_get(queue, auto_ack=False)
                if method is None:
                    break
                headers = (props.headers or {}) if props else {}
                republished = bool(headers.get("x-death"))
                if headers.get("x-sim-outcome") == "fail" and not republished:
                    self.channel.basic_reject(method.delivery_tag, requeue=False)
                else:
                    self.channel.basic_ack(method.delivery_tag)
                try:
                    payload = json.loads(body or b"{}")
                except ValueError:
                    payload = {}
                out.append(
                    Delivery(
                        queue,
                        props.message_id if props else None,
                        method.routing_key,
                        republished,
                        payload,
                    )
                )
        return out

    def pump(self) -> None:
        """Let the connection answer heartbeats between ticks."""
        if self.connection is not None and self.connection.is_open:
            self.connection.process_data_events(time_limit=0)

    def delete_topology(self) -> None:
        """Remove every queue and exchange of this prefix (tests)."""
        ch = self.channel
        for queue in self.queues:
            ch.queue_delete(queue)
            ch.queue_delete(queue + ".dlq")
        for exchange in {e for _q, e, _r in self.routes.values()} | {DLX}:
            ch.exchange_delete(self.name(exchange))

    def close(self) -> None:
        try:
            if self.connection is not None and self.connection.is_open:
                self.connection.close()
        except Exception:  # closing a broken connection: nothing left to do
            log.debug("broker close failed", exc_info=True)
        self.connection = self.channel = None
