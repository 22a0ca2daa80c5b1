"""Run independent FHIR calls in parallel, all bounded by one deadline."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

from cds_service.fhir.client import Deadline, FhirError, FhirTimeout
from cds_service.ops import tracing

# How long past the deadline to wait for a call that is already finishing before giving up on it.
GRACE_SECONDS = 0.2


def run_all(
    jobs: Mapping[str, Callable[[], dict[str, Any]]], deadline: Deadline, max_workers: int
) -> dict[str, dict[str, Any] | FhirError]:
    """Run each job in a bounded pool; return key -> result, or the FhirError that stopped it.

    The call returns by ``deadline`` + ``GRACE_SECONDS`` whatever the jobs do: a job still running
    then counts as timed out and is abandoned (its socket timeouts end it soon after).
    Exceptions other than FhirError are bugs and are re-raised.
    """
    if not jobs:
        return {}
    pool = ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(jobs))))
    # carry: a job's FHIR spans are children of the caller's span, not roots of new traces
    futures = {pool.submit(tracing.carry(job)): key for key, job in jobs.items()}
    try:
        done, _ = wait(futures, timeout=deadline.remaining() + GRACE_SECONDS)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    results: dict[str, dict[str, Any] | FhirError] = {}
    for future, key in futures.items():
        if future not in done:
            results[key] = FhirTimeout("deadline expired")
            continue
        error = future.exception()
        if error is None:
            results[key] = future.result()
        elif isinstance(error, FhirError):
            results[key] = error
        else:
            raise error
    return results
