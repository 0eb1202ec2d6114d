"""An object and its inline parts as one plain, JSON-safe document, and back.

A snapshot holds every concrete field of the object in every language (each modeltranslation
column on its own, so nothing depends on the active language), its many-to-many ids, and the
same for each registered part (a service's links, downloads, feature values ...). It leaves out
what the workflow owns (state, who published it) and what the database stamps (`updated_at`).

Snapshots are made from live rows (`snapshot`), from the history (`snapshot_as_of`), and applied
back (`apply_snapshot`). Publishing a revision, previewing it and restoring a version from the
history all go through these three functions, so none of them can forget a language or a part.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.fields.files import FieldFile

from .translation_support import translated_field_names

# Fields the workflow sets; a revision or a restored version never carries them.
WORKFLOW_FIELDS = frozenset(
    {"state", "state_changed_at", "state_changed_by", "published_at", "published_by"}
)

Payload = dict[str, Any]


@dataclass(frozen=True)
class Part:
    """A kind of inline part: `accessor` is the reverse relation on the parent (`links`);
    `only` narrows it to the rows a person edits (an assessment's editorial source)."""

    accessor: str
    only: dict[str, Any] = field(default_factory=dict)


_PARTS: dict[type[models.Model], list[Part]] = {}


def register_parts(model: type[models.Model], *parts: Part) -> None:
    """Declare parts of `model` that belong to its revisions (called from the apps' admin
    modules, next to the inlines that edit them)."""
    known = _PARTS.setdefault(model, [])
    for part in parts:
        if part not in known:
            known.append(part)


def parts_of(model: type[models.Model]) -> list[Part]:
    return list(_PARTS.get(model, []))


# --- Fields ---------------------------------------------------------------------------------


def _content_fields(model: type[models.Model], parent_fk: str | None = None) -> list[models.Field]:
    """The fields a snapshot carries: concrete, editable content in every language column."""
    translated = set(translated_field_names(model))
    chosen = []
    for model_field in model._meta.concrete_fields:
        if (
            model_field.primary_key
            or model_field.name in WORKFLOW_FIELDS
            or model_field.name == parent_fk
            # The untranslated column mirrors one language; the language columns are the truth.
            or model_field.name in translated
            or getattr(model_field, "auto_now", False)
            or getattr(model_field, "auto_now_add", False)
        ):
            continue
        chosen.append(model_field)
    return chosen


def _m2m_fields(model: type[models.Model]) -> list[models.ManyToManyField]:
    return [f for f in model._meta.many_to_many if isinstance(f, models.ManyToManyField)]


def _plain(value: Any) -> Any:
    """A JSON-safe value that `Field.to_python` reads back exactly."""
    if isinstance(value, FieldFile):
        return value.name or ""
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value  # JSON fields hold lists and dicts already
    # Dates, datetimes, decimals, UUIDs: DjangoJSONEncoder's text form.
    encoded = DjangoJSONEncoder().default(value) if not hasattr(value, "code") else value.code
    return encoded


def _fields_of(row: Any, model: type[models.Model], parent_fk: str | None) -> dict[str, Any]:
    """Read from a live row or a historical record alike: both have the same attnames."""
    return {f.attname: _plain(getattr(row, f.attname)) for f in _content_fields(model, parent_fk)}


def _set_fields(obj: models.Model, values: dict[str, Any], parent_fk: str | None) -> None:
    model = type(obj)
    for model_field in _content_fields(model, parent_fk):
        if model_field.attname not in values:
            continue  # a field added after the snapshot was taken keeps its current value
        raw = values[model_field.attname]
        if isinstance(model_field, models.ForeignKey):
            value = None if raw is None else model_field.target_field.to_python(raw)
        else:
            value = model_field.to_python(raw)
        setattr(obj, model_field.attname, value)


# --- Making snapshots -----------------------------------------------------------------------


def snapshot(obj: models.Model, renumber: Iterable[int] | None = None) -> Payload:
    """The object and its parts as they are in the database now.

    `renumber`: the ids of parts that exist outside the current transaction. Any other part
    was created inside it (by a form saved only to be recorded) and gets a negative id: a
    placeholder that stays stable while the revision is edited and becomes a real row on publish.
    """
    model = type(obj)
    known_part_ids = None if renumber is None else set(renumber)
    payload: Payload = {"fields": _fields_of(obj, model, None), "m2m": _m2m_of(obj), "parts": {}}
    for part in parts_of(model):
        manager = getattr(obj, part.accessor)
        fk_name = manager.field.name
        rows = [
            {"id": row.pk, "fields": _fields_of(row, manager.model, fk_name), "m2m": _m2m_of(row)}
            for row in manager.filter(**part.only).order_by("pk")
        ]
        if known_part_ids is not None:
            # Placeholders already given keep their number, so an open form's ids still match.
            placeholder = min((r["id"] for r in rows if r["id"] < 0), default=0) - 1
            for row in rows:
                if row["id"] > 0 and row["id"] not in known_part_ids:
                    row["id"] = placeholder
                    placeholder -= 1
        payload["parts"][part.accessor] = rows
    return payload


def _m2m_of(obj: models.Model) -> dict[str, list[Any]]:
    return {
        f.name: sorted(getattr(obj, f.name).values_list("pk", flat=True))
        for f in _m2m_fields(type(obj))
    }


def part_ids(obj: models.Model) -> list[int]:
    """The ids of the object's parts as the database holds them now (see `snapshot`)."""
    ids: list[int] = []
    for part in parts_of(type(obj)):
        ids += list(getattr(obj, part.accessor).filter(**part.only).values_list("pk", flat=True))
    return ids


def snapshot_as_of(record: Any) -> Payload:
    """The object and its parts as they were at a historical record of the object.

    The record holds the object's fields; each part is taken as it was just before the
    object's next recorded change, because an admin save writes the object first and its
    inline parts right after.
    """
    model = record.instance_type
    payload: Payload = {
        "fields": _fields_of(record, model, None),
        "m2m": _historical_m2m(record, model),
        "parts": {},
    }
    later = (
        record.__class__.objects.filter(id=record.id, history_date__gt=record.history_date)
        .order_by("history_date")
        .values_list("history_date", flat=True)
        .first()
    )
    obj = model(pk=record.id)
    for part in parts_of(model):
        manager = getattr(obj, part.accessor)
        payload["parts"][part.accessor] = _parts_as_of(
            manager.model, manager.field, record.id, part, later
        )
    return payload


def _parts_as_of(
    part_model: type[models.Model],
    fk: models.ForeignKey,
    parent_id: int,
    part: Part,
    before: datetime | None,
) -> list[dict[str, Any]]:
    records = part_model.history.filter(**{fk.attname: parent_id})  # type: ignore[attr-defined]
    if before is not None:
        records = records.filter(history_date__lt=before)
    newest: dict[int, Any] = {}
    for row in records.order_by("id", "-history_date", "-history_id"):
        newest.setdefault(row.id, row)
    rows = []
    for row_id, row in sorted(newest.items()):
        if row.history_type == "-":
            continue
        if any(getattr(row, name) != value for name, value in part.only.items()):
            continue
        rows.append(
            {
                "id": row_id,
                "fields": _fields_of(row, part_model, fk.name),
                "m2m": _historical_m2m(row, part_model),
            }
        )
    return rows


def _historical_m2m(record: Any, model: type[models.Model]) -> dict[str, list[Any]]:
    values: dict[str, list[Any]] = {}
    for m2m in _m2m_fields(model):
        related = getattr(record, m2m.name, None)
        if related is None:
            continue  # not tracked by the history: leave the current links as they are
        target = m2m.related_model._meta.model_name  # type: ignore[union-attr]
        values[m2m.name] = sorted(
            getattr(row, f"{target}_id") for row in related.all() if hasattr(row, f"{target}_id")
        )
    return values


# --- Applying snapshots ---------------------------------------------------------------------


def apply_snapshot(
    obj: models.Model,
    payload: Payload,
    *,
    keep_placeholders: bool = False,
    actor: Any = None,
    reason: str = "",
) -> None:
    """Make the object and its parts what the payload says, saving only what differs.

    Parts missing from the payload are deleted, new ones created. With `keep_placeholders`
    (a preview, or a form being edited, always rolled back afterwards) new parts keep their
    placeholder ids so the form's hidden ids match; otherwise the database numbers them.
    `actor` and `reason` go into every history record the change writes. Call inside a
    transaction.
    """
    model = type(obj)
    _set_fields(obj, payload.get("fields", {}), None)
    _sign(obj, actor, reason)
    obj.save()
    _set_m2m(obj, payload.get("m2m", {}))
    for part in parts_of(model):
        if part.accessor not in payload.get("parts", {}):
            continue
        _apply_part(obj, part, payload["parts"][part.accessor], keep_placeholders, actor, reason)


def _sign(row: models.Model, actor: Any, reason: str) -> None:
    # django-simple-history reads these two attributes when it writes the history record.
    if actor is not None:
        row._history_user = actor  # type: ignore[attr-defined]
    if reason:
        row._change_reason = reason  # type: ignore[attr-defined]


def _apply_part(
    obj: models.Model,
    part: Part,
    rows: list[dict[str, Any]],
    keep_placeholders: bool,
    actor: Any,
    reason: str,
) -> None:
    manager = getattr(obj, part.accessor)
    part_model = manager.model
    fk_name = manager.field.name
    existing = {row.pk: row for row in manager.filter(**part.only)}
    wanted = {row["id"] for row in rows}
    for row_id, row in existing.items():
        if row_id not in wanted:
            _sign(row, actor, reason)
            row.delete()
    for row in rows:
        current = existing.get(row["id"])
        if current is None:
            current = part_model(**{fk_name: obj, **part.only})
            if keep_placeholders or (
                row["id"] > 0 and not part_model._default_manager.filter(pk=row["id"]).exists()
            ):
                # A row deleted since the snapshot comes back under its old id, so its
                # history continues; a placeholder keeps its id while being edited.
                current.pk = row["id"]
            _inherit_workflow(current, obj)
        elif _fields_of(current, part_model, fk_name) == row["fields"] and _m2m_of(
            current
        ) == row.get("m2m", {}):
            continue
        _set_fields(current, row["fields"], fk_name)
        _sign(current, actor, reason)
        current.save(force_insert=current._state.adding and current.pk is not None)
        _set_m2m(current, row.get("m2m", {}))


def _inherit_workflow(part: models.Model, parent: models.Model) -> None:
    """A new part that has a workflow of its own (a criterion's sub-item) starts in its
    parent's state: it was reviewed as part of the parent."""
    for name in WORKFLOW_FIELDS:
        if hasattr(part, name) and hasattr(parent, name):
            setattr(part, name, getattr(parent, name))


def _set_m2m(obj: models.Model, values: dict[str, list[Any]]) -> None:
    for m2m in _m2m_fields(type(obj)):
        if m2m.name in values:
            manager = getattr(obj, m2m.name)
            if sorted(manager.values_list("pk", flat=True)) != sorted(values[m2m.name]):
                manager.set(values[m2m.name])
