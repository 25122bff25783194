"""The broker collector against the real RabbitMQ (queues under a per-run prefix, deleted after):
depths, dead letters read without being consumed and deduplicated, the AMQP fallback with a
notice, and auth/timeout faults through an injected HTTP transport."""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote, urlsplit

import httpx
import pytest
from sqlalchemy import func, select

from collectors.errors import SourceAuthError, SourceTimeout
from collectors.rabbitmq import ManagementApi, PikaDepths, RabbitMqCollector, dead_letter_row
from collectors.retry import RetryPolicy
from collectors.runner import run_source
from rcmwatch.clock import FixedClock
from rcmwatch.queries.interfaces import latest_queue_samples
from rcmwatch.store.models import InterfaceMessage, QueueSample, SourceState
from tests.conftest import _skip_or_fail

NOW = datetime(2024, 6, 15, 12, tzinfo=UTC)
MGMT = os.environ.get("RCMWATCH_TEST_AMQP_MANAGEMENT_URL", "http://127.0.0.1:15672")


@pytest.fixture
def amqp_url() -> str:
    url = os.environ.get("RCMWATCH_TEST_AMQP_URL")
    if not url:
        _skip_or_fail("RabbitMQ not configured (set RCMWATCH_TEST_AMQP_URL)")
    return url


@pytest.fixture
def broker(amqp_url):
    """A main queue dead-lettering into a DLQ, under a unique prefix; removed afterwards."""
    import pika

    try:
        conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    except Exception as exc:
        _skip_or_fail(f"RabbitMQ at {urlsplit(amqp_url).hostname} unreachable: {exc!r}")
    ch = conn.channel()
    p = f"rcmw_t_{uuid.uuid4().hex[:8]}"
    ch.exchange_declare(f"{p}.dlx", "direct", auto_delete=False)
    ch.queue_declare(f"{p}.claims.dlq", durable=False)
    ch.queue_bind(f"{p}.claims.dlq", f"{p}.dlx", routing_key="claims")
    ch.queue_declare(
        f"{p}.claims",
        durable=False,
        arguments={"x-dead-letter-exchange": f"{p}.dlx", "x-dead-letter-routing-key": "claims"},
    )
    yield p, ch
    for q in (f"{p}.claims", f"{p}.claims.dlq"):
        ch.queue_delete(q)
    ch.exchange_delete(f"{p}.dlx")
    conn.close()


def _dead_letter(ch, prefix: str, n_with_id: int, n_without: int) -> None:
    import pika

    for i in range(n_with_id + n_without):
        props = pika.BasicProperties(
            message_id=f"m-{i}" if i < n_with_id else None,
            timestamp=int(datetime(2024, 6, 14, 8, i, tzinfo=UTC).timestamp()),
            headers={"x-exception-message": f"HTTP 503 from payer gateway after {i} ms"},
        )
        ch.basic_publish("", f"{prefix}.claims", f"<claim {i}/>".encode(), props)
    for _ in range(n_with_id + n_without):
        method, _, _ = ch.basic_get(f"{prefix}.claims")
        ch.basic_reject(method.delivery_tag, requeue=False)
    ch.basic_publish("", f"{prefix}.claims", b"<claim waiting/>")


def _management(amqp_url: str, **kw) -> ManagementApi:
    parts = urlsplit(amqp_url)
    return ManagementApi(MGMT, unquote(parts.username), unquote(parts.password), **kw)


def _wait_for_counts(api: ManagementApi, vhost: str, expected: dict[str, int]) -> None:
    # The management API's counters are refreshed every few seconds.
    deadline = time.monotonic() + 20
    while True:
        got = {q["name"]: q.get("messages") for q in api.queues(vhost)}
        if all(got.get(k) == v for k, v in expected.items()):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"management counters never reached {expected}: {got}")
        time.sleep(0.5)


def _vhost(amqp_url: str) -> str:
    return unquote(urlsplit(amqp_url).path[1:]) or "/"


@pytest.mark.rabbitmq
@pytest.mark.slow
def test_dead_letters_are_read_without_being_consumed_and_kept_once(amqp_url, broker, sqlite_store):
    prefix, ch = broker
    _dead_letter(ch, prefix, n_with_id=3, n_without=2)
    vhost = _vhost(amqp_url)
    api = _management(amqp_url)
    try:
        api.queues(vhost)
    except Exception as exc:
        _skip_or_fail(f"RabbitMQ management API not enabled at {MGMT}: {exc}")
    _wait_for_counts(api, vhost, {f"{prefix}.claims.dlq": 5, f"{prefix}.claims": 1})
    collector = RabbitMqCollector(
        "broker",
        vhost=vhost,
        management=api,
        amqp=PikaDepths(amqp_url),
        queue_prefix=prefix,
        interfaces={f"{prefix}.claims": "claims_out"},
    )
    for _ in range(2):
        result = run_source(sqlite_store, collector, clock=FixedClock(NOW))
        assert result.ok, result.line()
    # Not consumed: still five dead letters on the broker.
    assert PikaDepths(amqp_url).depths([f"{prefix}.claims.dlq"]) == {f"{prefix}.claims.dlq": (5, 0)}
    with sqlite_store.read() as conn:
        rows = conn.execute(select(InterfaceMessage).order_by(InterfaceMessage.created_at)).all()
        samples = conn.execute(select(QueueSample).order_by(QueueSample.queue)).all()
    assert len(rows) == 5  # two runs, each message once
    assert {r.status for r in rows} == {"dead_lettered"}
    assert [r.message_id for r in rows[:3]] == ["m-0", "m-1", "m-2"]
    assert rows[3].source_key.startswith("sha256:") and rows[3].message_id is None
    first = rows[0]
    assert (first.interface, first.queue, first.attempts) == ("claims_out", f"{prefix}.claims", 1)
    assert first.error_signature == "rejected: HTTP # from payer gateway after # ms"
    assert first.created_at == datetime(2024, 6, 14, 8, 0, tzinfo=UTC)
    by_queue = {(s.queue, s.via): s for s in samples}
    dlq = by_queue[(f"{prefix}.claims.dlq", "management")]
    assert dlq.is_dead_letter and dlq.messages == 5
    assert dlq.oldest_message_at == datetime(2024, 6, 14, 8, 0, tzinfo=UTC)
    main = by_queue[(f"{prefix}.claims", "management")]
    assert not main.is_dead_letter and main.messages == 1

    # Republished (here: purged) dead letters are closed once the queue was read whole.
    ch.queue_purge(f"{prefix}.claims.dlq")
    _wait_for_counts(api, vhost, {f"{prefix}.claims.dlq": 0})
    assert run_source(sqlite_store, collector, clock=FixedClock(NOW)).ok
    with sqlite_store.read() as conn:
        closed = conn.scalar(
            select(func.count()).where(InterfaceMessage.removed_at_source.is_not(None))
        )
    assert closed == 5
    collector.close()


