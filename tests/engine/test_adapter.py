"""The durable-rules adapter (rules/engine.py): threads, memory, sessions, errors, semantics."""

from __future__ import annotations

import gc
import threading
from typing import Any

import psutil
import pytest
from durable import engine as durable_engine

from advisor.errors import EngineError
from advisor.indices import derive
from advisor.pipeline import _static, assess
from rules import engine as engine_mod
from rules.dsl import Rule, case_fact, parse_rules
from rules.engine import Engine, get_engine


def _rules(*docs: dict[str, Any]) -> list[Rule]:
    """Rules from inline definitions (validated and params resolved like the shipped ones)."""
    base = {"name": {"zh": "测试", "en": "test"}, "rests_on": ["sole_dependence"]}
    return parse_rules([("inline.yaml", [{**base, **d} for d in docs])])


def _dx(rid: str, when: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": rid,
        "kind": "diagnosis",
        "concludes": "x",
        "when": when,
        "severity": {"value": 1},
    }


def test_eight_threads_give_exactly_the_sequential_results(profiles: list[Any]) -> None:
    """8 threads assessing different profiles give byte-identical results to a sequential run."""
    sample = profiles[:160]
    expected = [assess(p).model_dump_json() for p in sample]
    got: dict[int, str] = {}
    errors: list[BaseException] = []

    def worker(offset: int) -> None:
        try:
            for _ in range(3):
                for i in range(offset, len(sample), 8):
                    got[i] = assess(sample[i]).model_dump_json()
                    assert got[i] == expected[i]
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]
    assert [got[i] for i in range(len(sample))] == expected


def test_ten_thousand_assessments_keep_memory_flat(profiles: list[Any]) -> None:
    """10,000 full assessments in one process grow RSS by less than 15 MB (sessions are
    deleted: more than 1024 live sessions would also raise)."""
    for p in profiles:  # warm up: caches, allocator pools
        assess(p)
    gc.collect()
    before = psutil.Process().memory_info().rss
    for i in range(10_000):
        assess(profiles[i % len(profiles)])
    gc.collect()
    growth = psutil.Process().memory_info().rss - before
    assert growth < 15 * 2**20, f"RSS grew by {growth / 2**20:.1f} MB"


def test_engine_runs_on_distinct_facts_keep_memory_flat(profiles: list[Any]) -> None:
    """5,000 engine runs, each on a fact never seen before, leave no sessions behind."""
    eng = _static().engine
    facts = [case_fact(p, derive(p)) for p in profiles]
    for f in facts:
        eng.run(f)
    gc.collect()
    before = psutil.Process().memory_info().rss
    assert "knowledge.training_sessions_per_year" in eng.keys
    for i in range(5_000):
        f = dict(facts[i % len(facts)])
        f["knowledge.training_sessions_per_year"] = 100 + i  # a distinct fact every time
        eng.run(f)
    gc.collect()
    growth = psutil.Process().memory_info().rss - before
    assert growth < 15 * 2**20, f"RSS grew by {growth / 2**20:.1f} MB"


def test_a_run_where_only_the_sentinel_fires_does_not_crash() -> None:
    """An assessment in which no rule but the sentinel fires returns no fired rules, repeatedly."""
    eng = get_engine(
        _rules(_dx("dx_never", {"fact": "government.control", "op": "gt", "value": 99}))
    )
    fact = case_fact(*_neutral())
    for _ in range(50):
        assert eng.run(fact).fired == {}


def test_the_real_rules_on_a_balanced_profile_fire_nothing() -> None:
    """The shipped rules on a profile with no problem give an empty, valid assessment."""
    profile, _ = _neutral()
    a = assess(profile)
    assert a.diagnoses == [] and a.actions == []
    assert len(a.not_recommended) == 30


def _neutral() -> tuple[Any, Any]:
    from pathlib import Path

    import yaml

    from advisor.io import profile_from_data

    path = Path(__file__).resolve().parent.parent / "rules" / "bases" / "neutral.yaml"
    p = profile_from_data(yaml.safe_load(path.read_text(encoding="utf-8")))
    return p, derive(p)


def test_engines_are_compiled_once_per_process() -> None:
    """The same rules give the same engine object; other rules get another, uniquely named."""
    rules = _rules(_dx("dx_a", {"fact": "government.control", "op": "ge", "value": 3}))
    a = get_engine(rules)
    assert get_engine(list(rules)) is a
    b = get_engine(_rules(_dx("dx_b", {"fact": "government.control", "op": "ge", "value": 2})))
    assert b is not a and b.name != a.name


