"""Sending audit runs to the workers, without ever losing one.

A run is a database row first (queued) and a broker message second. The message is sent after
the commit; if the broker is down, the row stays queued with `dispatched_at` empty, and the
scheduler's next tick sends it again (`dispatch_pending`). Nothing the editor asked for is lost,
and the editor's request never waits on a dead broker for longer than its short timeouts.
"""

from __future__ import annotations

import contextlib
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from audits.models import AuditRun, RunState
from audits.net.config import NetConfig
from audits.pipeline import plan_service, run_time_bound

logger = logging.getLogger(__name__)

# Seconds the task's hard limit adds past its soft limit, to store what was found and fail the
# run cleanly before the worker process is killed.
HARD_LIMIT_MARGIN = 30


class BrokerUnavailable(Exception):
    """The message could not reach the broker; the run stays queued and will be re-sent."""


def time_limits(run: AuditRun, config: NetConfig | None = None) -> tuple[int, int]:
    """(soft, hard) seconds for the run's task, from the checks' own bounds (registry)."""
    bound = run_time_bound(plan_service(run.service), config or NetConfig.from_env())
    soft = int(bound) + settings.AUDIT_RUN_OVERHEAD_SECONDS
    return soft, soft + HARD_LIMIT_MARGIN


def dispatch(run: AuditRun) -> None:
    """Send the run's task now; raises BrokerUnavailable when the broker cannot be reached."""
    from audits.tasks import audit_run

    soft, hard = time_limits(run)
    try:
        result = audit_run.apply_async(
            args=[run.pk],
            soft_time_limit=soft,
            time_limit=hard,
            retry=False,  # fail fast: the row is the source of truth, the tick re-sends it
        )
    except (OperationalError, OSError) as exc:
        logger.warning("broker unavailable, audit run %s stays queued: %s", run.pk, exc)
        raise BrokerUnavailable(str(exc)) from exc
    # Whatever state the run is in by now: an idle worker may already have claimed it.
    AuditRun.objects.filter(pk=run.pk).update(dispatched_at=timezone.now(), task_id=result.id or "")


def dispatch_on_commit(run: AuditRun) -> None:
    def send() -> None:
        # Logged by dispatch; dispatch_pending sends it again on the scheduler's next tick.
        with contextlib.suppress(BrokerUnavailable):
            dispatch(run)

    transaction.on_commit(send)


def dispatch_pending() -> int:
    """Send every queued run whose message never reached the broker; returns how many."""
    sent = 0
    for run in AuditRun.objects.filter(state=RunState.QUEUED, dispatched_at__isnull=True):
        try:
            dispatch(run)
        except BrokerUnavailable:
            break  # still down: try again next tick
        sent += 1
    return sent
