"""Live classroom sessions: join codes, names, answers, the trainer's live view, feedback, CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from advisor.classroom import Classroom, ClassroomError, Handout, clean_code, feedback
from advisor.errors import ProfileError
from advisor.pipeline import preset
from advisor.trainer.exercise import ExercisePack, RankingError, create_pack, score


@pytest.fixture(scope="module")
def pack() -> ExercisePack:
    return create_pack(preset("case-y"), max_actions=6)


@pytest.fixture
def room(tmp_path: Path) -> Classroom:
    return Classroom(tmp_path / "cases.sqlite3")


def test_the_handout_never_carries_the_key(room: Classroom, pack: ExercisePack) -> None:
    """What trainees get holds the scenario and actions, not the key, the profile or ranks."""
    session, _key = room.open_session(pack)
    handout = room.handout(session.code)
    assert set(Handout.model_fields) == {
        "code", "title", "scenario_intro", "scenario", "question", "actions", "state",
    }  # fmt: skip
    text = handout.model_dump_json()
    assert "ranks" not in text and "priorities" not in text and "profile" not in text
    assert [a.id for a in handout.actions] == [a.id for a in pack.actions]


def test_join_codes_are_short_and_forgiving(room: Classroom, pack: ExercisePack) -> None:
    """Six characters without 0/O/1/I/L look-alikes; lower case, spaces and dashes are fine."""
    session, _ = room.open_session(pack)
    code = session.code
    assert len(code) == 6 and not set(code) & set("01OIL")
    typed = f" {code[:3].lower()}-{code[3:]} "
    assert clean_code(typed) == code
    assert room.join(typed, "张三")[0].name == "张三"
    with pytest.raises(ClassroomError) as exc:
        room.join("ZZZZZZ", "李四")
    assert exc.value.code == "no_session" and "加入码" in exc.value.text("zh")


def test_names_are_unique_trimmed_and_bounded(room: Classroom, pack: ExercisePack) -> None:
    """A name taken in the class (ignoring case and spaces), blank or too long is refused."""
    session, _ = room.open_session(pack)
    room.join(session.code, "Li  Wei")
    for name, code in (("li wei", "name_taken"), ("   ", "name_blank"), ("x" * 41, "name_long")):
        with pytest.raises(ClassroomError) as exc:
            room.join(session.code, name)
        assert exc.value.code == code
    other, _ = room.open_session(pack)
    assert room.join(other.code, "Li Wei")[0].name == "Li Wei"  # another class: free


def test_without_guests_only_the_roster_may_join(room: Classroom, pack: ExercisePack) -> None:
    """No guests: names on the trainer's roster only; a roster is required."""
    with pytest.raises(ProfileError) as exc:
        room.open_session(pack, allow_guests=False, roster=["  "])
    assert exc.value.problems[0].path == "roster"
    session, _ = room.open_session(pack, allow_guests=False, roster=["王芳", "Zhao Lei"])
    assert room.join(session.code, "zhao  lei")[0].name == "zhao lei"
    with pytest.raises(ClassroomError) as err:
        room.join(session.code, "Guest 1")
    assert err.value.code == "not_on_roster"


def test_answers_change_until_the_reveal_then_close(room: Classroom, pack: ExercisePack) -> None:
    """A trainee may re-rank while open; a bad ranking is refused; after the reveal, no change."""
    session, key = room.open_session(pack)
    _, pk = room.join(session.code, "A")
    ids = [a.id for a in pack.actions]
    room.answer(pk, ids)
    room.answer(pk, list(reversed(ids)))
    assert room.me(pk).ranking == tuple(reversed(ids))
    with pytest.raises(RankingError):
        room.answer(pk, ids[:-1])
    assert room.my_feedback(pk) is None  # nothing before the reveal
    with pytest.raises(ClassroomError) as exc:
        room.reveal(session.code, "wrong key")
    assert exc.value.code == "not_trainer"
    room.reveal(session.code, key)
    with pytest.raises(ClassroomError) as exc:
        room.answer(pk, ids)
    assert exc.value.code == "closed"
    with pytest.raises(ClassroomError):
        room.join(session.code, "Late")
    fb = room.my_feedback(pk)
    assert fb is not None and fb.score.ranking == list(reversed(ids))


