"""``advisor robustness PROFILE`` and ``advisor kb robustness``: how robust the conclusions are.

``advisor robustness`` prints, for one case, every diagnosis and action with the share of
sampled plausible worlds agreeing with the assessment, its label and the numbers it is most
sensitive to (``advisor/robustness.py``). ``advisor kb robustness`` moves each ranged parameter
to the ends of its plausible range over a set of generated profiles and lists the parameters
that flip the most conclusions: the review list for the knowledge base's maintainers.
Exit codes as ``advisor assess``.
"""

from __future__ import annotations

import argparse
import json

from advisor.cli.common import add_lang_arg, add_output_arg, uncertain_case, write_output
from advisor.io import preset


def _cmd_robustness(args: argparse.Namespace) -> int:
    up = uncertain_case(args.profile, args.preset)
    profile = up.central()
    # the engine, numpy and jinja2 load only when this command runs
    from advisor.report import label as _label
    from advisor.robustness import analyse, percent
    from advisor.uncertain_assess import assess_profile
    from knowledge_base.loader import load_kb

    assessment = assess_profile(up, ask=False)
    rob = analyse(up, assessment, worlds=args.worlds, seed=args.seed)
    if args.format == "json":
        write_output(rob.model_dump_json(indent=2) + "\n", args.output)
        return 0
    kb, lang = load_kb(), args.lang
    head = {
        "zh": ("类别", "结论", "本报告", "一致的情形", "稳健性", "最敏感的取舍"),
        "en": ("kind", "conclusion", "in report", "agreeing", "label", "most sensitive to"),
    }[lang]
    kinds = {"zh": {"diagnosis": "诊断", "action": "行动"}, "en": {}}[lang]
    yes_no = {"zh": ("是", "否", "无法确定"), "en": ("yes", "no", "undecided")}[lang]
    rows = [head]
    for c in [*rob.diagnoses, *rob.actions]:
        item = kb.items.get(c.id)
        name = item.label.get(lang) if item else c.id
        sens = "; ".join(f"{s.source.split(':', 1)[1]} ({s.strength:+.2f})" for s in c.sensitive_to)
        rows.append(
            (
                kinds.get(c.kind, c.kind),
                name,
                yes_no[2] if c.undecided else yes_no[0] if c.in_point_estimate else yes_no[1],
                percent(c.robustness),
                _label("robustness_label", c.label, lang),
                sens or "-",
            )
        )
    lines = [
        {
            "zh": f"{profile.name}：在 {rob.worlds} 个参数合理取值的抽样情形中（种子 {rob.seed}）",
            "en": f"{profile.name}: across {rob.worlds} sampled plausible worlds (seed {rob.seed})",
        }[lang],
        "",
    ]
    lines += ["\t".join(r) for r in rows]
    if rob.summary is not None:
        lines += ["", rob.summary.get(lang)]
    write_output("\n".join(lines) + "\n", args.output)
    return 0


def _cmd_kb_robustness(args: argparse.Namespace) -> int:
    # numpy and the lint's sampler load only for this command
    from advisor.robustness import review
    from rules.lint import sample_profiles

    profiles = [preset("case-h"), preset("case-y"), *sample_profiles(args.profiles, args.seed)]
    flips = review(profiles)
    if args.format == "json":
        data = [
            {
                "parameter": f.leaf.name,
                "value": f.leaf.value,
                "low": f.leaf.low,
                "high": f.leaf.high,
                "flips_at_low": f.flips_low,
                "flips_at_high": f.flips_high,
                "cases_affected": f.cases_affected,
            }
            for f in flips
        ]
        write_output(json.dumps(data, ensure_ascii=False, indent=2) + "\n", args.output)
        return 0
    n = len(profiles)
    lines = [
        f"{len(flips)} ranged numbers, each moved alone to the ends of its plausible range, "
        f"over {n} profiles (the two paper cases and {args.profiles} generated, seed {args.seed}); "
        "a flip is a diagnosis, a recommended action or a top-5 place that changes.",
        "",
        "parameter\tvalue\trange\tflips at low\tflips at high\tcases affected",
    ]
    for f in flips[: args.top] if args.top else flips:
        lf = f.leaf
        lines.append(
            f"{lf.name}\t{lf.value:g}\t{lf.low:g}-{lf.high:g}\t{f.flips_low}\t{f.flips_high}"
            f"\t{f.cases_affected}/{n}"
        )
    write_output("\n".join(lines) + "\n", args.output)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``advisor robustness``."""
    p = sub.add_parser(
        "robustness",
        help="how robust each conclusion is to our parameter choices",
        description=(
            "Assess a case profile, then re-evaluate it in sampled plausible worlds (every "
            "parameter within its plausible range) and print each diagnosis and action with the "
            "share of worlds agreeing, its label and what it is most sensitive to."
        ),
        epilog="exit codes: 0 done; 2 invalid input (each problem by field path); 1 failure",
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument(
        "profile", nargs="?", metavar="PROFILE", help="a .json/.yaml profile, or '-' for stdin"
    )
    src.add_argument("--preset", metavar="NAME", help="one of the paper's cases: case-h, case-y")
    p.add_argument("--worlds", type=_positive, help="number of sampled worlds (1000)")
    p.add_argument("--seed", type=int, help="random seed (the same seed, the same figures)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output (text)")
    add_lang_arg(p, "language (zh)")
    add_output_arg(p)
    p.set_defaults(func=_cmd_robustness)


def register_kb(kb_sub: argparse._SubParsersAction) -> None:
    """Add ``advisor kb robustness``."""
    p = kb_sub.add_parser(
        "robustness",
        help="the parameters whose plausible range flips the most conclusions",
        description=(
            "Move each ranged parameter alone to the low and high ends of its plausible range "
            "over the paper's two cases and generated profiles, and list the parameters that "
            "flip the most conclusions first: the review list for the knowledge base."
        ),
    )
    p.add_argument("--profiles", type=_positive, default=40, help="generated profiles (40)")
    p.add_argument("--seed", type=int, default=20240118, help="generator seed")
    p.add_argument("--top", type=int, default=20, help="list only the first N (0: all)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output (text)")
    add_output_arg(p)
    p.set_defaults(func=_cmd_kb_robustness)


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 1 or n > 100_000:
        raise argparse.ArgumentTypeError("must be between 1 and 100000")
    return n
