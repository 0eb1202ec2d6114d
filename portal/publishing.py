"""The editorial workflow shared by everything the public site shows.

draft -> in review -> published -> retired. Editors write and submit; publishers approve, publish,
send back and retire. The rules live here, in one table, so the admin, the seed loader and the tests
all go through the same gate.
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


# States whose content the public sees (or saw): only publishers may change them, so an edit
# never reaches visitors without review.
LOCKED_STATES = frozenset({PublicationState.PUBLISHED, PublicationState.RETIRED})


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    needs_publish_permission: bool


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
        ),
        Transition(
            "retire",
            _("Retire"),
            frozenset({PublicationState.PUBLISHED}),
            PublicationState.RETIRED,
            needs_publish_permission=True,
        ),
        Transition(
            "reopen",
            _("Reopen as draft"),
            frozenset({PublicationState.PUBLISHED, PublicationState.RETIRED}),
            PublicationState.DRAFT,
            needs_publish_permission=True,
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
    """The permission codename a model declares for publishing, e.g. `providers.publish_service`."""
    return f"{model._meta.app_label}.publish_{model._meta.model_name}"


def can_publish(user: User, model: type[models.Model]) -> bool:
    return bool(user.is_active and user.has_perm(publish_permission(model)))


def can_edit(user: User, obj: Publishable) -> bool:
    """Editors change drafts and items in review; published or retired content needs a publisher."""
    return obj.state not in LOCKED_STATES or can_publish(user, type(obj))


def allowed_transitions(user: User, obj: Publishable) -> list[Transition]:
    return [
        t
        for t in TRANSITIONS.values()
        if obj.state in t.sources
        and (not t.needs_publish_permission or can_publish(user, type(obj)))
    ]


def apply_transition(obj: Publishable, name: str, user: User | None) -> None:
    """Move `obj` along the workflow and save it; `user=None` is the system (the seed loader).

    Raises TransitionNotAllowed when the state does not allow it or the user lacks the permission,
    whatever the caller's interface showed.
    """
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise TransitionNotAllowed(f"Unknown transition {name!r}.")
    if obj.state not in transition.sources:
        raise TransitionNotAllowed(
            f"Cannot {name} {obj}: it is {obj.get_state_display()}."  # type: ignore[attr-defined]
        )
    if (
        user is not None
        and transition.needs_publish_permission
        and not can_publish(user, type(obj))
    ):
        raise TransitionNotAllowed(f"Only publishers may {name} {obj}.")
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
