"""Live classroom exercises: a trainer runs an exercise pack for a whole class at once.

A trainer opens a *session* from a pack (``advisor.trainer.exercise``); the session gets a short
join code. Trainees join in their own browsers with the code and a display name, see the scenario
card, the question and the actions (:class:`Handout`, which carries no answer key), and send
their ranking; they may change it until the trainer reveals. The trainer watches, live, how many
have joined and answered, the spread of the ranks given to each action, and the misses that most
trainees share; then reveals: answers close, every trainee sees feedback in plain words
(:func:`feedback`: "top three: 2 of 3 right; you ranked A before B, the advisor puts B first
because ..."), and the debrief. Results stay in the database and export as CSV, with Spearman's
rho and Kendall's tau for the trainer.

Who may join: guests under any display name when the trainer allows it; otherwise the names on
the trainer's roster and the signed-in trainee accounts of the class's organisation. A signed-in
account joins under its display name and is recorded as that account (joining again from another
browser continues the same answer). Names are unique within a session. The trainer controls a
session with a *trainer key* shown once when it opens, stored hashed like the API tokens; a
trainee acts with a participant key kept by their browser.

Organisations: a class belongs to the organisation of the trainer (or administrator) who opened
it; the trainer's list of classes shows only that organisation's. Opening and revealing are in the
audit trail.

Persistence: the tables ``classroom_sessions`` and ``classroom_participants`` of the case
library's store (migration 0003), on SQLite or PostgreSQL like the cases.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import secrets
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy import exc as sa_exc

from advisor import schema as T
from advisor.audit import record
from advisor.errors import AdvisorError, FieldProblem, ProfileError
from advisor.models import Actor, BiText
from advisor.principal import ROLE_LABELS, Principal, Role
from advisor.store import CaseStore
from advisor.textsafe import csv_cell, csv_row
from advisor.trainer.exercise import (
    Debrief,
    ExercisePack,
    PackAction,
    Score,
    check_ranking,
    debrief,
    pack_from_text,
    pack_to_text,
    score,
)

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud, typed on phones
CODE_LENGTH = 6
NAME_MAX = 40
MAX_PAIRS = 2  # order disagreements told to a trainee
MAX_PARTICIPANTS = 500
TRAINER_ROLES = frozenset({Role.TRAINER, Role.ADMIN})

State = Literal["open", "revealed"]

# The classroom's own sentences. The advisor's order comes from this tool's priority weights, so
# the feedback says "the advisor", never "the paper", when it speaks of an order.
_TEXT: dict[str, dict[str, str]] = {
    "top": {
        "zh": "前 {k} 位：{right}/{k} 与本工具一致（本工具的前 {k} 位：{labels}）。",
        "en": "Top {k}: {right} of {k} right (the advisor's top {k}: {labels}).",
    },
    "top_all": {
        "zh": "前 {k} 位：{k} 项全部与本工具一致。",
        "en": "Top {k}: all {k} right.",
    },
    "pair": {
        "zh": "你把“{x}”排在“{y}”之前；本工具把“{y}”排在前面（第 {ry} 位，“{x}”第 {rx} 位）：{why}",
        "en": "You ranked “{x}” before “{y}”; the advisor puts “{y}” first (rank {ry}, “{x}” "
        "rank {rx}): {why}",
    },
    "not_recommended_top": {
        "zh": "你把“{x}”放在前 {k} 位，但本工具没有为这个案例推荐它：{why}",
        "en": "You put “{x}” in your first {k}, but the advisor does not recommend it for this "
        "case: {why}",
    },
    "engine_top_low": {
        "zh": "“{y}”是本工具排第 {ry} 位的行动，你把它排在第 {mine} 位（共 {n} 项）。",
        "en": "“{y}” is the advisor's number {ry}; you put it at {mine} of {n}.",
    },
    "all_good": {
        "zh": "在要紧的地方，你的排序与本工具一致。",
        "en": "Where it matters, your order agrees with the advisor's.",
    },
    "order_note": {
        "zh": "说明：本工具的排序来自它自己的优先级权重（本工具的操作化，见优先级构成），"
        "并非论文对这些行动的排名。",
        "en": "Note: the advisor's order comes from its own priority weights (this tool's "
        "operationalisation, see the priority breakdown), not from a ranking in the paper.",
    },
    "no_reason": {"zh": "（无说明）", "en": "(no reason recorded)"},
}


def _bt(key: str, **params: Any) -> BiText:
    entry = _TEXT[key]
    return BiText(zh=entry["zh"].format(**params), en=entry["en"].format(**params))


class ClassroomError(AdvisorError):
    """A classroom operation was refused: ``code`` says which, ``message_zh`` in Chinese."""

    def __init__(self, code: str, en: str, zh: str) -> None:
        super().__init__(en)
        self.code = code
        self.message_zh = zh

    def text(self, lang: str) -> str:
        return self.message_zh if lang == "zh" else str(self)


# --------------------------------------------------------------------------- records


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Handout(_Model):
    """What a trainee sees before the reveal: no key, no profile, no engine output."""

    code: str
    title: BiText
    scenario_intro: BiText
    scenario: list[BiText]
    question: BiText
    actions: list[PackAction]
    state: State


@dataclass(frozen=True)
class Session:
    """A live session as the trainer's page reads it."""

    id: str
    code: str
    pack: ExercisePack
    allow_guests: bool
    roster: tuple[str, ...]
    state: State
    created_at: str
    revealed_at: str | None
    org_id: str = "local"
    created_by: str = ""


