"""Synthetic profiles: valid, deterministic, unique, covering the contract, correlated."""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections import Counter, defaultdict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor import fields
from advisor.batch import CSV_COLUMNS, row_to_data
from advisor.models import CaseProfile
from advisor.synth import generate, generate_data, profile_data, write

N = 3000


@pytest.fixture(scope="module")
def sample() -> list[CaseProfile]:
    """A few thousand profiles of seed 7, validated."""
    return list(generate(N, seed=7))


def test_same_seed_gives_the_same_profiles() -> None:
    """Two runs with one seed are identical, byte for byte."""
    a, b = io.StringIO(), io.StringIO()
    write(200, 42, a)
    write(200, 42, b)
    assert a.getvalue() == b.getvalue()


def test_other_seed_gives_other_profiles() -> None:
    """A different seed changes the profiles (not only the ids)."""
    a = [{k: v for k, v in d.items() if k not in ("id",)} for d in generate_data(50, 1)]
    b = [{k: v for k, v in d.items() if k not in ("id",)} for d in generate_data(50, 2)]
    assert sum(x != y for x, y in zip(a, b, strict=True)) > 45


def test_a_prefix_of_a_larger_run_equals_a_smaller_run() -> None:
    """Profile i depends only on (seed, i): 100 profiles are the first 100 of 300."""
    assert list(generate_data(100, 5)) == list(generate_data(300, 5))[:100]


def test_ids_are_unique_slugs(sample: list[CaseProfile]) -> None:
    """Every id is unique and matches the contract's slug pattern (validated by the model)."""
    assert len({p.id for p in sample}) == N


def test_shares_sum_to_exactly_one_and_core_fits(sample: list[CaseProfile]) -> None:
    """Funding and recruitment shares sum to 1 (to rounding) and core <= volunteers."""
    for p in sample:
        assert abs(sum(p.funding.model_dump().values()) - 1) < 1e-9
        assert abs(sum(p.human_resources.recruited_by.model_dump().values()) - 1) < 1e-9
        assert p.human_resources.core_volunteers <= p.human_resources.volunteers


def test_no_money_or_volunteers_through_an_absent_third_party(sample: list[CaseProfile]) -> None:
    """Without a third party, nothing is routed through or recruited by one."""
    for p in sample:
        if p.third_party is None:
            assert p.funding.government_via_third_party == 0
            assert p.funding.third_party_own == 0
            assert p.human_resources.recruited_by.third_party == 0
            assert p.knowledge.training_provider != "third_party"


def _enum_values() -> dict[str, set]:
    """Every enum field of the contract (dotted path -> allowed values), from the catalogue."""
    return {s.path: set(s.values) for s in fields.LEAVES if s.kind == "enum"}


def test_every_enum_value_of_the_contract_occurs(sample: list[CaseProfile]) -> None:
    """Each value of each categorical field appears, and nullable ones are also null."""
    seen: dict[str, set] = defaultdict(set)
    for p in sample:
        flat = dict(zip(CSV_COLUMNS, _flat(p), strict=True))
        for k, v in flat.items():
            seen[k].add(v)
    for path, values in _enum_values().items():
        if path == "schema_version":
            continue
        missing = {str(v).lower() for v in values} - {str(v).lower() for v in seen[path]}
        assert not missing, f"{path} never takes {missing}"
    assert "" in seen["development_mode"] and "" in seen["third_party.kind"]
    assert {"true", "false"} <= seen["government.acceptance_mechanism"]
    for level in range(5):
        assert str(level) in seen["government.control"]


def _flat(p: CaseProfile) -> list[str]:
    from advisor.batch import data_to_row

    return data_to_row(p.model_dump(mode="json"))


def test_correlations_follow_the_paper(sample: list[CaseProfile]) -> None:
    """Government-cultivated forces lean on government; agency-cultivated ones on the agency."""
    by_type: dict[str, list[CaseProfile]] = defaultdict(list)
    for p in sample:
        by_type[p.force_type].append(p)
    gov, soc = by_type["government_cultivated"], by_type["social_org_cultivated"]

    def mean(ps: list[CaseProfile], f) -> float:
        return statistics.fmean(f(p) for p in ps)

    assert mean(gov, lambda p: p.funding.government_direct) > 0.6
    assert mean(soc, lambda p: p.funding.government_direct) < 0.25
    assert mean(soc, lambda p: p.funding.government_via_third_party) > 0.35
    assert mean(gov, lambda p: p.human_resources.recruited_by.government) > 0.6
    assert mean(soc, lambda p: p.human_resources.recruited_by.third_party) > 0.5

    def share(ps: list[CaseProfile], f) -> float:
        return sum(bool(f(p)) for p in ps) / len(ps)

    assert share(gov, lambda p: p.human_resources.leadership == "cadre") > 0.6
    assert share(gov, lambda p: p.agenda.set_by == "government") > 0.6
    holiday_gov = share(gov, lambda p: p.agenda.pattern == "holiday_campaign")
    holiday_soc = share(soc, lambda p: p.agenda.pattern == "holiday_campaign")
    assert holiday_gov > holiday_soc + 0.15
    assert share(soc, lambda p: p.third_party is not None) > 0.9
    agency = share(soc, lambda p: p.third_party and p.third_party.kind == "social_work_agency")
    assert agency > 0.6
    assert share(soc, lambda p: p.legitimacy.status == "via_social_org") > 0.7
    assert mean(gov, lambda p: p.government.control) > mean(soc, lambda p: p.government.control)


def test_force_type_mix_matches_the_documented_weights(sample: list[CaseProfile]) -> None:
    """The four force types occur roughly in the documented proportions."""
    counts = Counter(p.force_type for p in sample)
    assert 0.38 < counts["government_cultivated"] / N < 0.50
    assert 0.24 < counts["social_org_cultivated"] / N < 0.36
    assert counts["grassroots"] > 0 and counts["registered_org"] > 0


def test_csv_output_reads_back_as_the_same_profiles() -> None:
    """Profiles written as CSV and read with the batch reader validate to the same profiles."""
    buf = io.StringIO()
    write(300, 11, buf, fmt="csv")
    rows = list(csv.reader(io.StringIO(buf.getvalue())))
    assert rows[0] == CSV_COLUMNS
    originals = list(generate(300, 11))
    for cells, original in zip(rows[1:], originals, strict=True):
        assert CaseProfile.model_validate(row_to_data(rows[0], cells)) == original


def test_jsonl_output_is_one_profile_per_line() -> None:
    """JSONL output has one JSON object per line, each a valid profile."""
    buf = io.StringIO()
    write(20, 3, buf)
    lines = buf.getvalue().splitlines()
    assert len(lines) == 20
    for line in lines:
        CaseProfile.model_validate(json.loads(line))


@given(seed=st.integers(-(2**40), 2**40), index=st.integers(0, 10**6))
def test_any_seed_and_index_gives_a_valid_profile(seed: int, index: int) -> None:
    """Whatever the seed and position, the profile validates and is reproducible."""
    data = profile_data(index, seed)
    profile = CaseProfile.model_validate(data)
    assert profile_data(index, seed) == data
    assert len(profile.id) <= 64
