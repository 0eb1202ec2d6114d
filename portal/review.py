"""Pending revisions of live content: record them, move them through review, publish them.

Content is *live* when visitors can see it: a published service or criterion, and anything
without a workflow of its own (a page text, a feature, an assessment of a published service ...).
Changing live content never touches its rows: the change is recorded as the object's one open
revision (portal/models.py), reviewed, and applied by `publish` in one transaction that writes one
history record. Content that is not live yet (a draft) is edited in place and goes through its own
workflow (portal/publishing.py).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import translation_state
from .cache import batched_invalidation
from .models import Revision, RevisionState
from .publishing import (
    REVISION_TRANSITIONS,
    PublicationState,
    Publishable,
    TransitionNotAllowed,
    User,
    apply_transition,
    refusal,
)
from .snapshots import Payload, apply_snapshot, snapshot_as_of


def is_live(obj: models.Model) -> bool:
    """Whether visitors see `obj` now, so that a change to it needs a revision.

    A model without a workflow of its own may narrow this with `is_live_content` (an assessment
    is live only while its service is published)."""
    if isinstance(obj, Publishable):
        return obj.state == PublicationState.PUBLISHED
    own_rule = getattr(obj, "is_live_content", None)
    return True if own_rule is None else bool(own_rule)


def open_revision(obj: models.Model) -> Revision | None:
    return Revision.objects.open().of(obj).first()


def record_revision(obj: models.Model, payload: Payload, user: User, note: str = "") -> Revision:
    """Store `payload` as the object's open revision, creating it if there is none.

    A change to a revision in review sends it back to draft: what a publisher reviews is exactly
    what was submitted, and whoever changed it last must submit it again.
    """
    from django.contrib.contenttypes.models import ContentType

    revision = open_revision(obj)
    if revision is None:
        revision = Revision(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            object_id=obj.pk,
            created_by=user,
        )
    elif same_content(revision.payload, payload):
        return revision
    if revision.state == RevisionState.IN_REVIEW:
        revision.state = RevisionState.DRAFT
        revision.submitted_at = revision.submitted_by = None  # type: ignore[assignment]
    revision.payload = payload
    revision.edited_by = user  # type: ignore[assignment]
    if note:
        revision.note = note[:300]
    revision.save()
    return revision


def same_content(one: Payload, other: Payload) -> bool:
    """Compared as they read back from the JSON column, so a date and its text form agree."""
    return _as_stored(one) == _as_stored(other)


def _as_stored(payload: Payload) -> Payload:
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


def revision_refusal(revision: Revision, name: str, user: User | None) -> str | None:
    transition = REVISION_TRANSITIONS.get(name)
    if transition is None:
        return f"Unknown transition {name!r}."
    return refusal(
        transition,
        user,
        revision.target_model(),
        revision.state,
        submitted_by_id=revision.submitted_by_id,  # type: ignore[attr-defined]
        author_id=revision.created_by_id,  # type: ignore[attr-defined]
    )


def allowed_revision_transitions(user: User, revision: Revision) -> list[str]:
    return [name for name in REVISION_TRANSITIONS if revision_refusal(revision, name, user) is None]


@transaction.atomic
def move_revision(revision: Revision, name: str, user: User) -> None:
    """Make transition `name` on the revision, checking the rules whatever the interface offered."""
    revision = Revision.objects.select_for_update().get(pk=revision.pk)
    reason = revision_refusal(revision, name, user)
    if reason is not None:
        raise TransitionNotAllowed(reason)
    now = timezone.now()
    if name == "publish":
        _publish(revision, user, now)
    revision.state = REVISION_TRANSITIONS[name].target
    if name == "submit":
        revision.submitted_at, revision.submitted_by = now, user  # type: ignore[assignment]
    elif name == "withdraw":
        revision.submitted_at = revision.submitted_by = None  # type: ignore[assignment]
    else:
        revision.decided_at, revision.decided_by = now, user  # type: ignore[assignment]
    revision.save()


def _publish(revision: Revision, user: User, now: Any) -> None:
    model = revision.target_model()
    live = model._default_manager.select_for_update().filter(pk=revision.object_id).first()
    if live is None:
        raise TransitionNotAllowed(_("The content this revision changes no longer exists."))
    if isinstance(live, Publishable):
        live.published_at, live.published_by = now, user  # type: ignore[assignment]
    submitter = revision.submitted_by
    reason = _("Published revision #%(number)s, submitted by %(submitter)s") % {
        "number": revision.pk,
        "submitter": submitter.get_username() if submitter else "?",
    }
    before = translation_state.texts_of(live)
    with batched_invalidation():  # one invalidation of the public pages for all the rows
        apply_snapshot(live, revision.payload, actor=user, reason=reason)
        # The publisher is the reviewer of the translations the revision changed.
        translation_state.review_published_item(live, user, before)


@transaction.atomic
def restore_version(record: Any, user: User) -> Revision | None:
    """Bring back the version a historical record holds, with every language and every part.

    Live content gets a pending revision (nothing changes for visitors until it is published);
    content that is not live is changed in place. The workflow state is never restored: it
    belongs to the present, not to the version.
    """
    live = record.instance_type._default_manager.select_for_update().get(pk=record.id)
    payload = snapshot_as_of(record)
    when = date_format(timezone.localtime(record.history_date), "DATETIME_FORMAT")
    note = _("Restores the version of %(when)s.") % {"when": when}
    if is_live(live):
        return record_revision(live, payload, user, note=note)
    apply_snapshot(live, payload, actor=user, reason=note)
    if isinstance(live, Publishable) and live.state == PublicationState.IN_REVIEW:
        # What was submitted has changed: it goes back to its author's desk.
        apply_transition(live, "withdraw", user)
    return None


@receiver(post_delete)
def _discard_revisions_of_deleted_content(sender: type[models.Model], **kwargs: Any) -> None:
    """A revision of content a publisher deleted can never be published: close it, so the
    review queue does not offer it."""
    # Curated content keeps a history; machine output (audit rows, deleted by the thousand by
    # the retention job) does not, and needs no query here.
    if sender._meta.app_label not in settings.PUBLIC_CONTENT_APPS or not hasattr(sender, "history"):
        return
    from django.contrib.contenttypes.models import ContentType

    instance = kwargs["instance"]
    Revision.objects.open().filter(
        content_type=ContentType.objects.get_for_model(sender, for_concrete_model=False),
        object_id=instance.pk,
    ).update(state=RevisionState.DISCARDED, decided_at=timezone.now())