def test_an_exception_inside_an_action_becomes_an_engine_error(monkeypatch: Any) -> None:
    """An action that raises is not swallowed: the run raises EngineError; the next run works."""
    rules = _rules(_dx("dx_boom", {"fact": "government.control", "op": "ge", "value": 0}))
    real = Engine._action

    def exploding(self: Engine, rule: Rule) -> Any:
        inner = real(self, rule)

        def action(c: Any) -> None:
            inner(c)
            if self._current is not None and self._current.sid.endswith(("1", "3", "5", "7", "9")):
                raise RuntimeError("boom")

        return action

    monkeypatch.setattr(Engine, "_action", exploding)
    eng = Engine(rules, name=f"test_boom_{id(rules)}")
    monkeypatch.setattr(Engine, "_action", real)
    fact = case_fact(*_neutral())
    outcomes = set()
    for _ in range(10):
        try:
            eng.run(fact)
            outcomes.add("ok")
        except EngineError as exc:
            assert "boom" in str(exc)
            outcomes.add("error")
    assert outcomes == {"ok", "error"}


@pytest.mark.parametrize("stop", [KeyboardInterrupt, SystemExit])
def test_ctrl_c_and_exit_inside_an_action_are_not_engine_errors(
    monkeypatch: Any, stop: type[BaseException]
) -> None:
    """KeyboardInterrupt and SystemExit raised inside a rule's action pass through as themselves
    (never turned into EngineError), and the engine still works on the next run."""
    rules = _rules(
        _dx("dx_stop", {"fact": "government.control", "op": "ge", "value": 0}),
        {
            "id": "act_after_stop",
            "kind": "action",
            "concludes": "gov_regulations",
            "when": {"diagnosis": "x"},
        },
    )
    eng = Engine(rules, name=f"test_stop_{stop.__name__}_{id(rules)}")
    fact = case_fact(*_neutral())

    def interrupt(self: Any, fact: dict[str, Any]) -> None:
        raise stop()

    with monkeypatch.context() as m:
        m.setattr(engine_mod._Closure, "assert_fact", interrupt)
        with pytest.raises(stop):
            eng.run(fact)
    assert {"dx_stop", "act_after_stop"} <= set(eng.run(fact).fired)


def test_an_unhandled_fact_becomes_an_engine_error(monkeypatch: Any) -> None:
    """durable-rules' MessageNotHandledException is turned into EngineError."""
    eng = get_engine(_rules(_dx("dx_a", {"fact": "government.control", "op": "ge", "value": 3})))

    def refuse(name: str, facts: Any, complete: Any = None) -> Any:
        raise durable_engine.MessageNotHandledException(facts)

    monkeypatch.setattr(eng._host, "assert_facts", refuse)
    with pytest.raises(EngineError, match="did not accept"):
        eng.run(case_fact(*_neutral()))


def test_any_other_engine_failure_becomes_an_engine_error(monkeypatch: Any) -> None:
    """A failure inside durable-rules itself is turned into EngineError, never leaked."""
    eng = get_engine(_rules(_dx("dx_a", {"fact": "government.control", "op": "ge", "value": 3})))

    def crash(name: str, facts: Any, complete: Any = None) -> Any:
        raise MemoryError("too many sessions")

    monkeypatch.setattr(eng._host, "assert_facts", crash)
    with pytest.raises(EngineError, match="MemoryError"):
        eng.run(case_fact(*_neutral()))


def test_a_hash_collision_is_retried_once_with_a_fresh_session(monkeypatch: Any) -> None:
    """On "already observed" the run is retried with a new sid and succeeds."""
    eng = get_engine(_rules(_dx("dx_a", {"fact": "government.control", "op": "ge", "value": 0})))
    real = eng._host.assert_facts
    calls: list[str] = []

    def collide_once(name: str, facts: Any, complete: Any = None) -> Any:
        calls.append(facts[0]["sid"])
        if len(calls) == 1:
            raise durable_engine.MessageObservedException(facts)
        return real(name, facts)

    monkeypatch.setattr(eng._host, "assert_facts", collide_once)
    result = eng.run(case_fact(*_neutral()))
    assert result.attempts == 2 and set(result.fired) == {"dx_a"}
    assert len(set(calls)) == 2


