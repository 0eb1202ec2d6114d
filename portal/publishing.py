"""The editorial workflow shared by everything the public site shows.

Two kinds of subject move through review:

- an item with a workflow of its own (a service, a criterion) before it first goes public:
  draft -> in review -> published -> retired (-> draft again);
- a pending revision of content that is already live (portal/models.py Revision):
  draft -> in review -> published, or discarded.

Editors write and submit; publishers publish, send back and retire. With the four-eyes rule
(`REVIEW_FOUR_EYES`, on by default) nobody publishes what they submitted themselves. The rules
live here, in two tables checked by one function, so the admin, the seed loader and the tests all
go through the same gate.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PublicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    needs_publish_permission: bool
    # The four-eyes rule: the one who submitted may not be the one who publishes.
    needs_second_person: bool = False
    # Only the revision's author or a publisher (discarding someone else's work is a decision).
    author_or_publisher: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "submit",
            _("Submit for review"),
            frozenset({PublicationState.DRAFT}),
            PublicationState.IN_REVIEW,
            needs_publish_permission=False,
        ),
        Transition(
            "withdraw",
            _("Return to draft"),
            frozenset({PublicationState.IN_REVIEW}),
            PublicationState.DRAFT,
            needs_publish_permission=False,
        ),
        Transition(
            "publish",
            _("Publish"),
            frozenset({PublicationState.IN_REVIEW}),
            PublicationState.PUBLISHED,
            needs_publish_permission=True,
            needs_second_person=True,
        ),
        Transition(
            "retire",
            _("Retire"),
            frozenset({PublicationState.PUBLISHED}),
            PublicationState.RETIRED,
            needs_publish_permission=True,
        ),
        # Only retired content is reopened: a published item stays live while a revision of
        # it is reviewed (portal/review.py), so no edit ever needs to take it offline.
        Transition(
            "reopen",
            _("Reopen as draft"),
            frozenset({PublicationState.RETIRED}),
            PublicationState.DRAFT,
            needs_publish_permission=True,
        ),
    )
}

# The same words for a pending revision of live content. Its states are RevisionState's values.
REVISION_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "submit",
            _("Submit changes for review"),
            frozenset({"draft"}),
            "in_review",
            needs_publish_permission=False,
        ),
        Transition(
            "withdraw",
            _("Return changes to draft"),
            frozenset({"in_review"}),
            "draft",
            needs_publish_permission=False,
        ),
        Transition(
            "publish",
            _("Publish changes"),
            frozenset({"in_review"}),
            "published",
            needs_publish_permission=True,
            needs_second_person=True,
        ),
        Transition(
            "discard",
            _("Discard changes"),
            frozenset({"draft", "in_review"}),
            "discarded",
            needs_publish_permission=False,
            author_or_publisher=True,
        ),
    )
}


class TransitionNotAllowed(PermissionDenied):
    """Raised when a user may not move an object, or the object is not in a state that allows it."""


class PublishableQuerySet(models.QuerySet):
    def published(self) -> PublishableQuerySet:
        return self.filter(state=PublicationState.PUBLISHED)

    def drafts(self) -> PublishableQuerySet:
        return self.filter(state=PublicationState.DRAFT)

    def in_review(self) -> PublishableQuerySet:
        return self.filter(state=PublicationState.IN_REVIEW)

    def retired(self) -> PublishableQuerySet:
        return self.filter(state=PublicationState.RETIRED)


class Publishable(models.Model):
    """Abstract base: a publication state with who moved it last, and when it was published."""

    state = models.CharField(
        _("publication state"),
        max_length=16,
        choices=PublicationState.choices,
        default=PublicationState.DRAFT,
        db_index=True,
    )
    state_changed_at = models.DateTimeField(_("state changed at"), null=True, blank=True)
    state_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("state changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.state == PublicationState.PUBLISHED


User = AbstractBaseUser | AnonymousUser


def publish_permission(model: type[models.Model]) -> str:
    """The permission that publishes `model`: its own (`providers.publish_service`) when it has a
    workflow of its own, else the one for all other content (`portal.publish_revision`)."""
    codename = f"publish_{model._meta.model_name}"
    if any(name == codename for name, _label in model._meta.permissions):
        return f"{model._meta.app_label}.{codename}"
    return "portal.publish_revision"


def four_eyes() -> bool:
    return bool(getattr(settings, "REVIEW_FOUR_EYES", True))


def refusal(
    transition: Transition,
    user: User | None,
    model: type[models.Model],
    state: str,
    *,
    submitted_by_id: int | None = None,
    author_id: int | None = None,
) -> str | None:
    """Why `user` may not make `transition` from `state`, or None when they may.

    The one gate for both tables; `user=None` is the system (the seed loader).
    """
    if state not in transition.sources:
        return f"{transition.name} is not possible from {state}."
    if user is None:
        return None
    publisher = can_publish(user, model)
    if transition.needs_publish_permission and not publisher:
        return f"Only publishers may {transition.name} this."
    if transition.author_or_publisher and not publisher and getattr(user, "pk", None) != author_id:
        return f"Only its author or a publisher may {transition.name} this."
    if (
        transition.needs_second_person
        and four_eyes()
        and submitted_by_id is not None
        and submitted_by_id == getattr(user, "pk", None)
    ):
        return "Four-eyes rule: someone other than who submitted it must publish it."
    return None


def can_publish(user: User, model: type[models.Model]) -> bool:
    return bool(user.is_active and user.has_perm(publish_permission(model)))


def _submitter_id(obj: Publishable) -> int | None:
    # An item in review was put there by whoever changed its state last.
    return obj.state_changed_by_id if obj.state == PublicationState.IN_REVIEW else None  # type: ignore[attr-defined]


def allowed_transitions(user: User, obj: Publishable) -> list[Transition]:
    return [
        t
        for t in TRANSITIONS.values()
        if refusal(t, user, type(obj), obj.state, submitted_by_id=_submitter_id(obj)) is None
    ]


def apply_transition(obj: Publishable, name: str, user: User | None) -> None:
    """Move `obj` along the workflow and save it; `user=None` is the system (the seed loader).

    Raises TransitionNotAllowed when the state does not allow it or the user lacks the permission,
    whatever the caller's interface showed.
    """
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise TransitionNotAllowed(f"Unknown transition {name!r}.")
    reason = refusal(transition, user, type(obj), obj.state, submitted_by_id=_submitter_id(obj))
    if reason is not None:
        raise TransitionNotAllowed(f"{obj}: {reason}")
    now = timezone.now()
    actor = user if user is not None and user.is_authenticated else None
    obj.state = transition.target
    obj.state_changed_at = now
    obj.state_changed_by = actor
    update_fields = ["state", "state_changed_at", "state_changed_by"]
    if transition.target == PublicationState.PUBLISHED:
        obj.published_at = now
        obj.published_by = actor
        update_fields += ["published_at", "published_by"]
    obj.save(update_fields=update_fields)
    if transition.target == PublicationState.PUBLISHED:
        # Imported here, not at the top: the apps' models import this module (Publishable),
        # and translation_state imports models of its own.
        from .translation_state import review_published_item

        # Publishing an item is reviewing all of it, its translations included.
        review_published_item(obj, actor)
