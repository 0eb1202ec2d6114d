"""From a service to stored results: plan, claim, run, store, and finish an audit run.

Plain functions over the ORM, called by the thin Celery tasks (audits/tasks.py), the admin and the
tests; none of them needs Celery. The network work is `audits.runner.run_audit`; this module only
decides what to audit and keeps the books.

A run moves queued -> running -> done | failed | cancelled. Every step is an atomic update that
names the state it expects, so a task delivered twice, a sweeper and a worker never act on the
same run at once.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation

from audits.checks.result import CheckResult, CheckStatus
from audits.models import AuditResult, AuditRun, RunState
from audits.net.config import NetConfig
from audits.registry import audit_bound, checks_for_role
from audits.runner import AuditTarget, run_audit
from portal.cache import batched_invalidation
from providers.models import Service, ServiceDomain

logger = logging.getLogger(__name__)

# Longest stored target (a per-host check names all its hosts, comma-separated).
MAX_TARGET = 2000


# --- What to audit --------------------------------------------------------------------------


@dataclass(frozen=True)
class DomainPlan:
    """One of a service's domains, with the checks its role calls for."""

    name: str
    role: str
    target: AuditTarget
    checks: tuple[str, ...]


def plan_service(service: Service) -> list[DomainPlan]:
    """The service's audited domains, each with its role's checks (registry), in a fixed order.

    A name listed under two roles (a mail domain that is also the web host) gets each check once:
    the second role only adds the checks the first did not run, so no result is stored twice.
    """
    domains = (
        ServiceDomain.objects.filter(service=service, audit_enabled=True)
        .order_by("role", "name")
        .only("name", "role", "dkim_selectors", "wkd_address")
    )
    planned: dict[str, set[str]] = {}
    plans = []
    for domain in domains:
        done = planned.setdefault(domain.name, set())
        checks = tuple(key for key in checks_for_role(domain.role) if key not in done)
        if not checks:
            continue
        done.update(checks)
        target = AuditTarget(
            domain=domain.name,
            web_host=domain.name if domain.role == ServiceDomain.Role.WEB else None,
            submission_host=domain.name if domain.role == ServiceDomain.Role.SUBMISSION else None,
            dkim_selectors=tuple(domain.selector_list),
            wkd_address=domain.wkd_address or None,
        )
        plans.append(DomainPlan(domain.name, domain.role, target, checks))
    return _discover_submission_if_none_given(plans)


def _discover_submission_if_none_given(plans: list[DomainPlan]) -> list[DomainPlan]:
    """Without a submission host of its own, a service's submission service is found the way
    mail clients find it (RFC 6186 SRV records, then conventional names) from its mail domain."""
    if any("smtps_submission" in plan.checks for plan in plans):
        return plans
    for index, plan in enumerate(plans):
        if plan.role == ServiceDomain.Role.MAIL:
            plans[index] = replace(plan, checks=(*plan.checks, "smtps_submission"))
            break
    return plans


def run_time_bound(plans: list[DomainPlan], config: NetConfig) -> float:
    """Seconds a whole run may take: its domains are audited one after the other."""
    return sum(audit_bound(plan.checks, config) for plan in plans)


# --- Requesting a run -----------------------------------------------------------------------


def request_run(
    service: Service,
    trigger: str,
    user: object | None = None,
    retry_of: AuditRun | None = None,
    send: bool = True,
) -> tuple[AuditRun, bool]:
    """A queued run for `service`, and whether it is new.

    When the service already has a queued or running run, that one is returned instead: the
    database's partial unique constraint makes a second active run impossible, even for two
    schedulers racing each other. The task is sent after the commit (audits.dispatch), unless
    `send` is false (the caller runs it itself).
    """
    from audits.dispatch import dispatch_on_commit

    existing = AuditRun.objects.active().filter(service=service).first()
    if existing is not None:
        return existing, False
    try:
        # A queued run changes nothing a visitor sees: no page invalidation.
        with batched_invalidation(quiet=True), transaction.atomic():
            run = AuditRun.objects.create(
                service=service,
                trigger=trigger,
                requested_by=user if getattr(user, "is_authenticated", False) else None,
                retry_of=retry_of,
            )
    except IntegrityError:
        # Another process queued one between our check and our insert.
        return AuditRun.objects.active().get(service=service), False
    if send:
        dispatch_on_commit(run)
    return run, True


