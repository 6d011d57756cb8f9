"""``advisor assess``, ``advisor schema``, ``advisor presets`` and ``advisor whatif``.

Exit codes: 0 done; 2 invalid input (every problem listed by field path on stderr, from
``advisor.errors.ProfileError``, mapped in ``advisor.cli.main``); 1 anything else the advisor
refused (an engine failure, an output file that cannot be written).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import yaml

from advisor.basis import annotated_yaml
from advisor.cli.common import (
    add_lang_arg,
    add_output_arg,
    preset_profile,
    uncertain_case,
    write_output,
)
from advisor.errors import FieldProblem, ProfileError
from advisor.io import PRESETS, load_profile
from advisor.models import Assessment, BiText, CaseProfile
from advisor.safeparse import InputRefused, load_yaml
from advisor.uncertain import json_schema_v2
from advisor.whatif import LEVERS, MAX_VARIANTS, apply_change, apply_lever, compare

FORMATS = ("json", "md", "html", "docx", "pdf")


def _cmd_assess(args: argparse.Namespace) -> int:
    up = uncertain_case(args.profile, args.preset)
    # imported after validation: a refused profile is reported without loading the engine
    from advisor.report import render
    from advisor.uncertain_assess import assess_profile

    assessment: Assessment = assess_profile(up)
    profile = up.central()
    if args.robustness:
        from advisor.robustness import analyse  # numpy: only when asked for

        rob = analyse(up, assessment, worlds=args.worlds, seed=args.seed)
        assessment = assessment.model_copy(update={"robustness": rob})
    if args.format in ("docx", "pdf"):  # a document an office files (advisor/office/documents)
        # python-docx and the PDF writer load only for a document
        from advisor.office.documents import assessment_document, write_document

        doc = assessment_document(assessment, args.lang, profile)
        write_document(doc, args.format, args.output)
        return 0
    write_output(
        render(assessment, profile, args.format, args.lang),
        args.output,
        [args.profile] if args.profile else [],
    )
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    model = Assessment if args.assessment else CaseProfile
    schema = model.model_json_schema()
    if args.version == 2 and not args.assessment:
        schema = json_schema_v2()
    write_output(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", None)
    return 0


def _cmd_presets(args: argparse.Namespace) -> int:
    if args.show:
        write_output(annotated_yaml(preset_profile(args.show), args.lang), None)
        return 0
    lines = []
    for name in PRESETS:
        lines.append(f"{name}\t{preset_profile(name).name}")
    write_output("\n".join(lines) + "\n", None)
    return 0


def _load_baseline(ref: str) -> CaseProfile:
    """A baseline from a file, stdin ('-'), or a preset's name when no such file exists."""
    if ref != "-" and not Path(ref).exists() and ref in PRESETS:
        return preset_profile(ref)
    return load_profile(ref)


