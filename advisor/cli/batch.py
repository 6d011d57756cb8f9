"""``advisor batch`` (a district-wide run) and ``advisor synth`` (synthetic profiles).

Exit codes of ``advisor batch``: 0 every record was assessed; 3 some records failed (their error
records are in the output and listed in the summary); 2 the input cannot be used (missing file,
unknown format, a CSV header naming unknown or too few columns, an output that does not belong
to the input on ``--resume``, an output that is the input, a link, a FIFO or a device); 1 the
engine could not start, or the output could not be written (disk full, read-only folder: the
output then holds whole records only, continue with ``--resume``); 130 interrupted (the output holds
complete records only: run again with ``--resume``).
"""

from __future__ import annotations

import argparse
import os
import sys

from advisor.batch import (
    EXIT_UNUSABLE_INPUT,
    BatchInputError,
    BatchInterrupted,
    run_batch,
)
from advisor.office.results import RESULT_FORMATS
from advisor.safefile import OutputError

EXIT_INTERRUPTED = 130
EXIT_FAILURE = 1


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``batch`` and ``synth`` commands."""
    p = sub.add_parser(
        "batch",
        help="assess every profile of a JSONL file, CSV file or folder; write JSONL + summary",
        description=(
            "Assess every case profile of INPUT (a .jsonl file, a .csv file whose columns are "
            "the contract's dotted field names, an Excel workbook made from `advisor template` "
            "(.xlsx), or a folder of .json/.yaml profiles) and write "
            "one JSONL record per input record, in input order, to OUT, plus OUT.summary.md and "
            "OUT.summary.html. A record that fails validation becomes an error record "
            '{"line", "source", "profile_id", "errors"} and the run goes on.'
        ),
        epilog=(
            "exit codes: 0 all records assessed; 3 some records failed; 2 unusable input; "
            "1 the engine could not start, or the output could not be written (disk full...); "
            "130 interrupted (use --resume)"
        ),
    )
    p.add_argument("input", metavar="INPUT", help="a .jsonl, .csv or .xlsx file, or a folder")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="the JSONL output")
    p.add_argument(
        "--workers",
        type=_positive,
        default=None,
        metavar="N",
        help=f"worker processes, one engine each (default: the number of cores, {os.cpu_count()})",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted run: keep OUT's complete records, assess the rest",
    )
    p.add_argument(
        "--summary-lang",
        choices=("zh", "en"),
        default="zh",
        help="language of the summary report (default: zh)",
    )
    p.add_argument(
        "--detail",
        choices=("compact", "full"),
        default="compact",
        help="compact (default): the figures, ids with severities, ranks, priorities and actors, "
        "and the versions that resolve every id (about 1 kB a case); full: whole assessments",
    )
    p.add_argument(
        "--format",
        choices=("jsonl", *RESULT_FORMATS),
        default=None,
        help="jsonl: the records in OUT; xlsx, csv or parquet: one row per case in OUT with the "
        "key figures and the top three actions in words, and the records in OUT.jsonl "
        "(default: from OUT's extension, else jsonl)",
    )
    p.add_argument(
        "--summary-format",
        action="append",
        choices=("docx", "pdf"),
        default=[],
        help="also write the summary as OUT.summary.docx or OUT.summary.pdf (repeatable)",
    )
    p.add_argument(
        "--chunk-size", type=_positive, default=None, help=argparse.SUPPRESS
    )  # tuning knob for the benchmark
    p.add_argument(  # forkserver: the workers are forked from one process that has imported
        # the pipeline and loaded the knowledge base, so each starts ~0.4 s of CPU sooner
        "--start-method",
        choices=("spawn", "forkserver"),
        default="forkserver",
        help=argparse.SUPPRESS,
    )
    p.add_argument(  # issue 12
        "--robustness",
        type=_positive,
        default=None,
        metavar="WORLDS",
        help="also check how robust each case's advice is, with WORLDS sampled plausible "
        "worlds per case (our parameters within their plausible ranges, the case's unknowns and "
        "ranges within theirs; seeded): each record gets its robustness and the summary counts "
        "the cases whose top action is fragile. Off by default: it multiplies the time per case "
        "(100 worlds: roughly 100 evaluations). Unknowns and ranges (schema_version 2; in CSV an "
        "empty cell, 0.2-0.4, 2|3) are accepted in JSONL and CSV with or without it",
    )
    p.set_defaults(func=_run_batch)

    s = sub.add_parser(
        "synth",
        help="generate realistic synthetic case profiles (JSONL, or CSV by extension)",
        description=(
            "Write N synthetic case profiles, deterministic for a seed, correlated the way the "
            "paper describes (see advisor/synth.py for the mixture weights, an "
            "operationalisation). FILE ending in .csv gives CSV with dotted column names; "
            "anything else JSONL; '-' writes JSONL to stdout."
        ),
    )
    s.add_argument("n", metavar="N", type=_count, help="how many profiles")
    s.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    s.add_argument("-o", "--output", default="-", metavar="FILE", help="output file (default -)")
    s.set_defaults(func=_run_synth)


def _results_format(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    suffix = os.path.splitext(args.output)[1].lower().lstrip(".")
    return suffix if suffix in RESULT_FORMATS else "jsonl"


def _run_batch(args: argparse.Namespace) -> int:
    import os

    from advisor.batch import CHUNK_SIZE
    from advisor.uncertain_assess import BATCH_ROBUSTNESS_ENV

    if getattr(args, "robustness", None):  # read by the workers, which inherit the environment
        os.environ[BATCH_ROBUSTNESS_ENV] = str(args.robustness)

    fmt = _results_format(args)
    table = args.output if fmt != "jsonl" else None
    records = args.output + ".jsonl" if table else args.output
    try:
        result = run_batch(
            args.input,
            records,
            workers=args.workers,
            resume=args.resume,
            lang=args.summary_lang,
            chunk_size=args.chunk_size or CHUNK_SIZE,
            start_method=args.start_method,
            detail=args.detail,
        )
    except BatchInputError as exc:
        print(f"advisor batch: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE_INPUT
    except BatchInterrupted as exc:
        print(f"advisor batch: {exc}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OutputError as exc:  # a full disk, a read-only folder: whole records only are kept
        print(f"advisor batch: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    marked = _mark_workbook(args, result)
    if table:
        from advisor.office.results import write_results

        try:
            write_results(records, table, fmt, args.summary_lang)
        except OSError as exc:
            print(f"advisor batch: cannot write {table}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        marked = f"\n  {table}" + marked
    for doc_fmt in args.summary_format:
        from advisor.office.documents import batch_document, write_document

        meta = {"input": str(args.input), "output": records}
        target = f"{records}.summary.{doc_fmt}"
        write_document(batch_document(result.summary, args.summary_lang, meta), doc_fmt, target)
        marked += f"\n  {target}"
    resumed = f" (resumed after {result.resumed_from:,})" if result.resumed_from else ""
    print(
        f"advisor batch: {result.total:,} records{resumed}: {result.assessed:,} assessed, "
        f"{result.failed:,} failed, in {result.seconds:.1f} s\n"
        f"  {result.out}\n  {result.summary_md}\n  {result.summary_html}{marked}",
        file=sys.stderr,
    )
    if len(result.summary.versions) > 1:
        print(
            "advisor batch: warning: the output mixes engine or knowledge base versions "
            "(see the summary); run again without --resume for consistent results",
            file=sys.stderr,
        )
    return result.exit_code


def _mark_workbook(args: argparse.Namespace, result: object) -> str:
    """For an Excel input with failed rows: the copy with the problems marked (its line)."""
    if not str(args.input).lower().endswith(".xlsx") or not getattr(result, "failed", 0):
        return ""
    from advisor.office.xlsx_in import mark_problems, marked_copy_path

    target = marked_copy_path(args.output)
    try:
        rows = mark_problems(args.input, target, args.summary_lang)
    except OSError as exc:
        print(f"advisor batch: cannot write {target}: {exc.strerror or exc}", file=sys.stderr)
        return ""
    what = "行有问题，已在副本中标出" if args.summary_lang == "zh" else "rows with problems marked"
    return f"\n  {target} ({rows:,} {what})"


def _run_synth(args: argparse.Namespace) -> int:
    from advisor.synth import write_file

    out = args.output
    if out != "-" and os.path.dirname(out) and not os.path.isdir(os.path.dirname(out)):
        print(f"advisor synth: {out}: the folder does not exist", file=sys.stderr)
        return EXIT_UNUSABLE_INPUT
    n = write_file(args.n, args.seed, out)
    if out != "-":
        print(f"advisor synth: {n:,} profiles (seed {args.seed}) -> {out}", file=sys.stderr)
    return 0