@dataclass(frozen=True)
class Participant:
    id: str
    session_id: str
    name: str
    joined_at: str
    ranking: tuple[str, ...] | None
    answered_at: str | None
    user_id: int | None = None  # a signed-in trainee account; None for a guest


class Feedback(_Model):
    """A trainee's result in plain words, and the numbers for the trainer's export."""

    top_k: int
    top_right: int
    lines: list[BiText]
    note: BiText
    score: Score


class ActionSpread(_Model):
    """How the class ranked one action: counts per position (1..n), mean position."""

    id: str
    label: BiText
    actor: Actor
    engine_rank: int | None
    counts: list[int]
    mean: float | None


class MissCount(_Model):
    kind: str
    action: str
    label: BiText
    count: int


class LiveStats(_Model):
    """The trainer's live view of a session."""

    code: str
    state: State
    joined: int
    answered: int
    names_waiting: list[str]
    spread: list[ActionSpread]
    misses: list[MissCount]
    top_right: dict[int, int]  # number of top-k right -> trainees


# --------------------------------------------------------------------------- helpers


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def clean_code(code: str) -> str:
    """A join code as typed (spaces, dashes, lower case, O for 0) in canonical form."""
    text = "".join(ch for ch in code.upper() if ch.isalnum())
    return text.replace("0", "O").replace("1", "I") if text else ""


@lru_cache(maxsize=64)
def _debrief_of(pack_json: str) -> Debrief:
    return debrief(pack_from_text(pack_json, "session"))


def session_debrief(session: Session) -> Debrief:
    """The debrief of the session's pack (the engine's reasoning per action), cached."""
    return _debrief_of(pack_to_text(session.pack, "json"))


# --------------------------------------------------------------------------- feedback


