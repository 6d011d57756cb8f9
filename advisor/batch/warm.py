"""What a ``forkserver`` imports once for all the batch's workers (``set_forkserver_preload``).

The fork server imports the pipeline and loads the knowledge base (plain data); each worker is
forked from it with both in memory, so it only builds its own ruleset (durable-rules keeps C
state that must not be forked: nothing here touches the engine).
"""

from __future__ import annotations

import advisor.batch.worker
import advisor.office.lean
import advisor.pipeline
import advisor.uncertain_assess  # noqa: F401  (version 2 profiles)
from knowledge_base.loader import load_kb

load_kb()
