"""The durable-rules adapter: the only module that imports ``durable``.

It compiles the rule definitions (``rules.dsl``) into one durable-rules ruleset and runs one case
fact through it. The measured facts about durable-rules 2.0.28 (shared DESIGN notes) shape it:

- **Defined once per process.** Ruleset names live in a process-global registry without
  unregister, so compiled engines are kept in our own registry (``get_engine``), keyed by the
  rules' fingerprint, each under a unique name.
- **No background threads.** The standard host starts timer threads that run actions on their
  own; ``_PrivateHost`` disables that loop, so actions run only inside our call, on our thread.
- **One session per assessment.** Each run asserts its facts in one call under a fresh ``sid``
  and deletes the session afterwards (live sessions are capped and leak memory otherwise).
- **A sentinel rule always fires**, because deleting a session in which nothing fired can
  segfault; if the sentinel did not fire the session is left rather than risk the crash.
- **Hash collisions.** Fact identity is a 32-bit hash: on "already observed" the run is retried
  once with a fresh sid.
- **Errors.** ``MessageNotHandledException``, exceptions raised inside actions (durable would
  swallow them into the session state) and every other engine exception become
  ``advisor.errors.EngineError``.
- **Trace.** No API lists fired rules, so every action is wrapped to record the rule id and the
  facts it matched. ``any`` and joins can fire more than once: outputs are sets.
- **Threads.** One lock per engine serialises runs (measured safe; the engine is GIL-bound).
- **Lean action loop.** ``_PrivateHost.assert_facts`` makes durable's own native calls in
  durable's order but skips its per-firing Python overhead (clock reads, state wrappers, one
  state serialisation per firing): about half the engine's time per assessment.

Compilation: a rule's condition is put in disjunctive normal form over diagnosis references;
each disjunct becomes one durable rule (``<id>``, ``<id>__or1``, ...), an ``all`` of one
case-fact pattern (the fact-only part, negations pushed down with the missing-value semantics of
``rules.dsl``; left out when the disjunct tests diagnoses only) and one pattern per referenced
diagnosis fact. Diagnosis rules assert a
``{t: dx, id}`` fact, on which action and guard rules join (forward chaining).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata as _metadata
from typing import Any

import durable_rules_engine as _dre
from durable import engine as durable_engine

from advisor import __version__
from advisor.errors import EngineError
from rules.dsl import (
    All,
    AnyOf,
    Compare,
    Condition,
    DiagnosisRef,
    Not,
    Rule,
    condition_keys,
    walk,
)

try:
    DURABLE_VERSION = _metadata.version("durable-rules")
except _metadata.PackageNotFoundError:  # pragma: no cover
    DURABLE_VERSION = "unknown"
#: Names the engine in every assessment (the rules' fingerprint is added by the pipeline).
ENGINE_VERSION = f"coproduction-advisor {__version__}; durable-rules {DURABLE_VERSION}"

SENTINEL = "__sentinel__"
CASE = "case"
DX = "dx"

_NEGATE = {"eq": "ne", "ne": "eq", "lt": "ge", "le": "gt", "gt": "le", "ge": "lt"}
_DURABLE_OP = {"ne": "$neq", "lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}

Matched = dict[str, str | int | float | bool | None]


def durable_key(key: str) -> str:
    """Dotted fact keys become ``__``-joined: a dot means a nested property to durable-rules."""
    return key.replace(".", "__")


# --------------------------------------------------------------------------- compilation


def _compare(key: str, op: str, value: Any) -> dict[str, Any]:
    k = durable_key(key)
    if op == "eq":
        return {k: value}
    if op == "in":
        alts = [{k: v} for v in value]
        return alts[0] if len(alts) == 1 else {"$or": alts}
    return {_DURABLE_OP[op]: {k: value}}


def _fact_expr(cond: Condition, negate: bool = False) -> dict[str, Any]:
    """A fact-only condition as a durable expression, negations pushed to the comparisons."""
    if isinstance(cond, Compare):
        if not negate:  # durable: a comparison on a missing property is false, like the dsl
            return _compare(cond.fact, cond.op, cond.value)
        k = durable_key(cond.fact)
        if cond.op == "in":
            neg = {"$and": [{"$neq": {k: v}} for v in cond.value]}  # type: ignore[union-attr]
        else:
            neg = _compare(cond.fact, _NEGATE[cond.op], cond.value)
        return {"$or": [{"$nex": {k: 1}}, neg]}  # not(missing comparison) is true
    if isinstance(cond, All):
        parts = [_fact_expr(c, negate) for c in cond.all]
        return {"$or" if negate else "$and": parts}
    if isinstance(cond, AnyOf):
        parts = [_fact_expr(c, negate) for c in cond.any]
        return {"$and" if negate else "$or": parts}
    if isinstance(cond, Not):
        return _fact_expr(cond.not_, not negate)
    raise EngineError(f"a diagnosis reference cannot be negated: {cond!r}")  # dsl forbids it


def _has_diagnosis(cond: Condition) -> bool:
    if isinstance(cond, DiagnosisRef):
        return True
    if isinstance(cond, All):
        return any(_has_diagnosis(c) for c in cond.all)
    if isinstance(cond, AnyOf):
        return any(_has_diagnosis(c) for c in cond.any)
    return False  # a Not holds no diagnosis reference (dsl), a Compare none


Conjunct = tuple[tuple[Condition, ...], tuple[str, ...]]


def dnf(cond: Condition) -> list[Conjunct]:
    """Disjunctive normal form over diagnosis references; fact-only subtrees stay whole."""
    if not _has_diagnosis(cond):
        return [((cond,), ())]
    if isinstance(cond, DiagnosisRef):
        return [((), (cond.diagnosis,))]
    if isinstance(cond, AnyOf):
        return [conj for c in cond.any for conj in dnf(c)]
    assert isinstance(cond, All)
    out: list[Conjunct] = [((), ())]
    for child in cond.all:
        out = [
            (facts + cf, tuple(dict.fromkeys(dxs + cd)))
            for facts, dxs in out
            for cf, cd in dnf(child)
        ]
    return out


def _patterns(conj: Conjunct, prefix: str) -> list[dict[str, Any]]:
    facts, dxs = conj
    exprs = [_fact_expr(c) for c in facts]
    pats: list[dict[str, Any]] = []
    # a conjunct of diagnosis references only does not join the case fact: every firing
    # serialises the facts it matched, and the case fact is the big one
    if exprs or not dxs:
        case_expr: dict[str, Any] = {"t": CASE}
        if exprs:
            case_expr = {"$and": [{"t": CASE}, *exprs]}
        pats.append({f"{prefix}c": case_expr})
    for i, d in enumerate(dxs):
        pats.append({f"{prefix}d{i}": {"$and": [{"t": DX}, {"id": d}]}})
    return pats


def compile_condition(cond: Condition) -> list[dict[str, Any]]:
    """A rule condition as durable-rules definitions (without ``run``), one per disjunct.

    Not one durable ``any``: measured, an ``any`` of n true branches fires 2**n - 1 times (once
    per combination of branches); n separate rules fire n times.
    """
    return [{"all": _patterns(c, "")} for c in dnf(cond)]


# --------------------------------------------------------------------------- running


class _PrivateHost(durable_engine.Host):
    """A host whose background dispatch and timer loops never start, with a lean action loop."""

    def __init__(self) -> None:
        # ruleset name -> (native handle, durable rule name -> our action)
        self.lean: dict[str, tuple[int, dict[str, Callable[[Any], None]]]] = {}
        super().__init__()

    def _run(self) -> None:  # the standard host starts threading.Timer loops here
        return None

    def assert_facts(
        self, ruleset_name: str, facts: list[dict[str, Any]], complete: Any = None
    ) -> None:
        """Assert the facts and run every action they trigger, on this thread.

        The same native calls, in the same order, as durable-rules 2.0.28's
        ``Host.assert_facts`` (``Ruleset.do_actions``/``_flush_actions``): assert, start the
        session's actions, then per firing run the action, update the state, complete and start
        the next. Without that loop's per-firing Python overhead: no clock reads, no state
        wrapper, and the unchanged session state serialised once rather than once per firing
        (our actions never modify it). An exception raised by an action is not swallowed into
        the session state as durable's ``Promise`` does: the action is abandoned and the
        exception propagates.
        """
        handle, actions = self.lean[ruleset_name]
        res = _dre.assert_facts(handle, json.dumps(facts, ensure_ascii=False))
        if res[0] == 1:
            raise durable_engine.MessageNotHandledException(facts)
        if res[0] == 2:
            raise durable_engine.MessageObservedException(facts)
        state_handle = 0 if res[0] == 3 else res[1]
        started = _dre.start_action_for_state(handle, state_handle)
        if not started:
            return
        state_json = json.dumps(json.loads(started[0]), ensure_ascii=False)
        raw: str = started[1]
        while True:
            # a firing is {"<rule name>":{...matched facts...}}; the name is all our actions
            # need (they know what the rule matches), so the facts are parsed only on demand
            end = raw.find('":', 2)
            rule_name = raw[2:end] if raw.startswith('{"') else ""
            if rule_name not in actions:
                ((rule_name, _),) = json.loads(raw).items()  # one firing per message
            try:
                actions[rule_name](_Closure(rule_name, raw, handle))
            except BaseException:
                _dre.abandon_action(handle, state_handle)
                raise
            _dre.update_state(handle, state_json)
            nxt = _dre.complete_and_start_action(handle, state_handle)
            if not nxt:
                return
            raw = nxt


class _Closure:
    """What a rule action receives: the matched facts (``_m``) and ``assert_fact``.

    A lean stand-in for durable's ``Closure`` (which reads the clock twice and wraps the state
    on every firing); it asserts into the same ruleset through the same native call and raises
    the same exceptions as ``durable.engine.Ruleset.assert_fact``.
    """

    __slots__ = ("_handle", "_raw", "name")

    def __init__(self, name: str, raw: str, handle: int) -> None:
        self.name = name  # the durable rule that fired
        self._raw = raw  # the firing as durable sent it: {name: {pattern: fact}}
        self._handle = handle

    @property
    def _m(self) -> dict[str, Any]:
        """The facts the rule matched, pattern name -> fact (parsed on demand)."""
        message: dict[str, Any] = json.loads(self._raw)[self.name]
        return message

    def assert_fact(self, fact: dict[str, Any] | str) -> None:
        """Assert a fact (a dict, or its JSON text as ``json.dumps`` writes it)."""
        text = fact if isinstance(fact, str) else json.dumps(fact, ensure_ascii=False)
        code = _dre.assert_fact(self._handle, text)[0]
        if code == 1:
            raise durable_engine.MessageNotHandledException(json.loads(text))
        if code == 2:
            raise durable_engine.MessageObservedException(json.loads(text))


@dataclass
class _Run:
    sid: str
    payload: dict[str, Any] = field(default_factory=dict)  # the case fact as asserted
    firings: list[tuple[str, str]] = field(default_factory=list)  # (rule id, durable rule)
    asserted: set[str] = field(default_factory=set)
    sentinel: bool = False
    errors: list[BaseException] = field(default_factory=list)


@dataclass(frozen=True)
class EngineResult:
    """The rules that fired (id -> the facts they matched, merged over firings), in rule order."""

    fired: dict[str, Matched]
    sid: str
    attempts: int


_names = itertools.count(1)
_sids = itertools.count(1)


class Engine:
    """One compiled ruleset on a private host; ``run`` is thread-safe."""

    def __init__(self, rules: list[Rule], name: str) -> None:
        self.rules = list(rules)
        self.name = name
        self._order = {r.id: i for i, r in enumerate(self.rules)}
        self._lock = threading.Lock()
        self._current: _Run | None = None
        # only the keys some condition reads go into durable: a smaller fact is cheaper to match
        # and every firing serialises it
        self.keys = sorted(
            {c.fact for r in self.rules for c in walk(r.when) if isinstance(c, Compare)}
        )
        self._key_pairs = [(k, durable_key(k)) for k in self.keys]
        definition: dict[str, Any] = {
            SENTINEL: {"all": [{"c": {"t": CASE}}], "pri": 0, "run": self._sentinel}
        }
        # durable rule -> what a firing of it matched: the rule's fact keys (with their durable
        # names) when it joins the case fact, and the diagnoses it joins
        self._matches: dict[str, tuple[tuple[tuple[str, str], ...], tuple[str, ...]]] = {}
        for r in self.rules:
            action = self._action(r)
            pairs = tuple((k, durable_key(k)) for k in condition_keys(r))
            conjuncts = dnf(r.when)
            for j, d in enumerate(compile_condition(r.when)):
                d["pri"] = 1 if r.kind == "diagnosis" else 2
                d["run"] = action
                dname = r.id if j == 0 else f"{r.id}__or{j}"
                definition[dname] = d
                facts, dxs = conjuncts[j]
                joins_case = bool(facts) or not dxs  # as _patterns builds it
                self._matches[dname] = (pairs if joins_case else (), dxs)
        # durable rule name -> our action (durable removes "run" from the definition)
        self._actions: dict[str, Callable[[Any], None]] = {
            k: d["run"] for k, d in definition.items()
        }
        self.definition = definition
        try:
            self._host = _PrivateHost()
            self._host.register_rulesets({name: definition})
            self._handle: int = self._host.get_ruleset(name)._handle
            self._host.lean[name] = (self._handle, self._actions)
        except Exception as exc:
            raise EngineError(f"cannot compile the rules into durable-rules: {exc}") from exc

    # actions run synchronously inside _host.assert_facts, on the calling thread, under the lock
    def _sentinel(self, c: Any) -> None:
        if self._current is not None:
            self._current.sentinel = True

    def _action(self, rule: Rule) -> Callable[[Any], None]:
        is_dx = rule.kind == "diagnosis"
        # the diagnosis fact as json.dumps writes {"t": DX, "id": ..., "sid": ...}, built once
        dx_head = '{"t": "' + DX + '", "id": ' + json.dumps(rule.concludes, ensure_ascii=False)
        dx_head += ', "sid": '

        def action(c: Any) -> None:
            run = self._current
            if run is None:
                return
            try:
                # which durable rule fired; turned into the trace after the run, outside the
                # engine's callback (what it matched follows from the rule and the case fact)
                run.firings.append((rule.id, c.name))
                if is_dx and rule.concludes not in run.asserted:
                    run.asserted.add(rule.concludes or "")
                    # MessageNotHandled: no rule refers to this diagnosis, nothing to chain on
                    with contextlib.suppress(durable_engine.MessageNotHandledException):
                        c.assert_fact(dx_head + json.dumps(run.sid) + "}")
            except (KeyboardInterrupt, SystemExit):
                raise  # Ctrl-C and exit are the user's, not an engine failure
            except BaseException as exc:  # durable would swallow it into the session state
                run.errors.append(exc)

        action.__name__ = f"action_{rule.id}"
        return action

    def _trace(self, run: _Run) -> dict[str, Matched]:
        """Merge the firings per rule (outputs are sets), in rule order, keys sorted."""
        merged: dict[str, Matched] = {}
        payload = run.payload
        for rid, dname in run.firings:
            m = merged.setdefault(rid, {})
            pairs, dxs = self._matches[dname]
            for k, dk in pairs:
                m[k] = payload.get(dk)
            for d in dxs:
                m[f"diagnosis:{d}"] = True
        return {
            rid: dict(sorted(m.items()))
            for rid, m in sorted(merged.items(), key=lambda kv: self._order[kv[0]])
        }

    def _once(self, fact: dict[str, Any]) -> tuple[_Run, BaseException | None]:
        run = _Run(sid=f"{os.getpid()}-{next(_sids)}")
        self._current = run
        payload: dict[str, Any] = {"sid": run.sid, "t": CASE}
        for k, dk in self._key_pairs:
            if k in fact:
                payload[dk] = fact[k]
        run.payload = payload
        error: BaseException | None = None
        try:
            self._host.assert_facts(self.name, [payload])
        except (KeyboardInterrupt, SystemExit):
            raise  # let Ctrl-C and exit through (the session is still deleted below)
        except BaseException as exc:
            error = exc
        finally:
            self._current = None
            if run.sentinel:
                try:
                    # the lean loop swallows no exception into the session state (durable's own loop
                    # would): nothing to look for before deleting
                    _dre.delete_state(self._handle, run.sid)
                except BaseException as exc:  # pragma: no cover - never seen
                    error = error or exc
        if error is None and run.errors:
            error = run.errors[0]
        return run, error

    def run(self, fact: dict[str, Any]) -> EngineResult:
        """Run one case fact; return the fired rules. Raises EngineError on any engine failure."""
        run, attempt = self._checked(fact)
        return EngineResult(fired=self._trace(run), sid=run.sid, attempts=attempt)

    def fired_ids(self, fact: dict[str, Any]) -> set[str]:
        """Run one case fact; return only the ids of the rules that fired, without the trace.

        The same run as ``run`` (same durable-rules session, same errors), minus merging what
        each firing matched: for callers that read no trace (the batch's compact records).
        ``set(run(fact).fired) == fired_ids(fact)``.
        """
        run, _attempt = self._checked(fact)
        return {rid for rid, _dname in run.firings}

    def _checked(self, fact: dict[str, Any]) -> tuple[_Run, int]:
        """Run one case fact (retrying once on a hash collision); the run and its attempt."""
        with self._lock:
            for attempt in (1, 2):
                run, error = self._once(fact)
                if error is None:
                    if not run.sentinel:
                        raise EngineError("the rules engine did not run (the sentinel never fired)")
                    return run, attempt
                if isinstance(error, durable_engine.MessageObservedException) and attempt == 1:
                    continue  # a 32-bit hash collision: retry once with a fresh sid
                if isinstance(error, durable_engine.MessageNotHandledException):
                    raise EngineError(f"the rules engine did not accept the case fact: {error}")
                raise EngineError(
                    f"the rules engine failed ({type(error).__name__}): {error}"
                ) from error
        raise EngineError("unreachable")  # pragma: no cover


_registry: dict[str, Engine] = {}
_registry_lock = threading.Lock()


def fingerprint(rules: list[Rule]) -> str:
    """A hash of the rule definitions (params resolved): the registry key."""
    blob = json.dumps([r.model_dump(mode="json", by_alias=True) for r in rules], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


_default: list[Engine] = []
# id(rules list) -> (the list, its engine): the same list object skips the fingerprint
_by_identity: dict[int, tuple[list[Rule], Engine]] = {}


def get_engine(rules: list[Rule] | None = None) -> Engine:
    """The engine for these rules (default: ``load_rules()``), compiled once per process.

    Engines are keyed by the rules' fingerprint; a list seen before is recognised by identity,
    so do not change a list in place after passing it here.
    """
    if rules is None:
        if _default:
            return _default[0]
        from rules.dsl import load_rules

        eng = get_engine(load_rules())
        with _registry_lock:
            if not _default:
                _default.append(eng)
        return eng
    hit = _by_identity.get(id(rules))
    if hit is not None and hit[0] is rules:
        return hit[1]
    key = fingerprint(rules)
    with _registry_lock:
        eng = _registry.get(key)  # type: ignore[assignment]
        if eng is None:
            eng = Engine(rules, name=f"advisor_{key}_{os.getpid()}_{next(_names)}")
            _registry[key] = eng
        if len(_by_identity) > 64:
            _by_identity.clear()
        _by_identity[id(rules)] = (rules, eng)
        return eng


def run_rules(fact: dict[str, Any], rules: list[Rule] | None = None) -> EngineResult:
    """Run one case fact through the (cached) engine of ``rules``."""
    return get_engine(rules).run(fact)