def feedback(pack: ExercisePack, ranking: list[str], d: Debrief | None = None) -> Feedback:
    """A ranking's result in words a trainee understands (raises RankingError if malformed).

    The top-k agreement; at most two pairs the trainee put the other way round from the advisor
    (the pairs that involve the advisor's first actions), with the advisor's reason for the one it
    puts first; an action the advisor does not recommend that the trainee put in their first k;
    an action the advisor puts first that the trainee put in the lower half.
    """
    result = score(pack, ranking)
    ranking = result.ranking
    d = d if d is not None else debrief(pack, result)
    info = {a.id: a for a in d.actions}
    label = {a.id: a.label for a in pack.actions}
    rec = pack.recommended()
    k = min(pack.scoring.engine_top, len(rec))
    engine_top = rec[:k]
    right = len(set(engine_top) & set(ranking[:k]))
    lines: list[BiText] = []
    if right == k:
        lines.append(_bt("top_all", k=k))
    else:
        lines.append(
            BiText(
                zh=_TEXT["top"]["zh"].format(
                    k=k, right=right, labels="、".join(f"“{label[a].zh}”" for a in engine_top)
                ),
                en=_TEXT["top"]["en"].format(
                    k=k, right=right, labels=", ".join(f"“{label[a].en}”" for a in engine_top)
                ),
            )
        )
    position = {a: i + 1 for i, a in enumerate(ranking)}
    ranks = pack.key.ranks
    pairs = [
        (x, y)
        for x in rec
        for y in rec
        if position[x] < position[y] and ranks[y] < ranks[x]  # trainee x first, advisor y first
    ]
    pairs.sort(key=lambda p: (ranks[p[1]], -(ranks[p[0]] - ranks[p[1]]), position[p[0]]))
    used: set[str] = set()
    dx_label = {dx.id: dx.label for dx in d.diagnoses}
    shown = 0
    for x, y in pairs:
        if shown >= MAX_PAIRS or x in used or y in used:
            continue
        lines.append(_pair_line(x, y, label, ranks, info.get(x), info.get(y), dx_label))
        used |= {x, y}
        shown += 1
    for m in result.misses:
        if m.kind == "not_recommended_ranked_top":
            why = info[m.action].why_not if info.get(m.action) else None
            why = why or _bt("no_reason")
            lines.append(
                BiText(
                    zh=_TEXT["not_recommended_top"]["zh"].format(
                        x=m.label.zh, k=pack.scoring.participant_top, why=why.zh
                    ),
                    en=_TEXT["not_recommended_top"]["en"].format(
                        x=m.label.en, k=pack.scoring.participant_top, why=why.en
                    ),
                )
            )
        elif m.kind == "engine_top_ranked_low" and m.action not in used:
            lines.append(
                BiText(
                    zh=_TEXT["engine_top_low"]["zh"].format(
                        y=m.label.zh, ry=m.engine_rank, mine=m.participant_rank, n=len(ranking)
                    ),
                    en=_TEXT["engine_top_low"]["en"].format(
                        y=m.label.en, ry=m.engine_rank, mine=m.participant_rank, n=len(ranking)
                    ),
                )
            )
    if len(lines) == 1 and right == k:
        lines.append(_bt("all_good"))
    return Feedback(top_k=k, top_right=right, lines=lines, note=_bt("order_note"), score=result)


def _pair_line(
    x: str,
    y: str,
    label: dict[str, BiText],
    ranks: dict[str, int],
    ax: Any,
    ay: Any,
    dx_label: dict[str, BiText],
) -> BiText:
    """ "You ranked X before Y; the advisor puts Y first because ...": the diagnoses Y addresses
    in this case and the two priorities (the advisor's own weighing)."""
    texts = {}
    for lang in ("zh", "en"):
        addressed = [dx_label[i].get(lang) for i in (ay.addresses if ay else []) if i in dx_label]
        sep = "、" if lang == "zh" else ", "
        if lang == "zh":
            why = f"在本案例中它针对{sep.join(addressed)}" if addressed else "它的优先级更高"
        else:
            why = (
                f"in this case it addresses {sep.join(addressed)}"
                if addressed
                else ("its priority is higher")
            )
        if ax is not None and ay is not None and ax.priority is not None and ay.priority:
            why += (
                f"（优先级 {ay.priority:.0f} 对 {ax.priority:.0f}）"
                if lang == "zh"
                else f" (priority {ay.priority:.0f} against {ax.priority:.0f})"
            )
        why += "。" if lang == "zh" else "."
        texts[lang] = _TEXT["pair"][lang].format(
            x=label[x].get(lang), y=label[y].get(lang), rx=ranks[x], ry=ranks[y], why=why
        )
    return BiText(zh=texts["zh"], en=texts["en"])


# --------------------------------------------------------------------------- the store


def _no_session(code: str) -> ClassroomError:
    return ClassroomError(
        "no_session",
        f"no class with the join code {code.strip()!r}: check the code with your trainer",
        f"没有加入码为 {code.strip()!r} 的课堂：请向培训师核对加入码",
    )


