"""Fuzzing the strict reader with YAML tags, anchors and aliases, YAML 1.1 scalars, duplicate keys
and byte-level damage: at least 10,000 mutated inputs per run through the in-process API, a few
hundred through the CLI (``advisor batch`` on a folder, in a real process), every one answered
(a profile or a refusal naming the problem), bounded in time and memory, never a traceback.

The seed changes every run (printed on failure) so that runs explore; ``H18_FUZZ_SEED`` replays.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psutil
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.errors import MESSAGE_CHARS, ProfileError
from advisor.io import parse_document, profile_from_data, profile_to_yaml
from advisor.models import CaseProfile
from advisor.pipeline import assess, preset

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "corpus"
IN_PROCESS_INPUTS = 10_000
CLI_INPUTS = 300
SLOWEST_ALLOWED_S = 5.0  # one input; a hang fails the test
RSS_GROWTH_ALLOWED_MB = 300

TAGS = [
    "!!timestamp", "!!bool", "!!int", "!!float", "!!null", "!!str", "!!binary", "!!set",
    "!!omap", "!!pairs", "!!map", "!!seq", "!!merge", "!!python/object/apply:os.system",
    "!!python/name:os.system", "!custom", "!", "!<tag:yaml.org,2002:int>", "!e!x",
]  # fmt: skip
YAML11 = [
    "yes", "no", "Yes", "NO", "on", "off", "On", "OFF", "y", "n", "Y", "N", "0x10", "0o17",
    "017", "0b101", "1:30", "1:30:00", "-1:00", "1_000", "1_0.5", ".inf", "-.inf", ".nan",
    ".NaN", "~", "null", "Null", "true", "False", "2024-01-01", "2001-12-14t21:59:43.10-05:00",
    "1e3", "1.", ".5", "+1", "-0", "0.", "1e400", "9" * 5000, "=", "<<",
]  # fmt: skip
SEED = int(os.environ.get("H18_FUZZ_SEED") or time.time_ns() % 2**32)


def _base_yaml() -> list[str]:
    return profile_to_yaml(preset("case-y")).splitlines()


def _base_json() -> str:
    return json.dumps(preset("case-h").model_dump(mode="json"), ensure_ascii=False)


def _mutate_yaml(rng: random.Random, lines: list[str]) -> str:
    out = list(lines)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(out))
        key, sep, value = out[i].partition(":")
        op = rng.randrange(9)
        if op == 0 and sep:  # a tag before the value
            out[i] = f"{key}: {rng.choice(TAGS)} {value.strip() or rng.choice(YAML11)}"
        elif op == 1 and sep:  # a YAML 1.1 scalar as the value
            out[i] = f"{key}: {rng.choice(YAML11)}"
        elif op == 2 and sep:  # an anchor here, an alias later
            j = rng.randrange(len(out))
            out[i] = f"{key}: &a{i} {value.strip() or '1'}"
            k2, s2, _ = out[j].partition(":")
            if s2 and j > i:
                out[j] = f"{k2}: *a{i}"
        elif op == 3:  # a duplicate key
            out.insert(i, out[i])
        elif op == 4:  # an alias bomb
            depth = rng.randint(2, 9)
            bomb = ["b0: &b0 [x, x, x, x, x, x, x, x, x]"] + [
                f"b{n}: &b{n} [" + ", ".join([f"*b{n - 1}"] * 9) + "]" for n in range(1, depth)
            ]
            out[i:i] = bomb
            if sep:
                out[i + len(bomb)] = f"{key}: *b{depth - 1}"
        elif op == 5:  # damage bytes
            s = out[i]
            if s:
                p = rng.randrange(len(s))
                out[i] = s[:p] + rng.choice("&*!|>%@`'\"{}[],#\t\\") + s[p + 1 :]
        elif op == 6:  # deep nesting
            n = rng.choice([10, 70, 500])
            out[i] = f"{key}: " + "[" * n + "]" * n
        elif op == 7:  # a directive or a second document
            out.insert(0, rng.choice(["%YAML 1.1", "%TAG !e! tag:e.com,2000:", "---", "..."]))
        else:  # delete a line
            del out[i]
    return "\n".join(out) + "\n"


def _mutate_json(rng: random.Random, text: str) -> str:
    op = rng.randrange(5)
    if op == 0:  # a duplicate key
        return text.replace('"id": ', '"id": "dup", "id": ', 1)
    if op == 1:  # a YAML-ish value where JSON has a scalar
        keys = ["control", "acceptance_mechanism", "schema_version", "volunteers", "charity"]
        key = rng.choice(keys)
        value = rng.choice(["true", '"yes"', "1.0", "1", '"1:30"', "NaN", "Infinity", "null"])
        head, sep, tail = text.partition(f'"{key}": ')
        if not sep:
            return text
        rest = tail.split(",", 1)
        return head + sep + value + ("," + rest[1] if len(rest) > 1 else "")
    if op == 2:  # flip a byte
        p = rng.randrange(len(text))
        return text[:p] + rng.choice('{}[]:,"\\\x00é') + text[p + 1 :]
    if op == 3:  # truncate
        return text[: rng.randrange(len(text))]
    return text.replace("{", "[" * rng.randint(1, 3000) + "{", 1)  # deep nesting


def _snippet(rng: random.Random) -> str:
    """A tiny YAML document of a few keys: tags, anchors, scalars (cheap, so there are many)."""
    keys = ["schema_version", "id", "name", "as_of", "linkage", "government", "x"]
    lines = []
    for _ in range(rng.randint(1, 4)):
        value = rng.choice([*YAML11, "abc", "[1, 2]", "{a: 1}", "'q'", '"d"'])
        if rng.random() < 0.4:
            value = f"{rng.choice(TAGS)} {value}"
        if rng.random() < 0.2:
            value = f"&x {value}"
        if rng.random() < 0.1:
            value = "*x"
        lines.append(f"{rng.choice(keys)}: {value}")
    return "\n".join(lines) + "\n"


def _check(raw: bytes) -> str:
    """Feed one input to the in-process API; return 'ok' or 'refused', fail on anything else."""
    try:
        profile = profile_from_data(parse_document(raw, "fuzz"), "fuzz")
    except ProfileError as exc:
        for p in exc.problems:
            assert len(p.message) <= MESSAGE_CHARS and len(p.path) <= MESSAGE_CHARS
        assert len(str(exc)) < 60 * MESSAGE_CHARS
        return "refused"
    assert isinstance(profile, CaseProfile)
    return "ok"


def test_ten_thousand_mutated_inputs_in_process(fuzz_tried: Counter) -> None:
    rng = random.Random(SEED)
    base_yaml, base_json = _base_yaml(), _base_json()
    proc = psutil.Process()
    rss0 = proc.memory_info().rss
    outcomes: Counter = Counter()
    slowest = (0.0, b"")
    accepted: list[bytes] = []
    for n in range(IN_PROCESS_INPUTS):
        kind = n % 10
        if kind < 4:
            raw = _snippet(rng).encode()
        elif kind < 7:
            raw = _mutate_yaml(rng, base_yaml).encode("utf-8", "surrogatepass")
        else:
            raw = _mutate_json(rng, base_json).encode("utf-8", "surrogatepass")
        t0 = time.perf_counter()
        try:
            outcome = _check(raw)
        except AssertionError:
            raise
        except Exception as exc:  # anything but a profile or a refusal is a defect
            pytest.fail(f"seed {SEED}, input {n}: {type(exc).__name__}: {exc}\n{raw[:500]!r}")
        took = time.perf_counter() - t0
        if took > slowest[0]:
            slowest = (took, raw)
        outcomes[outcome] += 1
        if outcome == "ok" and len(accepted) < 50:
            accepted.append(raw)
    fuzz_tried["yaml/json in-process"] += IN_PROCESS_INPUTS
    assert sum(outcomes.values()) == IN_PROCESS_INPUTS
    assert outcomes["refused"] > IN_PROCESS_INPUTS // 2, outcomes
    assert slowest[0] < SLOWEST_ALLOWED_S, (
        f"seed {SEED}: {slowest[0]:.1f} s for {slowest[1][:300]!r}"
    )
    growth = (proc.memory_info().rss - rss0) / 2**20
    assert growth < RSS_GROWTH_ALLOWED_MB, f"seed {SEED}: RSS grew {growth:.0f} MB"
    for raw in accepted[:10]:  # what is accepted is assessable
        assess(profile_from_data(parse_document(raw)))


@st.composite
def tagged_documents(draw: st.DrawFn) -> str:
    """A mapping whose values carry tags, anchors, aliases and YAML 1.1 scalars."""
    n = draw(st.integers(1, 6))
    lines = []
    anchors: list[str] = []
    for i in range(n):
        value = draw(st.sampled_from(YAML11) | st.text(alphabet="ab1:-._ ", max_size=8))
        if draw(st.booleans()):
            value = f"{draw(st.sampled_from(TAGS))} {value}"
        if draw(st.integers(0, 4)) == 0:
            anchors.append(f"a{i}")
            value = f"&a{i} {value}"
        elif anchors and draw(st.integers(0, 4)) == 0:
            value = f"*{draw(st.sampled_from(anchors))}"
        lines.append(f"k{i}: {value}")
    return "\n".join(lines) + "\n"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tagged_documents())
def test_tags_anchors_and_yaml11_scalars_never_become_values(doc: str) -> None:
    written = dict(line.split(": ", 1) for line in doc.splitlines())
    try:
        data = parse_document(doc.encode(), "fuzz")
    except ProfileError as exc:
        assert "YAML" in str(exc)
        return
    # accepted: no tag, anchor or alias took part ...
    assert not any(v.startswith(("!", "&", "*")) for v in written.values()), doc
    assert isinstance(data, dict)
    for key, value in data.items():
        text = written[key].strip()
        # ... and only YAML 1.2's core scalars became anything but text
        if isinstance(value, bool):
            assert text.lower() in ("true", "false"), text
        elif isinstance(value, int):
            assert text.lstrip("+-").isdigit(), text
        elif isinstance(value, float):
            assert text.lstrip("+-").replace(".", "", 1).replace("e", "", 1).isdigit(), text
        elif value is None:
            assert text in ("~", "null", "Null", "NULL", ""), text
        else:
            assert isinstance(value, str)


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


def test_a_few_hundred_hostile_files_through_the_cli_in_one_batch(
    tmp_path: Path, fuzz_tried: Counter
) -> None:
    rng = random.Random(SEED + 1)
    base_yaml, base_json = _base_yaml(), _base_json()
    folder = tmp_path / "cases"
    folder.mkdir()
    names = []
    for n in range(CLI_INPUTS):
        if n % 3 == 2:
            name, text = f"{n:04d}.json", _mutate_json(rng, base_json)
        else:
            name, text = f"{n:04d}.yaml", _mutate_yaml(rng, base_yaml)
        (folder / name).write_bytes(text.encode("utf-8", "surrogatepass"))
        names.append(name)
    for f in sorted(CORPUS.glob("*.*")):
        if f.suffix in (".yaml", ".json"):
            (folder / f"z-{f.name}").write_bytes(f.read_bytes())
            names.append(f"z-{f.name}")
    out = tmp_path / "out.jsonl"
    t0 = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "advisor.cli",
            "batch",
            str(folder),
            "-o",
            str(out),
            "--workers",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=300,  # a hang fails the test
        cwd=ROOT,
        preexec_fn=_limit,
    )
    took = time.monotonic() - t0
    assert proc.returncode in (0, 3), proc.stderr[-2000:]  # 3: some records refused, as documented
    assert "Traceback" not in proc.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(names), f"seed {SEED}"
    for rec, name in zip(records, sorted(names), strict=True):
        if "errors" in rec:
            assert rec["source"].endswith(name)
            assert rec["errors"] and all(len(e["message"]) <= MESSAGE_CHARS for e in rec["errors"])
            assert not any("internal error" in e["message"] for e in rec["errors"]), rec
    refused = {r["source"].rsplit("/", 1)[1] for r in records if "errors" in r}
    assert {f"z-{f.name}" for f in CORPUS.glob("*.*") if f.suffix in (".yaml", ".json")} <= refused
    fuzz_tried["yaml/json through advisor batch"] += len(names)
    print(f"{len(names)} files in {took:.1f} s")


@pytest.mark.parametrize("name", ["alias_bomb.yaml", "tag_int_empty.yaml", "sexagesimal.yaml"])
def test_assess_in_a_real_process_under_a_memory_bound(name: str, fuzz_tried: Counter) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "advisor.cli", "assess", str(CORPUS / name)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        preexec_fn=_limit,
    )
    fuzz_tried["corpus through advisor assess"] += 1
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
