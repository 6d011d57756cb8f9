"""Commands for trainers and planners: sensitivity, smallest-change, exercise, roadmap.

Each takes a case as a profile file (``-`` for stdin) or ``--preset case-h|case-y``; output is
Markdown (default), JSON, or HTML where it makes sense, in ``--lang zh|en``. Exit codes follow
``advisor.cli.main``: 0 ok, 1 failure (e.g. no path found within the bounds), 2 invalid input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from advisor.cli.common import LANGS, add_lang_arg, write_output
from advisor.errors import FieldProblem, ProfileError
from advisor.io import MAX_BYTES, PRESETS, load_profile, preset
from advisor.models import BiText, CaseProfile
from advisor.safefile import UnsafePathError, read_bounded

# --------------------------------------------------------------------------- helpers


class UsageError(ProfileError):
    """The command's arguments do not fit together (exit code 2, like any invalid input)."""

    def __init__(self, problems: list[FieldProblem], source: str | None = None) -> None:
        super().__init__(problems, source)
        where = f"{source}: " if source else ""
        self.args = (where + "invalid arguments\n" + "\n".join(f"  - {p}" for p in problems),)

    def __str__(self) -> str:
        return str(self.args[0])


def _case_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "profile", nargs="?", metavar="PROFILE", help="case profile (JSON/YAML, - for stdin)"
    )
    p.add_argument("--preset", choices=PRESETS, help="use one of the paper's two cases instead")


def _profile(args: argparse.Namespace) -> CaseProfile:
    if args.profile and args.preset:
        raise UsageError([FieldProblem("", "give either PROFILE or --preset, not both")])
    if args.preset:
        return preset(args.preset)
    if not args.profile:
        raise UsageError([FieldProblem("", "give a PROFILE file (or - for stdin) or --preset")])
    return load_profile(args.profile)


def _emit(text: str, out: str | None = None, inputs: tuple[str | None, ...] = ()) -> None:
    if out:
        write_output(text, out, inputs)
        print(f"wrote {out}", file=sys.stderr)
    else:
        write_output(text if text.endswith("\n") else text + "\n", None)


