"""Memoised assessment for the trainer tools, which assess many near-identical profiles.

A sweep, a tornado and a search revisit the same profile often (the baseline value of every
field is the baseline itself). Assessments are pure functions of the profile and the knowledge
base, so they are memoised by the profile's canonical JSON within one process.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict

from advisor.models import Assessment, CaseProfile

_CACHE: OrderedDict[str, Assessment] = OrderedDict()
_LOCK = threading.Lock()  # the web UI runs each rerun on its own thread
_CACHE_SIZE = 1024  # ~55 kB an assessment: about 55 MB at most; a tornado needs ~200


def profile_key(profile: CaseProfile) -> str:
    """The canonical JSON of a profile: equal profiles have equal keys."""
    return json.dumps(profile.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)


def assess_cached(profile: CaseProfile) -> Assessment:
    """Assess a profile through ``advisor.pipeline.assess``, memoised (raises what it raises)."""
    from advisor.pipeline import assess  # imported late: the CLI must load without the engine

    key = profile_key(profile)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    result = assess(profile)  # outside the lock: the pipeline is safe across threads
    with _LOCK:
        _CACHE[key] = result
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result


def clear_cache() -> None:
    """Forget every memoised assessment (after the knowledge base changed)."""
    with _LOCK:
        _CACHE.clear()
