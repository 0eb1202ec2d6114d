"""Load the seed document's content (portal/seed/data/*.yaml) into the database.

Idempotent: a second run changes nothing. Rows that people have edited since (anything in their
history written by a user, including publishing decisions) are kept as they are, unless `reset`
is given; untouched rows follow the seed files, so a corrected seed reaches existing databases.

Every change is recorded under the system user (portal/system_actor.py): its history records,
and who published what.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polib
import yaml
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from modeltranslation.utils import build_localized_fieldname

from criteria.models import Criterion, CriterionGroup
from portal.publishing import PublicationState, Publishable
from portal.system_actor import recorded_as, system_user
from portal.text_normalisation import normalise_text
from portal.translation_state import review_published
from portal.translation_support import translated_field_names
from providers.models import (
    Feature,
    FeatureChoice,
    FeatureGroup,
    FeatureValue,
    FreeFeature,
    PageText,
    RecommendationGroup,
    Service,
    ServiceDomain,
    ServiceDownload,
    ServiceLink,
    ServiceSection,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class SeedError(Exception):
    """The seed files are malformed; the message names the file and the entry."""


@dataclass
class SeedReport:
    counts: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, model: type[models.Model], outcome: str) -> None:
        self.counts.setdefault(model._meta.verbose_name_plural.title(), Counter())[outcome] += 1

    def total(self, outcome: str) -> int:
        return sum(counter[outcome] for counter in self.counts.values())

    def as_table(self) -> str:
        outcomes = ("created", "updated", "unchanged", "kept", "deleted")
        width = max((len(name) for name in self.counts), default=10)
        lines = [f"{'':{width}}  " + "  ".join(f"{o:>9}" for o in outcomes)]
        for name, counter in self.counts.items():
            lines.append(f"{name:{width}}  " + "  ".join(f"{counter[o]:>9}" for o in outcomes))
        return "\n".join(lines)


def translated(values: dict[str, str] | str | None, name: str) -> dict[str, str]:
    """Map `{en: ..., ckb: ...}` onto modeltranslation's columns (`name_en`, `name_ckb`, ...).

    English is always set. Other languages the YAML does not give are left out, not emptied:
    their text comes from the seed's translation files (data/translations/<language>.po,
    applied after the rows) or from people, and a reload must not wipe it.
    """
    if values is None:
        values = {}
    if isinstance(values, str):
        values = {"en": values}
    unknown = set(values) - set(LANGUAGE_CODES)
    if unknown:
        raise SeedError(f"unknown language(s) {sorted(unknown)} for {name!r}")
    return {
        build_localized_fieldname(name, code): (values.get(code) or "").strip()
        for code in LANGUAGE_CODES
        if code == "en" or code in values
    }


def edited_by_people(obj: models.Model, system: AbstractUser) -> bool:
    """True once a person (not the seed loader) has saved, published or retired this row.

    Older loads recorded no user at all, so both None and the system user mean "the seed".
    """
    history = obj.history.exclude(history_user=None)  # type: ignore[attr-defined]
    return history.exclude(history_user=system).exists()


class SeedLoader:
    def __init__(self, data_dir: Path = DATA_DIR, *, reset: bool = False) -> None:
        self.data_dir = data_dir
        self.reset = reset
        self.report = SeedReport()
        self.now: datetime = timezone.now()
        self.actor: AbstractUser  # the system user, fetched inside load()'s transaction
        # The rows with translated texts the seed wrote (or would have, had they changed).
        self.written: dict[type[models.Model], set[int]] = defaultdict(set)

    # --- entry point
    @transaction.atomic
    def load(self) -> SeedReport:
        self.actor = system_user()
        with recorded_as(self.actor):
            return self._load_all()

    def _load_all(self) -> SeedReport:
        catalogue = self._read("catalogue.yaml")
        pages = self._read("pages.yaml")
        criteria = self._read("criteria.yaml")
        self._load_catalogue(catalogue)
        self._load_pages(pages)
        service_files = sorted((self.data_dir / "services").glob("*.yaml"))
        if not service_files:
            raise SeedError(f"no service files in {self.data_dir / 'services'}")
        for path in service_files:
            self._load_service(path.name, self._read(f"services/{path.name}"))
        self._load_criteria(criteria)
        self._load_translations()
        self._review_translations()
        return self.report

    def _load_translations(self) -> None:
        """The seed's translations of its own texts, one PO file per language (the format of
        `export_translations`), written in place on the rows people have not edited."""
        from portal.content_translations import import_po

        for path in sorted((self.data_dir / "translations").glob("*.po")):
            try:
                po = polib.pofile(str(path))
            except (OSError, ValueError) as exc:
                raise SeedError(f"translations/{path.name}: {exc}") from exc
            language = path.stem
            if language not in LANGUAGE_CODES or language == "en":
                raise SeedError(f"translations/{path.name}: not a language of the site")
            report = import_po(
                po,
                language,
                self.actor,
                in_place=True,
                keep=lambda row: not self.reset and edited_by_people(row, self.actor),
            )
            if report.stale or report.unknown:
                # The PO was made for other English texts: say which, rather than guess.
                raise SeedError(
                    f"translations/{path.name}: {len(report.stale)} stale and "
                    f"{len(report.unknown)} unknown entries, e.g. "
                    f"{(report.stale + report.unknown)[:3]}; re-export and translate them."
                )
            self.report.counts.setdefault(f"Translations ({language})", Counter())
            self.report.counts[f"Translations ({language})"]["updated"] += report.applied
            self.report.counts[f"Translations ({language})"]["unchanged"] += report.unchanged

    def _review_translations(self) -> None:
        """The seed's texts are published content: record their translations as reviewed, for
        the English they were written with. Read again, because the translation files were
        applied to other instances of the rows. A row people edited is not the seed's to vouch
        for, and an unchanged translation of a changed English text stays stale."""
        rows: list[models.Model] = []
        for model, pks in self.written.items():
            rows += model._default_manager.filter(pk__in=pks).order_by("pk")
        review_published(rows, self.actor)

    def _read(self, relative: str) -> dict[str, Any]:
        path = self.data_dir / relative
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise SeedError(f"{relative}: {exc}") from exc
        if not isinstance(data, dict):
            raise SeedError(f"{relative}: expected a mapping at the top level")
        return data

    # --- the one write path: create, update if untouched, or keep people's edits
    def upsert(
        self,
        model: type[models.Model],
        lookup: dict[str, Any],
        values: dict[str, Any],
        *,
        where: str,
    ) -> tuple[Any, bool]:
        """Returns (object, writable): writable is False when people's edits were kept."""
        # As saving will store them, or a text with a trailing blank would count as changed
        # on every run (portal/text_normalisation.py).
        values = {k: normalise_text(v) if isinstance(v, str) else v for k, v in values.items()}
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
            self._validate(obj, where)
            obj.save()
            self.report.add(model, "created")
            self._written(obj)
            return obj, True
        if not self.reset and edited_by_people(obj, self.actor):
            self.report.add(model, "kept")
            return obj, False
        self._written(obj)
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            self._validate(obj, where)
            obj.save()
            self.report.add(model, "updated")
        else:
            self.report.add(model, "unchanged")
        return obj, True

    def _written(self, obj: models.Model) -> None:
        if translated_field_names(type(obj)):
            self.written[type(obj)].add(obj.pk)

    def _publish(self, obj: Publishable) -> None:
        """Publish `obj` as the system user, with one history record that says so.

        Not through `apply_transition`: it publishes only from review, which would take two
        records (submit, publish) for one decision, and it refuses a user that cannot sign in.
        A saved object (not a queryset update) is what writes the history record.
        """
        if obj.state == PublicationState.PUBLISHED:
            return
        obj.state = PublicationState.PUBLISHED
        obj.state_changed_at = obj.published_at = self.now
        obj.state_changed_by = obj.published_by = self.actor
        obj.save(
            update_fields=[
                "state",
                "state_changed_at",
                "state_changed_by",
                "published_at",
                "published_by",
            ]
        )

    def _validate(self, obj: models.Model, where: str) -> None:
        try:
            obj.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            raise SeedError(
                f"{where}: {exc.message_dict if hasattr(exc, 'message_dict') else exc}"
            ) from exc

    def prune(self, queryset: models.QuerySet, keep_pks: set[int]) -> None:
        """Delete children the seed no longer lists (only under an untouched parent)."""
        for obj in queryset.exclude(pk__in=keep_pks):
            obj.delete()
            self.report.add(queryset.model, "deleted")

    # --- catalogue
    def _load_catalogue(self, data: dict[str, Any]) -> None:
        for position, entry in enumerate(_list(data, "feature_groups", "catalogue.yaml"), 1):
            self.upsert(
                FeatureGroup,
                {"key": entry["key"]},
                {"order": position * 10, **translated(entry.get("name"), "name")},
                where=f"catalogue.yaml feature group {entry['key']}",
            )
        groups = {g.key: g for g in FeatureGroup.objects.all()}
        for position, entry in enumerate(_list(data, "features", "catalogue.yaml"), 1):
            where = f"catalogue.yaml feature {entry.get('key')}"
            group = _lookup(groups, entry.get("group"), where)
            feature, writable = self.upsert(
                Feature,
                {"key": entry["key"]},
                {
                    "group": group,
                    "kind": entry["kind"],
                    "unit": entry.get("unit", ""),
                    "applies_to": list(entry.get("applies_to", [])),
                    "order": position * 10,
                    **translated(entry.get("name"), "name"),
                    **translated(entry.get("help"), "help_text"),
                },
                where=where,
            )
            if not writable:
                continue
            keep: set[int] = set()
            for choice_position, choice in enumerate(entry.get("choices", []), 1):
                obj, _ = self.upsert(
                    FeatureChoice,
                    {"feature": feature, "key": choice["key"]},
                    {"order": choice_position * 10, **translated(choice.get("name"), "name")},
                    where=f"{where} choice {choice['key']}",
                )
                keep.add(obj.pk)
            self.prune(feature.choices.all(), keep)

    # --- page texts and recommendation groups
    def _load_pages(self, data: dict[str, Any]) -> None:
        for position, entry in enumerate(_list(data, "groups", "pages.yaml"), 1):
            self.upsert(
                RecommendationGroup,
                {"key": entry["key"]},
                {
                    "kind": entry["kind"],
                    "order": position * 10,
                    **translated(entry.get("name"), "name"),
                    **translated(entry.get("intro"), "intro"),
                },
                where=f"pages.yaml group {entry['key']}",
            )
        for position, entry in enumerate(_list(data, "page_texts", "pages.yaml"), 1):
            self.upsert(
                PageText,
                {"key": entry["key"]},
                {
                    "placement": entry["placement"],
                    "kind": entry.get("kind", "intro"),
                    "order": position * 10,
                    **translated(entry.get("title"), "title"),
                    **translated(entry.get("body"), "body"),
                },
                where=f"pages.yaml text {entry['key']}",
            )

    # --- services
    def _load_service(self, filename: str, data: dict[str, Any]) -> None:
        where = f"services/{filename}"
        groups = {g.key: g for g in RecommendationGroup.objects.all()}
        values = {
            "kind": data["kind"],
            "name": data["name"],
            "group": _lookup(groups, data.get("group"), where) if data.get("group") else None,
            "order": int(data.get("order", 0)),
            "founded_year": data.get("founded_year"),
            "hq_country": data.get("hq_country") or "",
            "free_plan": data.get("free_plan"),
            "free_storage_mb": data.get("free_storage_mb"),
            "storage_mb": data.get("storage_mb"),
            "trial_days": data.get("trial_days"),
            **translated(data.get("summary"), "summary"),
            **translated(data.get("description"), "description"),
            **translated(data.get("hq_city"), "hq_city"),
            **translated(data.get("pricing_notes"), "pricing_notes"),
        }
        service, writable = self.upsert(Service, {"slug": data["slug"]}, values, where=where)
        if not writable:
            return
        # The seed is the document's recommendation list: its services are published.
        self._publish(service)
        self._load_service_parts(service, data, where)

    def _load_service_parts(self, service: Service, data: dict[str, Any], where: str) -> None:
        keep = {
            self.upsert(
                ServiceLink,
                {"service": service, "kind": link["kind"]},
                {"url": link["url"]},
                where=f"{where} link {link['kind']}",
            )[0].pk
            for link in data.get("links", [])
        }
        self.prune(service.links.all(), keep)

        keep = set()
        for position, download in enumerate(data.get("downloads", []), 1):
            keep.add(
                self.upsert(
                    ServiceDownload,
                    {"service": service, "url": download["url"], "label": download["label"]},
                    {"platform": download["platform"], "order": position * 10},
                    where=f"{where} download {download['label']}",
                )[0].pk
            )
        self.prune(service.downloads.all(), keep)

        keep = set()
        for domain in data.get("domains", []):
            keep.add(
                self.upsert(
                    ServiceDomain,
                    {"service": service, "name": domain["name"], "role": domain["role"]},
                    {
                        "dkim_selectors": ",".join(domain.get("dkim_selectors", [])),
                        "wkd_address": domain.get("wkd_address", ""),
                    },
                    where=f"{where} domain {domain['name']}",
                )[0].pk
            )
        self.prune(service.domains.all(), keep)

        feature_groups = {g.key: g for g in FeatureGroup.objects.all()}
        keep = set()
        for position, section in enumerate(data.get("sections", []), 1):
            section_where = f"{where} section {section.get('group')}"
            group = _lookup(feature_groups, section.get("group"), section_where)
            keep.add(
                self.upsert(
                    ServiceSection,
                    {"service": service, "group": group},
                    {
                        "status": section["status"],
                        "order": position * 10,
                        **translated(section.get("heading"), "heading"),
                        **translated(section.get("body"), "body"),
                    },
                    where=section_where,
                )[0].pk
            )
        self.prune(service.sections.all(), keep)

        keep = set()
        for position, item in enumerate(data.get("free_features", []), 1):
            keep.add(
                self.upsert(
                    FreeFeature,
                    {"service": service, "order": position * 10},
                    {"included": bool(item["checked"]), **translated(item.get("text"), "text")},
                    where=f"{where} free feature {position}",
                )[0].pk
            )
        self.prune(service.free_features.all(), keep)

        features = {f.key: f for f in Feature.objects.prefetch_related("choices")}
        keep = set()
        for key, spec in (data.get("features") or {}).items():
            keep.add(
                self._load_feature_value(
                    service, _lookup(features, key, where), spec, f"{where} feature {key}"
                )
            )
        self.prune(service.feature_values.all(), keep)

    def _load_feature_value(
        self, service: Service, feature: Feature, spec: dict[str, Any], where: str
    ) -> int:
        if not isinstance(spec, dict) or "value" not in spec:
            raise SeedError(f"{where}: expected a mapping with a 'value'")
        raw = spec["value"]
        values: dict[str, Any] = {
            "bool_value": None,
            "number_value": None,
            "unlimited": False,
            "status": spec.get("status", ""),
            "source_url": spec.get("source", ""),
            **translated(spec.get("note"), "note"),
        }
        choice_keys: list[str] = []
        if feature.kind == Feature.Kind.BOOLEAN:
            if not isinstance(raw, bool):
                raise SeedError(f"{where}: {feature.key} takes true or false, not {raw!r}")
            values["bool_value"] = raw
        elif feature.kind == Feature.Kind.NUMBER:
            if raw == "unlimited":
                values["unlimited"] = True
            elif isinstance(raw, int | float) and not isinstance(raw, bool):
                values["number_value"] = Decimal(str(raw))
            else:
                raise SeedError(
                    f"{where}: {feature.key} takes a number or 'unlimited', not {raw!r}"
                )
        else:
            choice_keys = [raw] if isinstance(raw, str) else list(raw)
        value, writable = self.upsert(
            FeatureValue, {"service": service, "feature": feature}, values, where=where
        )
        if writable and feature.has_choices:
            by_key = {c.key: c for c in feature.choices.all()}
            chosen = [_lookup(by_key, key, where) for key in choice_keys]
            try:
                FeatureValue.validate_choices(feature, chosen)
            except ValidationError as exc:
                raise SeedError(f"{where}: {exc.messages}") from exc
            if {c.pk for c in chosen} != set(value.choices.values_list("pk", flat=True)):
                value.choices.set(chosen)
        return value.pk

    # --- criteria
    def _load_criteria(self, data: dict[str, Any]) -> None:
        for position, entry in enumerate(_list(data, "groups", "criteria.yaml"), 1):
            where = f"criteria.yaml group {entry.get('key')}"
            group, _ = self.upsert(
                CriterionGroup,
                {"key": entry["key"]},
                {
                    "order": position * 10,
                    **translated(entry.get("name"), "name"),
                    **translated(entry.get("intro"), "intro"),
                    **translated(entry.get("minimum_note"), "minimum_note"),
                },
                where=where,
            )
            positions: Counter[str] = Counter()
            for item in entry.get("criteria", []):
                positions[item["level"]] += 1
                self._load_criterion(group, item, None, positions[item["level"]] * 10, where)

    def _load_criterion(
        self,
        group: CriterionGroup,
        item: dict[str, Any],
        parent: Criterion | None,
        order: int,
        where: str,
    ) -> None:
        item_where = f"{where} criterion {item.get('key')}"
        values = {
            "group": group,
            "level": item["level"] if parent is None else parent.level,
            "parent": parent,
            "order": order,
            "retired": bool(item.get("retired", False)),
            **translated(item.get("text"), "text"),
            **translated(item.get("retired_reason"), "retired_reason"),
        }
        criterion, writable = self.upsert(Criterion, {"key": item["key"]}, values, where=item_where)
        if writable:
            self._publish(criterion)
        for child_position, child in enumerate(item.get("children", []), 1):
            child.setdefault("level", criterion.level)
            self._load_criterion(group, child, criterion, child_position * 10, item_where)


def _list(data: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    value = data.get(key)
    if not isinstance(value, list):
        raise SeedError(f"{where}: '{key}' must be a list")
    return value


def _lookup(table: dict[str, Any], key: Any, where: str) -> Any:
    try:
        return table[key]
    except KeyError:
        raise SeedError(
            f"{where}: unknown key {key!r} (known: {', '.join(sorted(table))})"
        ) from None