# --- Claiming and running -------------------------------------------------------------------


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _process_is_gone(identity: str) -> bool:
    """True when `identity` ("host:pid") is a process of THIS host that no longer exists."""
    host, _sep, pid = identity.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's worker: only its lease can tell
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def claim(run_id: int, lease_seconds: float, identity: str | None = None) -> AuditRun | None:
    """Take run `run_id` for this process, or None when it is not ours to run.

    A queued run is claimed with one atomic update (queued -> running). A running run is taken
    over only when the process that claimed it is gone (a worker killed mid-run, whose task was
    re-delivered) or its lease has run out. Finished and cancelled runs are never touched.
    """
    identity = identity or worker_identity()
    now = timezone.now()
    lease = now + timedelta(seconds=lease_seconds)
    fields = {"claimed_by": identity, "lease_until": lease}
    taken = AuditRun.objects.filter(pk=run_id, state=RunState.QUEUED).update(
        state=RunState.RUNNING, started_at=now, **fields
    )
    if not taken:
        run = AuditRun.objects.filter(pk=run_id, state=RunState.RUNNING).first()
        if run is None or not (_process_is_gone(run.claimed_by) or run.lease_until < now):
            return None
        # Take it over only if nobody else did meanwhile (same claimant, same lease).
        taken = AuditRun.objects.filter(
            pk=run_id,
            state=RunState.RUNNING,
            claimed_by=run.claimed_by,
            lease_until=run.lease_until,
        ).update(**fields)
        if not taken:
            return None
        logger.warning("audit run %s taken over from %s", run_id, run.claimed_by)
    AuditRun.objects.filter(pk=run_id).update(attempts=F("attempts") + 1)
    return AuditRun.objects.select_related("service").get(pk=run_id)


Progress = Callable[[DomainPlan], None]


def execute(run: AuditRun, config: NetConfig, progress: Progress | None = None) -> AuditRun:
    """Audit every planned domain of a claimed run and finish it.

    Each domain's results are stored in one transaction, so a run resumed after its worker died
    skips the domains already stored and never stores a result twice.
    """
    plans = plan_service(run.service)
    # Without `order_by()` the default ordering's columns join the DISTINCT: one row per result.
    stored = set(run.results.order_by().values_list("domain", flat=True).distinct())
    for plan in plans:
        if plan.name in stored:
            continue
        if progress is not None:
            progress(plan)
        report = run_audit(plan.target, config, only=plan.checks)
        store_results(run, plan, report.results)
    from audits.finish import finish_run

    return finish_run(run)


def store_results(run: AuditRun, plan: DomainPlan, results: tuple[CheckResult, ...]) -> None:
    now = timezone.now()
    rows = [
        AuditResult(
            run=run,
            domain=plan.name,
            role=plan.role,
            check_key=result.check,
            target=(result.target or plan.name)[:MAX_TARGET],
            status=CheckStatus(result.status).value,
            message=source_text(result.summary),
            details=result.details,
            duration_ms=round(result.duration_ms, 1),
            checked_at=now,
        )
        for result in results
    ]
    with transaction.atomic():
        # A re-delivered task may have stored part of this domain before it died.
        AuditResult.objects.filter(run=run, domain=plan.name).delete()
        AuditResult.objects.bulk_create(rows)


def source_text(summary: object) -> str:
    """The summary's English source text (its msgid), whatever language is active."""
    with translation.override(None):
        return str(summary)


def fail_run(run_id: int, reason: str, *, from_states: tuple[str, ...]) -> bool:
    """Mark a run failed with a reason, if it is still in one of `from_states`."""
    return bool(
        AuditRun.objects.filter(pk=run_id, state__in=from_states).update(
            state=RunState.FAILED, finished_at=timezone.now(), error=reason[:2000]
        )
    )


def cancel_run(run_id: int) -> bool:
    return bool(
        AuditRun.objects.filter(pk=run_id, state__in=[RunState.QUEUED, RunState.RUNNING]).update(
            state=RunState.CANCELLED, finished_at=timezone.now()
        )
    )


def release(run_id: int) -> None:
    """Give a running run back to the queue (its task will be retried)."""
    AuditRun.objects.filter(pk=run_id, state=RunState.RUNNING).update(
        state=RunState.QUEUED, claimed_by="", lease_until=None
    )