class Classroom:
    """Sessions and participants in the case library's store; safe across threads, processes
    and servers (SQLite or PostgreSQL, whatever ``$ADVISOR_DB`` names).

    ``Classroom(store)`` acts for ``store.principal``: a class it opens belongs to that
    principal's organisation, and :meth:`sessions` lists that organisation's classes only.
    ``Classroom(path_or_url)`` opens the store itself (the single-user mode's principal).
    """

    def __init__(self, store: CaseStore | str | Path | None = None) -> None:
        self.store = store if isinstance(store, CaseStore) else CaseStore(store)

    @property
    def principal(self) -> Principal:
        return self.store.principal

    def as_principal(self, principal: Principal) -> Classroom:
        """The same classroom store, acting for ``principal``."""
        return Classroom(self.store.as_principal(principal))

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        with self.store._read() as conn:
            yield conn

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        with self.store._write() as conn:
            yield conn

    # -- the trainer

    def open_session(
        self, pack: ExercisePack, allow_guests: bool = True, roster: list[str] | None = None
    ) -> tuple[Session, str]:
        """Open a live session for ``pack`` in the principal's organisation; return it and the
        trainer key (shown once).

        Only trainers and administrators open classes (ClassroomError ``not_trainer_role``).
        Without guests a roster of at least one name is required (ProfileError naming it).
        """
        who = self.principal
        if Role(who.role) not in TRAINER_ROLES:
            raise ClassroomError(
                "not_trainer_role",
                f"only a trainer or an administrator can open a class (your role: {who.role})",
                f"只有培训师或管理员可以开设课堂（您的角色：{ROLE_LABELS[Role(who.role)]['zh']}）",
            )
        names: list[str] = []
        seen: set[str] = set()
        for raw in roster or []:
            name = " ".join(raw.split())
            if name and _name_key(name) not in seen:
                seen.add(_name_key(name))
                names.append(name[:NAME_MAX])
        if not allow_guests and not names:
            raise ProfileError(
                [
                    FieldProblem(
                        "roster",
                        "without guests, list the names that may join",
                        "不允许访客时，请列出可以加入的姓名",
                    )
                ]
            )
        key = secrets.token_urlsafe(18)
        sid = secrets.token_hex(8)
        now = _now()
        body = pack_to_text(pack, "json")
        S = T.classroom_sessions
        with self._write() as conn:
            for _ in range(50):
                code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
                taken = conn.execute(sa.select(S.c.id).where(S.c.code == code)).first()
                if not taken:
                    break
            else:  # pragma: no cover - 31^6 codes
                raise ClassroomError("no_code", "no free join code", "没有可用的加入码")
            conn.execute(
                S.insert().values(
                    id=sid,
                    code=code,
                    org_id=who.org_id,
                    created_by=who.username,
                    pack=body,
                    trainer_key_sha256=_sha(key),
                    allow_guests=bool(allow_guests),
                    roster=json.dumps(names, ensure_ascii=False),
                    state="open",
                    created_at=now,
                )
            )
            record(
                conn,
                who,
                "class_open",
                who.org_id,
                code=code,
                pack=pack.id,
                guests=bool(allow_guests),
                roster=len(names),
            )
        return self.session(code), key

    def session(self, code: str) -> Session:
        """The session with that join code; ClassroomError ``no_session`` if there is none."""
        S = T.classroom_sessions
        with self._read() as conn:
            row = conn.execute(sa.select(S).where(S.c.code == clean_code(code))).first()
        if row is None:
            raise _no_session(code)
        return _session(row)

    def check_trainer(self, code: str, trainer_key: str) -> Session:
        """The session, if ``trainer_key`` is its key; ClassroomError ``not_trainer`` otherwise."""
        S = T.classroom_sessions
        session = self.session(code)
        with self._read() as conn:
            stored = conn.execute(
                sa.select(S.c.trainer_key_sha256).where(S.c.id == session.id)
            ).scalar_one()
        if not secrets.compare_digest(stored, _sha(trainer_key.strip())):
            raise ClassroomError(
                "not_trainer",
                "this trainer key does not open this class",
                "培训师密钥与这个课堂不符",
            )
        return session

    def reveal(self, code: str, trainer_key: str) -> Session:
        """Close answers and show every trainee their feedback and the debrief (audited under
        the trainer who opened the class)."""
        S = T.classroom_sessions
        session = self.check_trainer(code, trainer_key)
        with self._write() as conn:
            res = conn.execute(
                S.update()
                .where(S.c.id == session.id, S.c.state == "open")
                .values(state="revealed", revealed_at=_now())
            )
            if res.rowcount == 1:
                trainer = Principal(
                    session.created_by, session.org_id, Role.TRAINER, via="trainer_key"
                )
                record(conn, trainer, "class_reveal", session.org_id, code=session.code)
        return self.session(code)

    def sessions(self) -> list[Session]:
        """The classes of the principal's organisation, newest first (the results kept)."""
        S = T.classroom_sessions
        with self._read() as conn:
            rows = conn.execute(
                sa.select(S)
                .where(S.c.org_id == self.principal.org_id)
                .order_by(S.c.created_at.desc(), S.c.id)
            ).all()
        return [_session(r) for r in rows]

    def participants(self, session: Session) -> list[Participant]:
        P = T.classroom_participants
        with self._read() as conn:
            rows = conn.execute(
                sa.select(P).where(P.c.session_id == session.id).order_by(P.c.seq)
            ).all()
        return [_participant(r) for r in rows]

    # -- the trainees

    def join(
        self, code: str, name: str, principal: Principal | None = None
    ) -> tuple[Participant, str]:
        """Join a class; return the participant and their key.

        Without ``principal`` (or with the single-user mode's) ``name`` is a guest name. With a
        signed-in account's principal the account joins under its display name (``name`` if it
        gives none); a class without guests admits the names on its roster and the trainee
        accounts of the class's organisation. Refused (ClassroomError) when the code is unknown,
        answers are closed, the name is blank, too long, taken in this class, or not admitted.
        """
        session = self.session(code)
        if session.state != "open":
            raise ClassroomError(
                "closed", "the trainer has closed this class", "培训师已经结束了这个课堂的作答"
            )
        account = self._account(principal)
        if account is not None:
            name = account.display_name or account.username
        name = " ".join(name.split())
        if not name:
            raise ClassroomError("name_blank", "enter a display name", "请填写显示名称")
        if len(name) > NAME_MAX:
            raise ClassroomError(
                "name_long",
                f"the name is too long (at most {NAME_MAX} characters)",
                f"名称过长（最多 {NAME_MAX} 个字符）",
            )
        roster = {_name_key(n) for n in session.roster}
        on_roster = _name_key(name) in roster or (
            account is not None and _name_key(account.username) in roster
        )
        own_trainee = (
            account is not None and account.org_id == session.org_id and account.role == "trainee"
        )
        if not session.allow_guests and not (on_roster or own_trainee):
            raise ClassroomError(
                "not_on_roster",
                "this class is only for the names on the trainer's list and the trainees of the "
                "trainer's organisation; use your name as the trainer wrote it, or sign in",
                "这个课堂只对培训师名单上的学员和本单位的学员账户开放；"
                "请使用培训师登记的姓名，或先登录",
            )
        key = secrets.token_urlsafe(18)
        pid = secrets.token_hex(8)
        P = T.classroom_participants
        try:
            with self._write() as conn:
                if account is not None:  # an account joining again (another browser) continues
                    again = conn.execute(
                        P.update()
                        .where(P.c.session_id == session.id, P.c.user_id == account.id)
                        .values(key_sha256=_sha(key))
                    )
                    if again.rowcount:
                        return self._participant_by_key(key, conn), key
                n = conn.execute(
                    sa.select(sa.func.count(), sa.func.max(P.c.seq)).where(
                        P.c.session_id == session.id
                    )
                ).first()
                count, last = (int(n[0]), n[1]) if n is not None else (0, None)
                if count >= MAX_PARTICIPANTS:
                    raise ClassroomError(
                        "full",
                        f"this class is full ({MAX_PARTICIPANTS})",
                        f"课堂人数已满（{MAX_PARTICIPANTS}）",
                    )
                conn.execute(
                    P.insert().values(
                        id=pid,
                        seq=int(last or 0) + 1,
                        session_id=session.id,
                        name=name,
                        name_key=_name_key(name),
                        key_sha256=_sha(key),
                        user_id=account.id if account is not None else None,
                        joined_at=_now(),
                    )
                )
        except sa_exc.IntegrityError:
            raise ClassroomError(
                "name_taken",
                f"someone in this class already uses the name {name!r}; choose another",
                f"课堂中已有人使用“{name}”这个名称；请换一个",
            ) from None
        return self._participant_by_key(key), key

    def _account(self, principal: Principal | None) -> Any:
        """The account row a signed-in principal (or a token made for an account) stands for;
        None for a guest, the single-user mode and tokens made for no account."""
        if principal is None or principal.user_id is None:
            return None
        with self._read() as conn:
            row = conn.execute(sa.select(T.users).where(T.users.c.id == principal.user_id)).first()
        if row is None or row.disabled:
            return None
        return row

    def _participant_by_key(self, key: str, conn: sa.Connection | None = None) -> Participant:
        P = T.classroom_participants
        q = sa.select(P).where(P.c.key_sha256 == _sha(key))
        if conn is not None:
            row = conn.execute(q).first()
        else:
            with self._read() as c:
                row = c.execute(q).first()
        if row is None:
            raise ClassroomError(
                "not_joined",
                "you are not in this class (join again with the code)",
                "你不在这个课堂中（请用加入码重新加入）",
            )
        return _participant(row)

    def me(self, participant_key: str) -> Participant:
        """The participant holding ``participant_key``."""
        return self._participant_by_key(participant_key)

    def handout(self, code: str) -> Handout:
        """What trainees see: the scenario, the question and the actions; never the key."""
        s = self.session(code)
        p = s.pack
        return Handout(
            code=s.code,
            title=p.title,
            scenario_intro=p.scenario_intro,
            scenario=p.scenario,
            question=p.question,
            actions=p.actions,
            state=s.state,
        )

    def answer(self, participant_key: str, ranking: list[str]) -> Participant:
        """Record (or replace) a trainee's ranking while the class is open.

        Raises RankingError for a ranking that does not list each action once, ClassroomError
        when answers are closed.
        """
        S, P = T.classroom_sessions, T.classroom_participants
        me = self._participant_by_key(participant_key)
        with self._read() as conn:
            row = conn.execute(sa.select(S).where(S.c.id == me.session_id)).first()
        session = _session(row)
        clean = check_ranking(session.pack, ranking)
        with self._write() as conn:
            state = conn.execute(sa.select(S.c.state).where(S.c.id == session.id)).scalar_one()
            if state != "open":
                raise ClassroomError(
                    "closed",
                    "the trainer has revealed the answers; rankings can no longer change",
                    "培训师已揭晓答案，排序不能再修改",
                )
            conn.execute(
                P.update()
                .where(P.c.id == me.id)
                .values(ranking=json.dumps(clean), answered_at=_now())
            )
        return self._participant_by_key(participant_key)

    def my_feedback(self, participant_key: str) -> Feedback | None:
        """A trainee's feedback once the trainer has revealed (None before, or unanswered)."""
        S = T.classroom_sessions
        me = self._participant_by_key(participant_key)
        with self._read() as conn:
            row = conn.execute(sa.select(S).where(S.c.id == me.session_id)).first()
        session = _session(row)
        if session.state != "revealed" or me.ranking is None:
            return None
        return feedback(session.pack, list(me.ranking), session_debrief(session))

    # -- what the trainer watches

    def live(self, session: Session) -> LiveStats:
        """Joined, answered, the spread of ranks per action, the most common misses."""
        people = self.participants(session)
        pack = session.pack
        n = len(pack.actions)
        answered = [p for p in people if p.ranking is not None]
        spread = []
        for a in pack.actions:
            counts = [0] * n
            positions = []
            for p in answered:
                pos = list(p.ranking or ()).index(a.id) + 1
                counts[pos - 1] += 1
                positions.append(pos)
            spread.append(
                ActionSpread(
                    id=a.id,
                    label=a.label,
                    actor=a.actor,
                    engine_rank=pack.key.ranks.get(a.id),
                    counts=counts,
                    mean=round(sum(positions) / len(positions), 2) if positions else None,
                )
            )
        misses: Counter[tuple[str, str]] = Counter()
        tops: Counter[int] = Counter()
        rec = pack.recommended()
        k = min(pack.scoring.engine_top, len(rec))
        for p in answered:
            result = score(pack, list(p.ranking or ()))
            for m in result.misses:
                misses[(m.kind, m.action)] += 1
            tops[len(set(rec[:k]) & set(result.ranking[:k]))] += 1
        label = {a.id: a.label for a in pack.actions}
        return LiveStats(
            code=session.code,
            state=session.state,
            joined=len(people),
            answered=len(answered),
            names_waiting=[p.name for p in people if p.ranking is None],
            spread=spread,
            misses=[
                MissCount(kind=kind, action=aid, label=label[aid], count=c)
                for (kind, aid), c in sorted(misses.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
            top_right={i: tops.get(i, 0) for i in range(k + 1)},
        )

    def export_rows(self, code: str, trainer_key: str, lang: str = "zh") -> list[list[Any]]:
        """Every participant's result as rows (the header first), one row per trainee, with the
        correlation coefficients: what the CSV and XLSX exports hold."""
        session = self.check_trainer(code, trainer_key)
        pack = session.pack
        label = {a.id: a.label.get(lang) for a in pack.actions}
        zh = lang == "zh"
        rows: list[list[Any]] = [
            [
                "加入码" if zh else "join_code",
                "演练包" if zh else "pack_id",
                "姓名" if zh else "name",
                "加入时间" if zh else "joined_at",
                "作答时间" if zh else "answered_at",
                "排序" if zh else "ranking",
                "前k位一致" if zh else "top_k_right",
                "k",
                "斯皮尔曼" if zh else "spearman",
                "肯德尔" if zh else "kendall_tau",
                "分歧" if zh else "misses",
            ]
        ]
        d = session_debrief(session)
        for p in self.participants(session):
            row = [session.code, pack.id, p.name, p.joined_at, p.answered_at or ""]
            if p.ranking is None:
                rows.append([*row, "", "", "", "", "", ""])
                continue
            fb = feedback(pack, list(p.ranking), d)
            rows.append(
                [
                    *row,
                    " > ".join(label[a] for a in p.ranking),
                    fb.top_right,
                    fb.top_k,
                    "" if fb.score.spearman is None else f"{fb.score.spearman:.4f}",
                    "" if fb.score.kendall_tau is None else f"{fb.score.kendall_tau:.4f}",
                    "; ".join(f"{m.kind}:{m.action}" for m in fb.score.misses),
                ]
            )
        return rows

    def export_csv(self, code: str, trainer_key: str, lang: str = "zh") -> str:
        """The results as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese); a
        trainee's name that a spreadsheet would run as a formula is written as text."""
        out = io.StringIO()
        w = csv.writer(out)
        for row in self.export_rows(code, trainer_key, lang):
            w.writerow(csv_row(row))
        return "\ufeff" + out.getvalue()

    def export_xlsx(self, code: str, trainer_key: str, lang: str = "zh") -> bytes:
        """The results as an Excel workbook (one sheet, a frozen header row); text that a
        spreadsheet would run as a formula is written as text."""
        from openpyxl import Workbook
        from openpyxl.styles import Font

        wb = Workbook()
        ws = wb.active
        ws.title = "课堂结果" if lang == "zh" else "Class results"
        for i, row in enumerate(self.export_rows(code, trainer_key, lang)):
            ws.append([csv_cell(v) if isinstance(v, str) else v for v in row])
            if i == 0:
                for cell in ws[1]:
                    cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()


def _session(row: Any) -> Session:
    return Session(
        id=row.id,
        code=row.code,
        pack=pack_from_text(row.pack, "session"),
        allow_guests=bool(row.allow_guests),
        roster=tuple(json.loads(row.roster)),
        state=row.state,
        created_at=row.created_at,
        revealed_at=row.revealed_at,
        org_id=row.org_id,
        created_by=row.created_by,
    )


def _participant(row: Any) -> Participant:
    return Participant(
        id=row.id,
        session_id=row.session_id,
        name=row.name,
        joined_at=row.joined_at,
        ranking=tuple(json.loads(row.ranking)) if row.ranking else None,
        answered_at=row.answered_at,
        user_id=row.user_id,
    )