def test_live_stats_count_the_spread_and_the_shared_misses(
    room: Classroom, pack: ExercisePack
) -> None:
    """Joined, answered, per-action counts per position, misses by how many share them."""
    session, _ = room.open_session(pack)
    ids = [a.id for a in pack.actions]
    rev = list(reversed(ids))
    for name, ranking in (("A", ids), ("B", rev), ("C", rev), ("D", None)):
        _, pk = room.join(session.code, name)
        if ranking:
            room.answer(pk, ranking)
    live = room.live(room.session(session.code))
    assert (live.joined, live.answered, live.names_waiting) == (4, 3, ["D"])
    first = next(s for s in live.spread if s.id == ids[0])
    assert first.counts[0] == 1 and first.counts[-1] == 2 and sum(first.counts) == 3
    assert first.mean == round((1 + 2 * len(ids)) / 3, 2)
    expected = {(m.kind, m.action) for m in score(pack, rev).misses}
    twice = {(m.kind, m.action) for m in live.misses if m.count >= 2}
    assert expected <= twice
    assert live.misses == sorted(live.misses, key=lambda m: -m.count)
    assert sum(live.top_right.values()) == 3


def test_feedback_speaks_in_words_and_names_the_advisor_not_the_paper(
    pack: ExercisePack,
) -> None:
    """Top-k agreement, pairs the other way round with the reason, in both languages."""
    rec = pack.recommended()
    ranking = [rec[1], rec[0], *rec[2:], *pack.not_recommended()]
    fb = feedback(pack, ranking)
    k = min(pack.scoring.engine_top, len(rec))
    assert fb.top_k == k and fb.top_right == k
    assert fb.lines[0].en == f"Top {k}: all {k} right."
    pair = fb.lines[1]
    a0, a1 = pack.action(rec[0]).label, pack.action(rec[1]).label
    assert pair.en.startswith(f"You ranked “{a1.en}” before “{a0.en}”; the advisor puts")
    assert pair.zh.startswith(f"你把“{a1.zh}”排在“{a0.zh}”之前")
    assert "paper" not in pair.en and "论文" not in pair.zh
    assert "not from a ranking in the paper" in fb.note.en
    worst = list(reversed(ranking))
    bad = feedback(pack, worst)
    assert bad.top_right < k and f"Top {k}: {bad.top_right} of {k} right" in bad.lines[0].en
    assert any("does not recommend" in line.en for line in bad.lines)


def test_export_csv_has_one_row_per_trainee_with_coefficients(
    room: Classroom, pack: ExercisePack
) -> None:
    """UTF-8 with a BOM, Chinese headers, the ranking by label, rho and tau as numbers."""
    session, key = room.open_session(pack)
    ids = [a.id for a in pack.actions]
    _, pk = room.join(session.code, "王芳")
    room.answer(pk, ids)
    room.join(session.code, "未作答")
    text = room.export_csv(session.code, key, "zh")
    assert text.startswith("\ufeff加入码,")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 3 and rows[1][2] == "王芳" and rows[2][5] == ""
    assert rows[1][5].split(" > ")[0] == pack.actions[0].label.zh
    s = score(pack, ids)
    assert float(rows[1][8]) == pytest.approx(s.spearman, abs=1e-4)
    assert float(rows[1][9]) == pytest.approx(s.kendall_tau, abs=1e-4)
    with pytest.raises(ClassroomError):
        room.export_csv(session.code, "nope")


def test_export_xlsx_holds_the_same_rows_and_a_formula_name_as_text(
    room: Classroom, pack: ExercisePack
) -> None:
    """The Excel export has the CSV's rows; a trainee's name that a spreadsheet would run as a
    formula is kept as text in both exports (a leading apostrophe)."""
    from openpyxl import load_workbook

    session, key = room.open_session(pack)
    ids = [a.id for a in pack.actions]
    _, pk = room.join(session.code, "=HYPERLINK(1)")
    room.answer(pk, ids)
    wb = load_workbook(io.BytesIO(room.export_xlsx(session.code, key, "en")))
    rows = [[c.value for c in r] for r in wb.active.iter_rows()]
    assert rows[0][0] == "join_code" and len(rows) == 2
    assert rows[1][2] == "'=HYPERLINK(1)"
    assert rows[1][5].split(" > ")[0] == pack.actions[0].label.en
    text = room.export_csv(session.code, key, "en")
    assert list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1][2] == "'=HYPERLINK(1)"


def test_sessions_are_kept_across_store_instances(tmp_path: Path, pack: ExercisePack) -> None:
    """Results persist in the database file: a new store (another process) sees them."""
    first = Classroom(tmp_path / "db.sqlite3")
    session, key = first.open_session(pack)
    _, pk = first.join(session.code, "A")
    first.answer(pk, [a.id for a in pack.actions])
    again = Classroom(tmp_path / "db.sqlite3")
    assert [s.code for s in again.sessions()] == [session.code]
    assert again.live(again.check_trainer(session.code, key)).answered == 1
