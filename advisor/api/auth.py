"""Who is calling, and what they may do: principals, permissions, and the per-client rate.

A request carries ``Authorization: Bearer <token>``. The token gives a :class:`Principal`: an
organisation and one role. Permissions are a table from role to what it may do, so the accounts
and organisations of the case library can later hand out the same principals (a signed-in
account instead of a token) without touching the endpoints.

- ``assess``: the assessment endpoints (assess, what-if, batch). Every role. With
  ``ADVISOR_API_OPEN=1`` (a local single-user install) they need no token at all.
- ``cases:read``: list, get and the history of saved cases.
- ``cases:write``: save and delete cases. Officials, agency planners and administrators;
  reviewers and trainers read only; trainees do not see the case library.
- ``classroom:run``: open a live class from an exercise pack. Trainers and administrators. The
  class itself is then driven with its own keys (the trainer key, each trainee's key), not tokens.

Organisation scoping of the case library comes with the organisations of the store; until then
every token sees the one library of the database (its organisation is recorded, not enforced).

Rate: a token bucket per client (the token's id, or the client address without a token):
``ADVISOR_API_RATE`` requests a second refilled (default 20; 0 turns the limit off),
``ADVISOR_API_BURST`` at most in one go (default 2x the rate, at least 1). The buckets live in each
worker process, so with N workers a client can reach up to N times the rate.
"""

from __future__ import annotations

import math
import os
import threading
import time
from dataclasses import dataclass

from advisor.api.errors import ApiError

PERMISSIONS: dict[str, frozenset[str]] = {
    "official": frozenset({"assess", "cases:read", "cases:write"}),
    "agency_planner": frozenset({"assess", "cases:read", "cases:write"}),
    "administrator": frozenset({"assess", "cases:read", "cases:write", "classroom:run"}),
    "reviewer": frozenset({"assess", "cases:read"}),
    "trainer": frozenset({"assess", "cases:read", "classroom:run"}),
    "trainee": frozenset({"assess"}),
}
OPEN_ENV = "ADVISOR_API_OPEN"


@dataclass(frozen=True)
class Principal:
    """The caller: ``token_id`` None for an anonymous caller of an open install."""

    organisation: str | None
    role: str | None
    token_id: str | None

    def may(self, permission: str) -> bool:
        return self.role is not None and permission in PERMISSIONS.get(self.role, frozenset())

    @property
    def client_key(self) -> str:
        return f"token:{self.token_id}" if self.token_id else "anonymous"


ANONYMOUS = Principal(None, None, None)


def is_open() -> bool:
    """True when ``ADVISOR_API_OPEN`` is set to 1/true/yes."""
    return os.environ.get(OPEN_ENV, "").strip().lower() in ("1", "true", "yes")


def unauthorised(missing: bool) -> ApiError:
    if missing:
        en, zh = (
            "an API token is required: send 'Authorization: Bearer <token>' "
            "(create one with `advisor tokens create`)",
            "需要 API 令牌：请发送 “Authorization: Bearer <令牌>”"
            "（用 `advisor tokens create` 创建）",
        )
    else:
        en, zh = (
            "this API token is unknown or revoked",
            "此 API 令牌无效或已被吊销",
        )
    return ApiError(
        401,
        "unauthorised",
        en,
        zh,
        headers={"WWW-Authenticate": 'Bearer realm="advisor"'},
    )


def forbidden(principal: Principal, permission: str) -> ApiError:
    what = {
        "cases:read": ("read the case library", "查看案例库"),
        "cases:write": ("change the case library", "修改案例库"),
        "assess": ("run assessments", "进行评估"),
        "classroom:run": ("open a live class", "开设课堂"),
    }.get(permission, (permission, permission))
    return ApiError(
        403,
        "forbidden",
        f"the role {principal.role!r} may not {what[0]}",
        f"角色 {principal.role!r} 无权{what[1]}",
    )


# --------------------------------------------------------------------------- rate


class TokenBucket:
    """Per-client token buckets: ``rate`` per second, at most ``burst`` at once."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = max(burst, 1.0)
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str) -> float:
        """Take one token for ``key``; return 0 if allowed, else the seconds until one is free."""
        if self.rate <= 0:
            return 0.0
        now = time.monotonic()
        with self._lock:
            level, at = self._buckets.get(key, (self.burst, now))
            level = min(self.burst, level + (now - at) * self.rate)
            if level >= 1.0:
                self._buckets[key] = (level - 1.0, now)
                if len(self._buckets) > 50_000:  # forget idle clients (their buckets are full)
                    self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 60}
                return 0.0
            self._buckets[key] = (level, now)
            return (1.0 - level) / self.rate


def bucket_from_env() -> TokenBucket:
    def number(name: str, default: float) -> float:
        raw = os.environ.get(name, "").strip()
        try:
            value = float(raw) if raw else default
        except ValueError:
            value = default
        return value if math.isfinite(value) and value >= 0 else default

    rate = number("ADVISOR_API_RATE", 20.0)
    burst = number("ADVISOR_API_BURST", max(2 * rate, 1.0))
    return TokenBucket(rate, burst)


def too_many(wait: float) -> ApiError:
    seconds = max(1, math.ceil(wait))
    return ApiError(
        429,
        "rate_limited",
        f"too many requests from this client; try again in {seconds} s",
        f"此客户端请求过于频繁；请 {seconds} 秒后再试",
        headers={"Retry-After": str(seconds)},
    )