def test_two_collisions_in_a_row_are_an_engine_error(monkeypatch: Any) -> None:
    """The retry happens once only."""
    eng = get_engine(_rules(_dx("dx_a", {"fact": "government.control", "op": "ge", "value": 0})))

    def collide(name: str, facts: Any, complete: Any = None) -> Any:
        raise durable_engine.MessageObservedException(facts)

    monkeypatch.setattr(eng._host, "assert_facts", collide)
    with pytest.raises(EngineError):
        eng.run(case_fact(*_neutral()))


def test_no_background_threads_are_started() -> None:
    """The private host starts no timer threads, however many engines exist."""
    before = {t.name for t in threading.enumerate()}
    get_engine(_rules(_dx("dx_t", {"fact": "government.control", "op": "ge", "value": 1})))
    assert not any(isinstance(t, threading.Timer) for t in threading.enumerate())
    assert {t.name for t in threading.enumerate()} <= before | {threading.current_thread().name}


@pytest.mark.parametrize(
    ("when", "fires"),
    [
        # third_party is null in the neutral profile: comparisons on it are false, even ne
        ({"fact": "third_party.capacity", "op": "ge", "value": 0}, False),
        ({"fact": "third_party.capacity", "op": "ne", "value": 2}, False),
        ({"fact": "third_party.role", "op": "in", "value": ["contractor", "incubator"]}, False),
        # ... so their negation is true
        ({"not": {"fact": "third_party.capacity", "op": "ge", "value": 2}}, True),
        ({"not": {"fact": "third_party.capacity", "op": "ne", "value": 2}}, True),
        ({"not": {"not": {"fact": "third_party.capacity", "op": "lt", "value": 9}}}, False),
        ({"fact": "government.control", "op": "in", "value": [0, 1]}, True),
        ({"not": {"fact": "government.control", "op": "in", "value": [0, 1]}}, False),
        (
            {
                "not": {
                    "any": [
                        {"fact": "government.control", "op": "gt", "value": 1},
                        {"fact": "agenda.set_by", "op": "eq", "value": "government"},
                    ]
                }
            },
            True,
        ),
        (
            {
                "not": {
                    "all": [
                        {"fact": "government.control", "op": "le", "value": 1},
                        {"fact": "agenda.set_by", "op": "eq", "value": "volunteers"},
                    ]
                }
            },
            False,
        ),
        ({"fact": "government.acceptance_mechanism", "op": "eq", "value": True}, True),
        ({"fact": "coproduction.score", "op": "eq", "value": 12}, True),
    ],
)
def test_condition_semantics_missing_values_and_negation(when: dict[str, Any], fires: bool) -> None:
    """The engine follows the dsl: a missing value fails every comparison; ``not`` negates."""
    eng = get_engine(_rules(_dx("dx_sem", when)))
    assert ("dx_sem" in eng.run(case_fact(*_neutral())).fired) is fires


def test_chained_diagnoses_and_overrules() -> None:
    """A diagnosis concluded by one rule triggers another; a fired guard overrules an action."""
    from rules.dsl import conclude

    rules = _rules(
        _dx("dx_a", {"fact": "government.control", "op": "le", "value": 1}),
        {
            "id": "dx_b",
            "kind": "diagnosis",
            "concludes": "y",
            "severity": {"value": 0.5},
            "when": {"all": [{"diagnosis": "x"}, {"fact": "linkage", "op": "eq", "value": "none"}]},
        },
        {
            "id": "act_c",
            "kind": "action",
            "concludes": "gov_regulations",
            "when": {"any": [{"diagnosis": "y"}, {"diagnosis": "x"}]},
        },
        {"id": "guard_d", "kind": "guard", "when": {"diagnosis": "y"}, "overrules": ["act_c"]},
    )
    fired = get_engine(rules).run(case_fact(*_neutral())).fired
    assert set(fired) == {"dx_a", "dx_b", "act_c", "guard_d"}
    assert fired["act_c"] == {"diagnosis:x": True, "diagnosis:y": True}
    concl = conclude(set(fired), rules)
    assert concl.actions == {} and concl.overruled == {"act_c": ["guard_d"]}


def test_the_adapter_is_the_only_module_importing_durable() -> None:
    """No module of the project other than rules/engine.py imports durable."""
    from pathlib import Path

    root = Path(engine_mod.__file__).resolve().parent.parent
    offenders = [
        str(p.relative_to(root))
        for folder in ("advisor", "rules", "knowledge_base", "ui")
        for p in (root / folder).rglob("*.py")
        if p.name != "engine.py" or p.parent.name != "rules"
        if "import durable" in p.read_text(encoding="utf-8")
        or "from durable" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []
