"""Pending revisions: the next version of live content, kept beside it until a publisher decides.

A visitor sees the live rows only. An edit to live content (a published service, a page text, a
feature ...) is stored here as a snapshot of the object and its inline parts (portal/snapshots.py)
and goes through its own review; publishing applies the snapshot to the live rows in one
transaction. The rules for who may move a revision live in portal/publishing.py.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class RevisionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    DISCARDED = "discarded", _("Discarded")


# A revision in one of these states is the object's one open revision: edits go into it.
OPEN_STATES = frozenset({RevisionState.DRAFT, RevisionState.IN_REVIEW})


class RevisionQuerySet(models.QuerySet):
    def open(self) -> RevisionQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def of(self, obj: models.Model) -> RevisionQuerySet:
        content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        return self.filter(content_type=content_type, object_id=obj.pk)


class Revision(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=RevisionState.choices,
        default=RevisionState.DRAFT,
        db_index=True,
    )
    # The object's fields in every language and its inline parts, as portal/snapshots.py writes
    # them; DjangoJSONEncoder keeps dates and decimals exact.
    payload = models.JSONField(_("content"), encoder=DjangoJSONEncoder)
    note = models.CharField(
        _("note"),
        max_length=300,
        blank=True,
        help_text=_("Why the change is made, or which version it restores."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    edited_at = models.DateTimeField(_("last edited"), auto_now=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last edited by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-edited_at", "-pk"]
        verbose_name = _("pending revision")
        verbose_name_plural = _("pending revisions")
        constraints = [
            # One open revision per object: edits by anyone go into it, so two editors never
            # race each other's drafts and publishing never has to merge.
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=models.Q(state__in=["draft", "in_review"]),
                name="one_open_revision_per_object",
            ),
        ]
        permissions = [
            (
                "publish_revision",
                _("Can publish changes to content without a workflow of its own"),
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.content_type.name}: {self.object_label}"

    @property
    def object_label(self) -> str:
        target = self.content_object
        return str(target) if target is not None else f"{self.object_id} (deleted)"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def target_model(self) -> type[models.Model]:
        model: Any = self.content_type.model_class()
        return model


class TranslationState(models.Model):
    """What is known about one translated text: which English it was made from, and who
    reviewed it (portal/translation_state.py keeps these rows and reads them).

    "Stale" is not stored: it is computed by comparing `source_hash` with the hash of the
    English text as it is now, so a change to the English makes every translation of it stale
    without touching these rows.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    field = models.CharField(_("field"), max_length=64)
    language = models.CharField(_("language"), max_length=16)
    # SHA-256 hex digests of the normalised texts (portal/text_normalisation.py).
    source_hash = models.CharField(_("English source it translates"), max_length=64)
    text_hash = models.CharField(_("translation it describes"), max_length=64)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("translation state")
        verbose_name_plural = _("translation states")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "field", "language"],
                name="one_translation_state_per_text",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id}:{self.field}:{self.language}"
