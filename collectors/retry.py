"""Retries as data: each source declares its policy (attempts, exponential backoff, jitter) in
the sources file; :func:`call_with_retry` applies it. Sleep and randomness are injected so tests
run instantly and deterministically."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from collectors.errors import CollectorError, SourceConfigError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` tries in all; before try n+1 wait ``min(max, base × multiplier^(n-1))``,
    scaled by a random factor in ``[1 - jitter, 1 + jitter]`` so that sources failing together
    do not retry in lock step."""

    attempts: int = 3
    base_seconds: float = 1.0
    multiplier: float = 2.0
    max_seconds: float = 30.0
    jitter: float = 0.2

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if self.base_seconds < 0 or self.max_seconds < 0 or self.multiplier < 1:
            raise ValueError("delays must be ≥ 0 and multiplier ≥ 1")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter must be within [0, 1]")

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed try number ``attempt`` (1-based)."""
        raw = min(self.max_seconds, self.base_seconds * self.multiplier ** (attempt - 1))
        if self.jitter:
            factor = (rng or random).uniform(1 - self.jitter, 1 + self.jitter)
            raw *= factor
        return max(0.0, raw)

    @classmethod
    def from_mapping(cls, raw: Mapping, where: str) -> RetryPolicy:
        known = {"attempts", "base_seconds", "multiplier", "max_seconds", "jitter"}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise SourceConfigError(f"{where}: unknown retry key(s) {', '.join(unknown)}")
        try:
            return cls(**{k: (int if k == "attempts" else float)(v) for k, v in raw.items()})
        except (TypeError, ValueError) as exc:
            raise SourceConfigError(f"{where}: retry policy is not valid: {exc}") from None


def call_with_retry(
    fn: Callable[[], T],
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
    on_retry: Callable[[int, CollectorError, float], None] | None = None,
) -> T:
    """``fn()``, retried on retryable :class:`CollectorError`; the last error is raised."""
    attempt = 1
    while True:
        try:
            return fn()
        except CollectorError as exc:
            if not exc.retryable or attempt >= policy.attempts:
                raise
            wait = policy.delay(attempt, rng)
            if on_retry is not None:
                on_retry(attempt, exc, wait)
            sleep(wait)
            attempt += 1
