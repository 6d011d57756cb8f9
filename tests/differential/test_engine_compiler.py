"""Differential tests of the rules layer alone: the durable-rules adapter (``rules.engine``)
and the oracle (``rules.oracle``) fire the same rules on the same case fact.

- Case facts at the shipped rules' thresholds (each compared value, and just above and below).
- Random rule sets (nested all/any/not, diagnosis chains, guards that overrule) compiled into
  durable-rules: this tests the compiler (DNF, negation with missing values) on conditions the
  shipped definitions do not contain yet.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from rules import dsl, oracle
from rules.engine import run_rules

# --------------------------------------------------------------------------- facts at thresholds


def _compared_values() -> dict[str, list[Any]]:
    """Every value a shipped rule compares each fact key with (numbers, strings, bools)."""
    out: dict[str, list[Any]] = {}
    for r in dsl.load_rules():
        for c in dsl.walk(r.when):
            if isinstance(c, dsl.Compare):
                vals = c.value if isinstance(c.value, list) else [c.value]
                out.setdefault(c.fact, []).extend(vals)
    return out


OPTIONAL_KEYS = (
    "third_party.kind",
    "third_party.capacity",
    "third_party.role",
    "third_party.autonomy",
    "human_resources.core_share",
)


def _value_for(key: str, kind: str, allowed: tuple[str, ...], near: list[Any]) -> Any:
    if kind == "bool":
        return st.booleans()
    if kind == "enum":
        return st.sampled_from(allowed)
    nums = [v for v in near if isinstance(v, int | float) and not isinstance(v, bool)]
    around = [x + d for x in nums for d in (-1, -0.0001, 0, 0.0001, 1)]
    return st.one_of(
        st.sampled_from(around or [0]),
        st.integers(-2, 20),
        st.floats(-2, 20, allow_nan=False).map(lambda x: round(x, 4)),
    )


@st.composite
def facts(draw: st.DrawFn) -> dict[str, Any]:
    """A case fact with every key, numbers at and around the rules' thresholds, optional keys
    (a third party, the core share) sometimes absent."""
    near = _compared_values()
    fact = {
        key: draw(_value_for(key, kind, allowed, near.get(key, [])))
        for key, (kind, allowed) in dsl.FACT_KEYS.items()
    }
    if draw(st.booleans()):
        for key in OPTIONAL_KEYS[:4]:
            del fact[key]
        fact["has_third_party"] = False
    if draw(st.integers(0, 4)) == 0:
        del fact["human_resources.core_share"]
    return fact


def _oracle_fired(fact: dict[str, Any], rules: list[dsl.Rule]) -> list[str]:
    fired = oracle.evaluate_fact(fact, rules)[3]
    return sorted(fired)


@settings(max_examples=400)
@given(facts())
def test_the_same_rules_fire_on_facts_at_the_thresholds(fact: dict[str, Any]) -> None:
    """Facts at, just above and just below every compared value fire the same rules in both."""
    rules = dsl.load_rules()
    assert sorted(run_rules(fact, rules).fired) == _oracle_fired(fact, rules)


# --------------------------------------------------------------------------- random rule sets

NUM_KEYS = [k for k, (kind, _) in dsl.FACT_KEYS.items() if kind == "number"]
SMALL_KEYS = [
    "government.control",
    "third_party.capacity",
    "coproduction.score",
    "human_resources.core_share",
    "asymmetry.index",
    "linkage",
    "third_party.role",
    "has_third_party",
    "management.records",
]


def _compare(key: str) -> st.SearchStrategy[dsl.Compare]:
    kind, allowed = dsl.FACT_KEYS[key]
    if kind == "number":
        return st.builds(
            dsl.Compare,
            fact=st.just(key),
            op=st.sampled_from(dsl.OPS[:-1]),
            value=st.sampled_from([0, 1, 2, 0.5, -0.3, 3]),
        )
    if kind == "bool":
        return st.builds(
            dsl.Compare, fact=st.just(key), op=st.sampled_from(["eq", "ne"]), value=st.booleans()
        )
    return st.one_of(
        st.builds(
            dsl.Compare,
            fact=st.just(key),
            op=st.sampled_from(["eq", "ne"]),
            value=st.sampled_from(allowed),
        ),
        st.builds(
            dsl.Compare,
            fact=st.just(key),
            op=st.just("in"),
            value=st.lists(st.sampled_from(allowed), min_size=1, max_size=3, unique=True),
        ),
    )


def conditions(diagnoses: list[str]) -> st.SearchStrategy[Any]:
    """Random conditions over a few fact keys and (positively) over the given diagnoses."""
    leaf = st.sampled_from(SMALL_KEYS).flatmap(_compare)
    fact_only = st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.lists(inner, min_size=1, max_size=3).map(lambda xs: dsl.All(all=xs)),
            st.lists(inner, min_size=1, max_size=3).map(lambda xs: dsl.AnyOf(any=xs)),
            inner.map(lambda x: dsl.Not(not_=x)),
        ),
        max_leaves=4,
    )
    if not diagnoses:
        return fact_only
    ref = st.sampled_from(diagnoses).map(lambda d: dsl.DiagnosisRef(diagnosis=d))
    positive = st.recursive(
        st.one_of(fact_only, ref),
        lambda inner: st.one_of(
            st.lists(inner, min_size=1, max_size=3).map(lambda xs: dsl.All(all=xs)),
            st.lists(inner, min_size=1, max_size=3).map(lambda xs: dsl.AnyOf(any=xs)),
        ),
        max_leaves=4,
    )
    return positive


TEXT = dsl.Text(zh="测试", en="test")


@st.composite
def rule_sets(draw: st.DrawFn) -> list[dsl.Rule]:
    """A random, valid rule set: a diagnosis chain without cycles, actions, guards."""
    rules: list[dsl.Rule] = []
    dx_ids: list[str] = []
    for i in range(draw(st.integers(1, 5))):
        concl = draw(st.sampled_from([f"d{j}" for j in range(i + 1)]))
        # a rule may refer only to diagnoses concluded by earlier rules, and not its own
        refs = [d for d in dx_ids if d != concl]
        rules.append(
            dsl.Rule(
                id=f"dx_r{i}",
                kind="diagnosis",
                concludes=concl,
                name=TEXT,
                when=draw(conditions(refs)),
                severity=dsl.Severity(value=0.5),
                rests_on=["x"],
            )
        )
        if concl not in dx_ids:
            dx_ids.append(concl)
    # a diagnosis concluded by several rules must not refer to itself through another rule
    for i in range(draw(st.integers(1, 4))):
        rules.append(
            dsl.Rule(
                id=f"act_r{i}",
                kind="action",
                concludes=f"a{i}",
                name=TEXT,
                when=draw(conditions(dx_ids)),
                rests_on=["x"],
            )
        )
    # every diagnosis is used by some rule (see the test below for one that is not)
    rules.append(
        dsl.Rule(
            id="act_sink",
            kind="action",
            concludes="a_sink",
            name=TEXT,
            when=dsl.AnyOf(any=[dsl.DiagnosisRef(diagnosis=d) for d in dx_ids]),
            rests_on=["x"],
        )
    )
    act_ids = [r.id for r in rules if r.kind == "action"]
    for i in range(draw(st.integers(0, 2))):
        rules.append(
            dsl.Rule(
                id=f"guard_r{i}",
                kind="guard",
                concludes=draw(st.none() | st.just(f"a{i}")),
                name=TEXT,
                when=draw(conditions(dx_ids)),
                rests_on=["x"],
                overrules=draw(st.lists(st.sampled_from(act_ids), max_size=2, unique=True)),
            )
        )
    return rules


def _acyclic(rules: list[dsl.Rule]) -> bool:
    deps: dict[str, set[str]] = {}
    for r in rules:
        if r.kind == "diagnosis":
            deps.setdefault(r.concludes or "", set()).update(dsl.diagnoses_of(r))
    seen: dict[str, int] = {}

    def cyc(d: str) -> bool:
        if seen.get(d) == 1:
            return True
        if seen.get(d) == 2:
            return False
        seen[d] = 1
        bad = any(cyc(x) for x in deps.get(d, ()))
        seen[d] = 2
        return bad

    return not any(cyc(d) for d in deps)


@settings(max_examples=40)
@given(rules=rule_sets(), fact_list=st.lists(facts(), min_size=3, max_size=6))
def test_random_rule_sets_fire_alike(rules: list[dsl.Rule], fact_list: list[dict]) -> None:
    """Random rule sets compiled into durable-rules fire the same rules as the oracle."""
    from hypothesis import assume

    assume(_acyclic(rules))
    for fact in fact_list:
        assert sorted(run_rules(fact, rules).fired) == _oracle_fired(fact, rules), fact


def test_a_diagnosis_that_no_rule_uses_does_not_crash_the_engine() -> None:
    """A concluded diagnosis that no action or guard refers to is still a valid rule set
    (``advisor kb lint`` reports it as unused); the engine must run it, not raise."""
    rules = [
        dsl.Rule(
            id="dx_only",
            kind="diagnosis",
            concludes="lonely",
            name=TEXT,
            when=dsl.Compare(fact="government.control", op="ge", value=0),
            severity=dsl.Severity(value=0.5),
            rests_on=["x"],
        ),
        dsl.Rule(
            id="act_other",
            kind="action",
            concludes="a0",
            name=TEXT,
            when=dsl.Compare(fact="government.control", op="ge", value=0),
            rests_on=["x"],
        ),
    ]
    fact = {"government.control": 2, "has_third_party": False}
    assert (
        sorted(run_rules(fact, rules).fired)
        == _oracle_fired(fact, rules)
        == [
            "act_other",
            "dx_only",
        ]
    )
