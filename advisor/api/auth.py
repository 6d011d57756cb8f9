"""Who is calling, and what they may do: principals, permissions, and the per-client rate.

A request carries ``Authorization: Bearer <token>``. The token (``advisor.api.tokens``) gives a
:class:`~advisor.principal.Principal`: an organisation of the accounts and one of their roles,
``via`` ``api``, exactly like a signed-in user of the web UI. The case-library endpoints pass it
to the same store calls the UI makes, so the store decides, from the role, what may be done and,
from the organisation, which cases are visible (its own, and those shared with it read-only or
editable); the API adds no rule of its own there. What the API checks up front:

- ``assess``: the assessment endpoints (assess, what-if, batch) and the reference endpoints.
  Every role. With ``ADVISOR_API_OPEN=1`` (a local single-user install) they need no token.
- ``cases:read`` / ``cases:write`` / ``cases:export``: the role's ``cases.read``,
  ``cases.write``, ``cases.export`` permissions of :mod:`advisor.principal` (officials, agency
  planners, trainers and administrators; trainees and reviewers have no case library).
- ``classroom:run``: open a live class from an exercise pack, in the token's organisation.
  Trainers and administrators. The class is then driven with its own keys (the trainer key, each
  trainee's key).

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

from advisor.api.errors import ApiError
from advisor.principal import Principal, Role

__all__ = ["OPEN_ENV", "Principal", "forbidden", "is_open", "may", "unauthorised"]

OPEN_ENV = "ADVISOR_API_OPEN"
_STORE_PERMISSION = {
    "cases:read": "cases.read",
    "cases:write": "cases.write",
    "cases:export": "cases.export",
}
CLASSROOM_ROLES = frozenset({Role.TRAINER, Role.ADMIN})


def may(principal: Principal | None, permission: str) -> bool:
    """Whether ``principal`` (None: no token) may use the endpoints guarded by ``permission``."""
    if principal is None:
        return False
    if permission == "assess":
        return True
    if permission == "classroom:run":
        return Role(principal.role) in CLASSROOM_ROLES
    store_permission = _STORE_PERMISSION.get(permission)
    return store_permission is not None and principal.can(store_permission)


def client_key(principal: Principal | None) -> str | None:
    """The rate-limit key of a caller with a token (None without one)."""
    return principal.username if principal is not None else None


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
        "cases:export": ("export cases", "导出案例"),
        "assess": ("run assessments", "进行评估"),
        "classroom:run": ("open a live class", "开设课堂"),
    }.get(permission, (permission, permission))
    return ApiError(
        403,
        "forbidden",
        f"the role {str(principal.role)!r} may not {what[0]}",
        f"角色 {str(principal.role)!r} 无权{what[1]}",
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