@pytest.mark.rabbitmq
def test_without_the_management_api_depths_come_over_amqp_with_a_notice(
    amqp_url, broker, sqlite_store
):
    prefix, ch = broker
    ch.basic_publish("", f"{prefix}.claims", b"x")
    ch.basic_publish("", f"{prefix}.claims", b"y")
    collector = RabbitMqCollector(
        "broker",
        vhost=_vhost(amqp_url),
        management=ManagementApi("http://127.0.0.1:1", "guest", "guest", timeout=2),
        amqp=PikaDepths(amqp_url),
        queues=[f"{prefix}.claims", f"{prefix}.claims.dlq", f"{prefix}.nope"],
    )
    result = run_source(sqlite_store, collector, clock=FixedClock(NOW))
    assert result.ok, result.line()
    with sqlite_store.read() as conn:
        samples = {
            s.queue: (s.messages, s.via, s.is_dead_letter, s.publish_rate)
            for s in conn.execute(select(QueueSample)).all()
        }
        state = conn.execute(select(SourceState)).one()
    assert samples == {
        f"{prefix}.claims": (2, "amqp", False, None),
        f"{prefix}.claims.dlq": (0, "amqp", True, None),
    }
    ch.basic_publish("", f"{prefix}.claims", b"z")
    assert run_source(sqlite_store, collector, clock=FixedClock(NOW + timedelta(minutes=1))).ok
    with sqlite_store.read() as conn:
        latest = latest_queue_samples(conn)
    assert latest.select("queue", "messages", "sampled_at").rows() == [
        (f"{prefix}.claims", 3, NOW + timedelta(minutes=1)),
        (f"{prefix}.claims.dlq", 0, NOW + timedelta(minutes=1)),
    ]
    assert state.healthy
    assert "management API unavailable" in state.notice and f"{prefix}.nope" in state.notice
    collector.close()


def _fake_api(handler) -> ManagementApi:
    return ManagementApi(MGMT, "guest", "wrong", transport=httpx.MockTransport(handler))


def test_refused_credentials_are_an_auth_error_and_not_retried(sqlite_store):
    waits: list[float] = []
    collector = RabbitMqCollector(
        "broker",
        vhost="/",
        management=_fake_api(lambda request: httpx.Response(401, json={"error": "not_authorised"})),
        amqp=None,
        retry=RetryPolicy(attempts=3, base_seconds=1, jitter=0),
    )
    result = run_source(sqlite_store, collector, clock=FixedClock(NOW), sleep=waits.append)
    assert (result.ok, result.error_kind, waits) == (False, "auth", [])
    with pytest.raises(SourceAuthError):
        collector.management.queues("/")


def test_a_slow_management_api_is_a_timeout_retried_then_unhealthy(sqlite_store):
    def slow(request):
        raise httpx.ReadTimeout("read timed out", request=request)

    waits: list[float] = []
    collector = RabbitMqCollector(
        "broker",
        vhost="/",
        management=_fake_api(slow),
        amqp=None,
        retry=RetryPolicy(attempts=2, base_seconds=0.25, jitter=0),
    )
    result = run_source(sqlite_store, collector, clock=FixedClock(NOW), sleep=waits.append)
    assert (result.ok, result.error_kind, waits) == (False, "timeout", [0.25])
    with pytest.raises(SourceTimeout):
        collector.management.queues("/")
    with sqlite_store.read() as conn:
        assert conn.scalar(select(SourceState.healthy)) is False


def test_a_dead_letter_without_id_is_keyed_by_content():
    message = {
        "payload": "<claim/>",
        "routing_key": "claims",
        "properties": {
            "headers": {
                "x-first-death-reason": "expired",
                "x-first-death-queue": "claims",
                "x-death": [
                    {
                        "count": 3,
                        "queue": "claims",
                        "reason": "expired",
                        "time": 1718000000,
                        "exchange": "",
                        "routing-keys": ["claims"],
                    }
                ],
            }
        },
    }
    a = dead_letter_row("claims.dlq", message, {}, NOW)
    b = dead_letter_row("claims.dlq", dict(message), {}, NOW)
    assert a["source_key"] == b["source_key"] and a["source_key"].startswith("sha256:")
    assert (a["attempts"], a["error_signature"], a["routing_key"]) == (3, "expired", "claims")
    assert a["created_at"] == datetime.fromtimestamp(1718000000, UTC)
