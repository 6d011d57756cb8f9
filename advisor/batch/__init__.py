"""Batch assessment: one run over every volunteer force of a district, and a summary of it.

A batch reads case profiles from a JSONL file, a CSV file whose columns are the contract's dotted
field names, or a folder of profile files; assesses each one; and writes one JSONL record per
input record, in input order: the assessment, or an *error record*
``{"line", "source", "profile_id", "errors": [{"path", "message"}]}`` for a record that fails
validation (or that the engine refused). A record is an error record exactly when it has the key
``errors``. The run goes on after a bad record.

Throughput and memory: the input is streamed in chunks to worker processes (one engine each,
started with ``spawn``, or forked from a fork server that has loaded the knowledge base but no
engine (the command's default): durable-rules keeps C state that must not be forked); at most
``INFLIGHT_PER_WORKER`` chunks per worker are in flight, and finished chunks wait in a reorder
buffer until every earlier chunk is written, so memory stays flat however large the input.

Durability: output is written with ``os.write`` in whole lines only and flushed at least every
``FLUSH_SECONDS``; after Ctrl-C, ``kill`` or a crash the file holds complete records. ``resume``
truncates a partial last line (from a crash in mid-write), checks that the last record kept
belongs to the same input row, and continues from the next row without redoing or duplicating
any.

The summary (``OUT.summary.md`` and ``OUT.summary.html``) is aggregated from the records in
output order as they are written (and from the existing records on resume), so its counts are
those of the JSONL file.

Line numbers: JSONL, the physical line (blank lines are skipped and produce no record); CSV, the
physical line where the row starts (the header is line 1); folder, the file's position (1-based)
in name order, with the file path as ``source``.

The package, one module per step (each re-exported here, so ``from advisor.batch import X``
keeps working):

- ``common``: exit codes and the batch's errors;
- ``columns``: CSV columns (the contract's dotted field names), rows to and from profile data;
- ``inputs``: recognising an input (JSONL, CSV, XLSX, folder) and streaming its raw records;
- ``worker``: what a worker process does with a raw record (parse, assess, one JSONL line and a
  small digest);
- ``aggregate``: the running summary (``Summary``) built from digests in output order;
- ``progress``: the progress bar;
- ``output``: whole-line writes, recovering a cut output, guarding the output paths (resume);
- ``run``: ``run_batch``, the process pool with bounded in-flight work and the reorder buffer;
- ``warm``: what a fork server imports once for all the workers (the command's default);
- ``summary``: the summary report (Markdown and HTML templates, strings in the
  ``batch_summary`` namespace of ``advisor/templates/strings.yaml``).
"""

from advisor.batch.aggregate import (
    ATTENTION_TOP,
    FAILED_SHOWN,
    LEVEL_RANK,
    Summary,
    attention_key,
    digest_from_record,
)
from advisor.batch.columns import (
    CSV_COLUMNS,
    NULLABLE_COLUMNS,
    OPTIONAL_GROUPS,
    THIRD_PARTY_PREFIX,
    check_csv_header,
    data_to_row,
    row_to_data,
)
from advisor.batch.common import (
    EXIT_OK,
    EXIT_SOME_ROWS_FAILED,
    EXIT_UNUSABLE_INPUT,
    BatchInputError,
    BatchInterrupted,
)
from advisor.batch.inputs import (
    JSONL_SUFFIXES,
    PROFILE_SUFFIXES,
    InputSpec,
    RawRow,
    _BadText,
    _CsvError,
    _open_regular,
    _open_text,
    _profile_files,
    _read_csv,
    _read_jsonl,
    _TooLong,
    detect_input,
    read_rows,
)
from advisor.batch.output import (
    FLUSH_BYTES,
    FLUSH_SECONDS,
    LineWriter,
    _last_record,
    _row_matches,
    output_guard,
    recover_output,
    summary_paths,
)
from advisor.batch.progress import (
    Progress,
    _clock,
    count_rows,
)
from advisor.batch.run import (
    CHUNK_SIZE,
    INFLIGHT_PER_WORKER,
    BatchResult,
    _chunks,
    _run_pool,
    _Stop,
    _StopRequested,
    _terminate,
    run_batch,
)
from advisor.batch.summary import (
    ACTORS_SHOWN,
    ATTENTION_RULE,
    LEVEL_COLOURS,
    TOP_ACTIONS_PER_ACTOR,
    TOP_DIAGNOSES,
    UI,
    _bar,
    _fmt,
    _label,
    _md_cell,
    _stage_label,
    _ui_label,
    render_summary,
    summary_context,
)
from advisor.batch.worker import (
    _ENGINE,
    _LINE_BREAKS,
    CHUNK_RETRIES,
    ROW_SECONDS,
    Digest,
    ErrorDigest,
    _digest,
    _engine,
    _error_record,
    _id_of,
    _parse,
    _worker_init,
    assess_chunk,
    assess_row,
    jsonl_safe,
)

__all__ = [
    "ACTORS_SHOWN",
    "ATTENTION_RULE",
    "ATTENTION_TOP",
    "CHUNK_RETRIES",
    "CHUNK_SIZE",
    "CSV_COLUMNS",
    "EXIT_OK",
    "EXIT_SOME_ROWS_FAILED",
    "EXIT_UNUSABLE_INPUT",
    "FAILED_SHOWN",
    "FLUSH_BYTES",
    "FLUSH_SECONDS",
    "INFLIGHT_PER_WORKER",
    "JSONL_SUFFIXES",
    "LEVEL_COLOURS",
    "LEVEL_RANK",
    "NULLABLE_COLUMNS",
    "OPTIONAL_GROUPS",
    "PROFILE_SUFFIXES",
    "ROW_SECONDS",
    "THIRD_PARTY_PREFIX",
    "TOP_ACTIONS_PER_ACTOR",
    "TOP_DIAGNOSES",
    "UI",
    "_ENGINE",
    "_LINE_BREAKS",
    "BatchInputError",
    "BatchInterrupted",
    "BatchResult",
    "Digest",
    "ErrorDigest",
    "InputSpec",
    "LineWriter",
    "Progress",
    "RawRow",
    "Summary",
    "_BadText",
    "_CsvError",
    "_Stop",
    "_StopRequested",
    "_TooLong",
    "_bar",
    "_chunks",
    "_clock",
    "_digest",
    "_engine",
    "_error_record",
    "_fmt",
    "_id_of",
    "_label",
    "_last_record",
    "_md_cell",
    "_open_regular",
    "_open_text",
    "_parse",
    "_profile_files",
    "_read_csv",
    "_read_jsonl",
    "_row_matches",
    "_run_pool",
    "_stage_label",
    "_terminate",
    "_ui_label",
    "_worker_init",
    "assess_chunk",
    "assess_row",
    "attention_key",
    "check_csv_header",
    "count_rows",
    "data_to_row",
    "detect_input",
    "digest_from_record",
    "jsonl_safe",
    "output_guard",
    "read_rows",
    "recover_output",
    "render_summary",
    "row_to_data",
    "run_batch",
    "summary_context",
    "summary_paths",
]
