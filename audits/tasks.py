"""Celery tasks: thin wrappers over audits.pipeline, audits.schedule and audits.retention.

Every task takes ids (JSON), is safe to deliver twice, and leaves the database in a state the
sweeper understands if its worker dies. Retries happen only for transient infrastructure errors
(the database); a check's own failure is a result, not an exception.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError, InterfaceError, OperationalError

from audits import pipeline, retention, schedule
from audits.models import AuditRun, RunState
from audits.net.config import NetConfig

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
)
def audit_run(self, run_id: int) -> str:  # type: ignore[no-untyped-def]
    """Run audit run `run_id`; a run that is not queued (or abandoned) is left alone."""
    config = NetConfig.from_env()
    soft_limit = self.request.timelimit[1] if self.request.timelimit else None
    lease = float(soft_limit or 3600) + 60
    run = pipeline.claim(run_id, lease_seconds=lease)
    if run is None:
        return "skipped"
    try:
        run = pipeline.execute(run, config)
    except SoftTimeLimitExceeded:
        pipeline.fail_run(
            run_id, "The run exceeded its time limit.", from_states=(RunState.RUNNING,)
        )
        return "failed"
    except TRANSIENT:
        # Give the run back so the retry can claim it again.
        pipeline.release(run_id)
        raise
    except DatabaseError as exc:
        if not AuditRun.objects.filter(pk=run_id).exists():
            return "gone"  # its service was deleted meanwhile: nothing to finish
        pipeline.fail_run(run_id, f"Database error: {exc}", from_states=(RunState.RUNNING,))
        raise
    except Exception as exc:
        logger.exception("audit run %s crashed", run_id)
        pipeline.fail_run(run_id, f"{type(exc).__name__}: {exc}", from_states=(RunState.RUNNING,))
        return "failed"
    return run.state


@shared_task(acks_late=True)
def enqueue_due_audits() -> int:
    return schedule.enqueue_due()


@shared_task(acks_late=True)
def sweep_stuck_audits() -> dict[str, int]:
    swept = schedule.sweep_stuck()
    return {"failed": swept.failed, "requeued": swept.requeued}


@shared_task(acks_late=True)
def prune_audits() -> int:
    return retention.prune()