def _at_least(least: int) -> Any:
    """An argparse type: a whole number not below ``least`` (refused with a clear message)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"{value} is less than {least}")
        return value

    return parse


def _json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2) + "\n"


def _md_cell(text: str) -> str:
    # jinja2 and the report templates load on use
    from advisor.report import md_escape

    return md_escape(text)


# --------------------------------------------------------------------------- sensitivity


def _sweep_md(s: Any, lang: str) -> str:
    # the trainer's wording loads on use
    from advisor.trainer.text import field_label, tr, value_label, vocab

    head = f"# {_md_cell(field_label(s.path, lang))} (`{s.path}`)\n\n"
    if s.note:
        head += f"> {s.note.get(lang)}\n\n"
    cols = [tr(f"cli.col.{c}", lang) for c in ("value", "index", "level", "coproduction")]
    cols += [_md_cell(s.action_labels[a].get(lang)) for a in s.tracked_actions]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for p in s.points:
        value = _md_cell(value_label(s.path, p.value, lang)) + (" \\*" if p.is_baseline else "")
        if not p.valid:
            cells = [value, _md_cell(p.problem or "")] + [""] * (len(cols) - 2)
        else:
            cells = [
                value,
                f"{p.asymmetry_index:+.3f}",
                vocab("level", p.asymmetry_level, lang),
                str(p.coproduction_score),
            ] + [f"{p.priorities.get(a, 0.0):.1f}" for a in s.tracked_actions]
        lines.append("| " + " | ".join(cells) + " |")
    return head + "\n".join(lines) + f"\n\n\\* {tr('cli.baseline', lang)}\n"


def _tornado_md(bars: list[Any], lang: str) -> str:
    # the trainer's wording loads on use
    from advisor.trainer.text import field_label, tr

    cols = [tr(f"cli.col.{c}", lang) for c in ("field", "low", "high", "swing")] + [""]
    out = [f"# {tr('cli.tornado_title', lang)}", ""]
    out += ["| " + " | ".join(cols) + " |", "|---|---|---|---|---|"]
    top = max((b.swing for b in bars), default=0) or 1
    for b in bars:
        bar = "█" * round(20 * b.swing / top)
        name = f"{_md_cell(field_label(b.path, lang))} (`{b.path}`)"
        out.append(f"| {name} | {b.low:+.3f} | {b.high:+.3f} | {b.swing:.3f} | {bar} |")
    return "\n".join(out) + "\n"


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    # the engine loads on use, not for --help or a refusal
    from advisor.trainer.sensitivity import sweep, tornado

    profile = _profile(args)
    if bool(args.field) == bool(args.tornado):
        raise UsageError([FieldProblem("", "give either --field PATH or --tornado")])
    if args.tornado:
        bars = tornado(profile)
        if args.format == "json":
            _emit(_json([b._asdict() for b in bars]))
        else:
            _emit(_tornado_md(bars, args.lang))
        return 0
    values = None
    if args.values:
        values = [_parse_value(v) for v in args.values.split(",")]
    s = sweep(profile, args.field, values)
    _emit(_json(s.model_dump(mode="json")) if args.format == "json" else _sweep_md(s, args.lang))
    return 0


def _parse_value(text: str) -> Any:
    t = text.strip()
    if t.lower() in ("true", "false"):
        return t.lower() == "true"
    if t.lower() in ("null", "none"):
        return None
    for cast in (int, float):
        try:
            return cast(t)
        except ValueError:
            pass
    return t


# --------------------------------------------------------------------------- smallest change


def _paths_md(result: Any, lang: str) -> str:
    # the engine loads on use, not for --help or a refusal
    from advisor.trainer.smallest_change import describe_change, describe_diagnoses
    from advisor.trainer.text import tr, vocab

    out = [f"# {tr('cli.smallest_title', lang, goal=_md_cell(result.goal.describe().get(lang)))}"]
    out.append("")
    if result.already_met:
        return "\n".join([*out, tr("cli.already_met", lang)]) + "\n"
    start = result.paths[0].start if result.paths else None
    if start:
        level = vocab("level", start.asymmetry_level, lang)
        out += [tr("cli.now", lang, level=level, index=f"{start.asymmetry_index:+.3f}"), ""]
    cols = [tr(f"cli.col.{c}", lang) for c in ("actor", "change", "move", "cost")]
    cols += [tr("cli.col.after", lang), tr("cli.col.diagnoses", lang)]
    for n, path in enumerate(result.paths, start=1):
        out += [f"## {tr('cli.path', lang, n=n, cost=f'{path.cost:g}')}", ""]
        out += ["| # | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
        for i, st in enumerate(path.steps, start=1):
            o = st.outcome
            level = vocab("level", o.asymmetry_level, lang)
            cells = [
                str(i),
                vocab("actor", st.actor, lang),
                _md_cell(st.label.get(lang)),
                _md_cell(describe_change(st, lang)),
                f"{st.cost:g}",
                f"{level} ({o.asymmetry_index:+.3f})",
                _md_cell(describe_diagnoses(st, lang)),
            ]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    if not result.paths:
        out.append(tr("cli.no_path", lang, depth=result.max_depth, nodes=result.max_nodes))
    out += ["", tr("cli.assessed", lang, n=result.assessed)]
    return "\n".join(out) + "\n"


def _cmd_smallest_change(args: argparse.Namespace) -> int:
    # the engine loads on use, not for --help or a refusal
    from advisor.trainer.smallest_change import asymmetry_goal, diagnosis_goal, search

    profile = _profile(args)
    if bool(args.goal) == bool(args.remove_diagnosis):
        raise UsageError([FieldProblem("", "give either --goal LEVEL or --remove-diagnosis ID")])
    goal = asymmetry_goal(args.goal) if args.goal else diagnosis_goal(args.remove_diagnosis)
    result = search(
        profile,
        goal,
        top=args.top,
        max_depth=args.max_depth,
        max_nodes=args.max_nodes,
        actors=args.actor or None,
    )
    if args.format == "json":
        _emit(_json(result.model_dump(mode="json")))
    else:
        _emit(_paths_md(result, args.lang))
    if not result.paths:
        print("advisor: no path found within the bounds", file=sys.stderr)
        return 1
    return 0


# --------------------------------------------------------------------------- exercises


def _read_ranking(args: argparse.Namespace) -> list[str]:
    if bool(args.ranking) == bool(args.ranking_file):
        raise UsageError(
            [FieldProblem("ranking", "give either --ranking A,B,C or --ranking-file FILE")]
        )
    if args.ranking:
        return [r for r in args.ranking.split(",")]
    path = Path(args.ranking_file)
    if not path.is_file():
        raise UsageError([FieldProblem("ranking", "no such file")], str(path))

    try:
        raw = read_bounded(path, MAX_BYTES)
        if len(raw) > MAX_BYTES:
            raise UsageError([FieldProblem("ranking", "the file is over 1 MB")], str(path))
        text = raw.decode("utf-8-sig")
    except UnsafePathError as exc:
        raise UsageError([FieldProblem("ranking", exc.en, exc.zh)], str(path)) from None
    except UnicodeDecodeError:
        problem = FieldProblem("ranking", "the file is not UTF-8 text", "文件不是 UTF-8 文本")
        raise UsageError([problem], str(path)) from None
    return [line.split("#")[0].strip() for line in text.replace(",", "\n").splitlines()]


def _cmd_exercise_create(args: argparse.Namespace) -> int:
    from advisor.trainer.exercise import create_pack, save_pack

    profile = _profile(args)
    texts: dict[str, BiText | None] = {}
    for what in ("title", "question"):
        zh, en = getattr(args, f"{what}_zh"), getattr(args, f"{what}_en")
        if bool(zh) != bool(en):
            raise UsageError(
                [FieldProblem(what, f"give it in both languages (--{what}-zh and --{what}-en)")]
            )
        texts[what] = BiText(zh=zh, en=en) if zh else None
    pack = create_pack(
        profile,
        pack_id=args.id,
        title=texts["title"],
        question=texts["question"],
        max_actions=args.max_actions,
        distractors=args.distractors,
    )
    save_pack(pack, args.out, (getattr(args, "profile", None),))
    print(f"wrote {args.out}: {len(pack.actions)} actions to rank", file=sys.stderr)
    return 0


def _cmd_exercise_score(args: argparse.Namespace) -> int:
    # the engine loads on use, not for --help or a refusal
    from advisor.trainer.exercise import debrief, load_pack, render_debrief_md, score

    pack = load_pack(args.pack)
    result = score(pack, _read_ranking(args))
    if args.format == "json":
        _emit(
            _json(
                {
                    "score": result.model_dump(mode="json"),
                    "debrief": debrief(pack, result).model_dump(mode="json"),
                }
            )
        )
    else:
        _emit(render_debrief_md(pack, result, args.lang))
    return 0


def _cmd_exercise_handout(args: argparse.Namespace) -> int:
    # the engine loads on use, not for --help or a refusal
    from advisor.trainer.exercise import load_pack, render_handout

    pack = load_pack(args.pack)
    _emit(render_handout(pack, args.format, args.lang), args.out, (args.pack,))
    return 0


# --------------------------------------------------------------------------- roadmap


def _cmd_roadmap(args: argparse.Namespace) -> int:
    # the engine loads on use, not for --help or a refusal
    from advisor.trainer._assess import assess_cached
    from advisor.trainer.roadmap import build_roadmap, render_roadmap, trajectory

    points = []
    if args.case:
        # SQLAlchemy loads only for commands that open the case library
        from advisor.cli.admin import acting_store, quiet_store_log
        from advisor.db import StoreError

        if args.profile or args.preset:
            raise UsageError([FieldProblem("", "give PROFILE, --preset or --case, not several")])
        quiet_store_log()
        try:  # as the person running it says (--org / --user), like advisor db|users|audit
            store = acting_store(args.db, args.org, args.user, args.lang)
            profile = store.get(args.case).profile
            points = trajectory(store.history(args.case))
        except StoreError as exc:
            print(f"advisor: {exc.text(args.lang)}", file=sys.stderr)
            return 1
    elif args.org or args.user:
        raise UsageError([FieldProblem("", "--org and --user go with --case")])
    else:
        profile = _profile(args)
    roadmap = build_roadmap(assess_cached(profile))
    if args.format in ("docx", "pdf"):
        # python-docx and the PDF writer load only for a document
        from advisor.office.documents import roadmap_document, write_document

        write_document(roadmap_document(roadmap, args.lang), args.format, args.out)
        return 0
    if args.format == "json":
        data = roadmap.model_dump(mode="json")
        data["trajectory"] = [p.model_dump(mode="json") for p in points]
        _emit(_json(data), args.out, (args.profile,))
    else:
        _emit(render_roadmap(roadmap, args.format, args.lang, points), args.out, (args.profile,))
    return 0


# --------------------------------------------------------------------------- registration


def register(sub: Any) -> None:
    """Add ``sensitivity``, ``smallest-change``, ``exercise`` and ``roadmap``."""
    p = sub.add_parser(
        "sensitivity", help="sweep one field, or rank fields by their effect (tornado)"
    )
    _case_args(p)
    p.add_argument("--field", metavar="PATH", help="dotted field path, e.g. government.control")
    p.add_argument("--values", help="comma-separated values instead of the field's whole range")
    p.add_argument("--tornado", action="store_true", help="sweep every field; largest swing first")
    p.add_argument("--format", choices=("md", "json"), default="md")
    add_lang_arg(p)
    p.set_defaults(func=_cmd_sensitivity)

    p = sub.add_parser("smallest-change", help="cheapest feasible changes that meet a goal")
    _case_args(p)
    p.add_argument(
        "--goal", metavar="LEVEL", help="asymmetry at most LEVEL (balanced|moderate|high)"
    )
    p.add_argument("--remove-diagnosis", metavar="ID", help="remove this diagnosis")
    p.add_argument("--top", type=int, default=3, help="how many paths (default 3)")
    p.add_argument("--max-depth", type=int, default=6, help="most changes in a path (default 6)")
    p.add_argument(
        "--max-nodes", type=int, default=5000, help="most states evaluated (default 5000)"
    )
    p.add_argument(
        "--actor",
        action="append",
        choices=("government", "third_party", "volunteers", "residents"),
        help="only changes by this actor (repeatable)",
    )
    p.add_argument("--format", choices=("md", "json"), default="md")
    add_lang_arg(p)
    p.set_defaults(func=_cmd_smallest_change)

    ex = sub.add_parser("exercise", help="exercise packs: create, score, handout")
    exsub = ex.add_subparsers(dest="exercise_command", metavar="SUBCOMMAND", required=True)
    p = exsub.add_parser("create", help="build a pack from a case")
    _case_args(p)
    p.add_argument("-o", "--out", required=True, metavar="FILE", help="pack file (.json or .yaml)")
    p.add_argument("--id", help="pack id (default exercise-<case id>)")
    p.add_argument(
        "--max-actions",
        type=_at_least(1),
        default=8,
        help="recommended actions to include (at least 1)",
    )
    p.add_argument(
        "--distractors",
        type=_at_least(0),
        default=3,
        help="not-recommended actions to include (0 or more)",
    )
    for what in ("title", "question"):
        for lang in LANGS:
            p.add_argument(f"--{what}-{lang}", metavar="TEXT", help=f"the pack's {what} in {lang}")
    p.set_defaults(func=_cmd_exercise_create)
    p = exsub.add_parser("score", help="score a participant's ranking and show the debrief")
    p.add_argument("pack", metavar="PACK")
    p.add_argument("--ranking", help="action ids, first = do first, comma-separated")
    p.add_argument("--ranking-file", metavar="FILE", help="one action id per line")
    p.add_argument("--format", choices=("md", "json"), default="md")
    add_lang_arg(p)
    p.set_defaults(func=_cmd_exercise_score)
    p = exsub.add_parser("handout", help="a printable handout (no answers)")
    p.add_argument("pack", metavar="PACK")
    p.add_argument("--format", choices=("md", "html"), default="md")
    p.add_argument("-o", "--out", metavar="FILE")
    add_lang_arg(p)
    p.set_defaults(func=_cmd_exercise_handout)

    p = sub.add_parser("roadmap", help="the action framework as a phased plan per actor")
    _case_args(p)
    p.add_argument(
        "--case", metavar="ID", help="a saved case: its profile and its history over time"
    )
    p.add_argument(
        "--db", metavar="DB", help="case library: a file or postgresql:// URL ($ADVISOR_DB)"
    )
    p.add_argument(
        "--org",
        metavar="ORG",
        help="with --case: read it as the server's administrator for organisation ORG",
    )
    p.add_argument(
        "--user", metavar="NAME", help="with --case: read it as that account (its organisation)"
    )
    p.add_argument("--format", choices=("md", "html", "json", "docx", "pdf"), default="md")
    p.add_argument("-o", "--out", metavar="FILE")
    add_lang_arg(p)
    p.set_defaults(func=_cmd_roadmap)