def _cmd_whatif(args: argparse.Namespace) -> int:
    # the engine and jinja2 load when a comparison runs, not when the parser is built
    from advisor.report import render_comparison, strings

    n = len(args.variants) + len(args.lever) + (1 if args.set else 0)
    if n == 0:
        raise ProfileError(
            [FieldProblem("variants", "give at least one VARIANT file, --lever NAME or --set")]
        )
    if n > MAX_VARIANTS:
        raise ProfileError(
            [FieldProblem("variants", f"{n} variants; at most {MAX_VARIANTS} can be compared")]
        )
    if sum(1 for ref in [args.baseline, *args.variants] if ref == "-") > 1:
        raise ProfileError([FieldProblem("", "only one input can come from stdin ('-')")])
    baseline = _load_baseline(args.baseline)
    variants = [load_profile(ref) for ref in args.variants]
    labels: list[Any] = [None] * len(variants)
    levers: list[str | None] = [None] * len(variants)
    for name in args.lever:
        variants.append(apply_lever(baseline, name))
        labels.append(LEVERS[name].label)
        levers.append(name)
    if args.set:
        variant = baseline
        for item in args.set:
            path, _, raw = item.partition("=")
            if not _:
                raise ProfileError([FieldProblem(path, "write --set as PATH=VALUE")])
            try:
                value = load_yaml(raw) if raw.strip() else None
            except InputRefused as exc:
                raise ProfileError(
                    [FieldProblem(path.strip(), exc.en + exc.where(), exc.zh + exc.where("zh"))]
                ) from None
            except (yaml.YAMLError, ValueError, RecursionError):
                value = raw
            variant = apply_change(variant, path.strip(), value)
        custom = strings()["variant_name"]["custom"]
        variants.append(variant)
        labels.append(BiText(zh=custom["zh"], en=custom["en"]))
        levers.append(None)
    comparison = compare(baseline, variants, labels=labels, levers=levers)
    if args.format in ("docx", "pdf"):
        # python-docx and the PDF writer load only for a document
        from advisor.office.documents import whatif_document, write_document

        write_document(whatif_document(comparison, args.lang), args.format, args.output)
        return 0
    write_output(
        render_comparison(comparison, args.format, args.lang, baseline=baseline),
        args.output,
        [args.baseline, *args.variants],
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``assess``, ``schema``, ``presets`` and ``whatif`` commands."""
    p = sub.add_parser(
        "assess",
        help="assess one case profile and print the action framework (JSON, Markdown, HTML, "
        "or a Word or PDF document)",
        description=(
            "Assess a case profile (a JSON or YAML file, '-' for stdin) or one of the paper's "
            "cases (--preset) and print the assessment: the contract JSON, or a Markdown or HTML "
            "report an official can print."
        ),
        epilog="exit codes: 0 assessed; 2 invalid input (each problem by field path); 1 failure",
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument(
        "profile", nargs="?", metavar="PROFILE", help="a .json/.yaml profile, or '-' for stdin"
    )
    src.add_argument("--preset", metavar="NAME", help="one of the paper's cases: case-h, case-y")
    p.add_argument(
        "--format",
        choices=FORMATS,
        default="json",
        help="output format (json); docx and pdf write an official-style document to -o FILE",
    )
    add_lang_arg(p, "report language (zh)")
    add_output_arg(p)
    p.add_argument(
        "--robustness",
        action="store_true",
        help="add how robust each conclusion is to our parameter choices (sampled worlds)",
    )
    p.add_argument("--worlds", type=int, help="with --robustness: number of worlds (1000)")
    p.add_argument("--seed", type=int, help="with --robustness: random seed")
    p.set_defaults(func=_cmd_assess)

    s = sub.add_parser(
        "schema",
        help="print the JSON Schema of the case profile",
        description="Print the JSON Schema of the case profile (schema_version 1).",
    )
    s.add_argument(
        "--assessment", action="store_true", help="print the assessment's schema instead"
    )
    s.add_argument(
        "--version",
        type=int,
        choices=(1, 2),
        default=1,
        help="profile schema version: 1 (every field known) or 2 (unknowns and ranges)",
    )
    s.set_defaults(func=_cmd_schema)

    r = sub.add_parser(
        "presets",
        help="list the paper's cases, or print one as YAML",
        description="List the preset profiles built from the paper's section 4.2, or --show one.",
    )
    r.add_argument(
        "--show",
        metavar="NAME",
        help="print this preset as a YAML profile, the basis of each value as a comment",
    )
    add_lang_arg(r, "language of the comments (zh)")
    r.set_defaults(func=_cmd_presets)

    w = sub.add_parser(
        "whatif",
        help="compare a baseline with up to four variants (files or the paper's levers)",
        description=(
            "Assess BASELINE and each variant and print what moved: dependence and asymmetry "
            "deltas, co-production, diagnoses added or removed, actions added, dropped or "
            "re-ranked, and the fields changed. BASELINE is a file, '-' for stdin, or a preset "
            "name. Each --lever applies one of the paper's levers to the baseline as a variant."
        ),
        epilog="exit codes: 0 compared; 2 invalid input; 1 failure",
    )
    w.add_argument("baseline", metavar="BASELINE", help="a profile file, '-', or a preset name")
    w.add_argument("variants", nargs="*", metavar="VARIANT", help="variant profile files")
    w.add_argument(
        "--lever",
        action="append",
        default=[],
        metavar="NAME",
        choices=tuple(LEVERS),
        help="add the baseline with this lever applied as a variant (repeatable)",
    )
    w.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="change a field of the baseline (repeatable; all --set together make one variant), "
        "e.g. --set government.control=1",
    )
    w.add_argument(
        "--format",
        choices=("md", "json", "docx", "pdf"),
        default="md",
        help="output format (md); docx and pdf need -o FILE",
    )
    add_lang_arg(w, "language (zh)")
    add_output_arg(w)
    w.set_defaults(func=_cmd_whatif)
