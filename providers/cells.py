"""Feature values as table cells: the comparison's and the service page's, built as ready HTML.

The comparison has a cell per service and feature (30,000 with 1,000 services); a template include
per cell took seconds, so each distinct cell is built once per page and reused.
"""

from __future__ import annotations

import copy
from typing import Any

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.translation_support import pick_translation

from .models import Feature, FeatureValue
from .numbers import quantity
from .templatetags.content import in_its_language
from .values import number


def isolated(text: str, text_language: str | None) -> str:
    """Text for an attribute shown by CSS (`content: attr(...)`), where no `dir` can be set:
    text in another direction than the page's is wrapped in FIRST STRONG ISOLATE ... POP
    DIRECTIONAL ISOLATE, the plain-text equivalent of `<bdi>`."""
    page_language = get_language() or "en"
    if not text_language or text_language == page_language:
        return str(text)
    return f"\u2068{text}\u2069"


class Cells:
    """Feature cells as ready HTML, prepared once per page.

    The comparison has a cell per service and feature (30,000 with 1,000 services); a template
    include per cell took seconds, so each distinct cell is built once here and reused. Cells say
    yes/no in words (the CSS adds a symbol), never by colour or icon alone.
    """

    STATE_WORDS = (("yes", _("Yes")), ("no", _("No")), ("unknown", _("Unknown")))

    def __init__(
        self, features: list[Feature], values: dict[int, dict[int, Any]] | None = None
    ) -> None:
        self.features = features
        self.values = values or {}
        # Read once: a row asks for every feature's pk, and a model's `pk` is a property.
        self.feature_pks = [feature.pk for feature in features]
        self.unknown = format_html('<td class="cell-unknown">{}</td>', _("Unknown"))
        self.yes = format_html('<td class="cell-yes">{}</td>', _("Yes"))
        self.no = format_html('<td class="cell-no">{}</td>', _("No"))
        self.unlimited = format_html('<td class="cell-number">{}</td>', _("Unlimited"))
        language = get_language() or "en"
        # The comparison's cells carry their feature's name (data-label): at phone width each
        # row becomes a card, and the CSS shows the name beside the value. First-strong isolation
        # keeps an English fallback name whole inside a right-to-left page.
        self.labels: dict[int, str] = {
            feature.pk: isolated(*pick_translation(feature, "name", language))
            for feature in features
        }
        # 72 cells for 24 features: joined from words translated once, not a format_html each
        # (the first comparison page in each language paid ~2 ms for them).
        words = {state: escape(str(text)) for state, text in self.STATE_WORDS}
        self.labelled: dict[tuple[int, str], SafeString] = {}
        for feature in features:
            label = escape(self.labels[feature.pk])
            for state, word in words.items():
                self.labelled[feature.pk, state] = mark_safe(  # noqa: S308 (parts escaped here)
                    f'<td class="cell-{state}" data-label="{label}">'
                    f'<span class="cell-text">{word}</span></td>'
                )
        self._choice_cells: dict[tuple[int, tuple[str, ...]], SafeString] = {}
        # Feature objects here have their choices prefetched, so this is no extra query.
        self.choice_names: dict[int, dict[str, SafeString]] = {
            feature.pk: {
                choice.key: self._name(choice, language) for choice in feature.choices.all()
            }
            for feature in features
            if feature.has_choices
        }

    @staticmethod
    def _name(choice: Any, language: str) -> SafeString:
        text, text_language = pick_translation(choice, "name", language)
        return in_its_language(format_html("{}", text), text_language or language)

    def cell(self, feature: Feature, value: FeatureValue | None) -> SafeString:
        """A cell for a FeatureValue instance (the service page)."""
        if value is None:
            return self.unknown
        if feature.kind == Feature.Kind.BOOLEAN:
            return self.yes if value.bool_value else self.no
        if feature.kind == Feature.Kind.NUMBER:
            if value.unlimited:
                return self.unlimited
            text = quantity(number(value.number_value), feature.unit)
            return format_html('<td class="cell-number">{}</td>', text)
        return self.choices(feature, getattr(value, "choice_keys", []))

    def loaded_cell(self, feature: Feature, value: Any) -> SafeString:
        """A cell from `ComparisonIndex.values_of`: yes/no, a list of choice keys, or None
        (unknown)."""
        if value is None:
            return self.labelled[feature.pk, "unknown"]
        if isinstance(value, list):
            return self.choices(feature, value, self.labels[feature.pk])
        return self.labelled[feature.pk, "yes" if value else "no"]

    def choices(self, feature: Feature, keys: list[str], label: str | None = None) -> SafeString:
        names = self.choice_names.get(feature.pk, {})
        labels = [names[key] for key in keys if key in names]
        if not labels:
            return self.labelled[feature.pk, "unknown"] if label is not None else self.unknown
        listed = format_html_join(", ", "{}", ((x,) for x in labels))
        if label is None:
            return format_html('<td class="cell-choices">{}</td>', listed)
        return format_html('<td class="cell-choices" data-label="{}">{}</td>', label, listed)

    def with_values(self, values: dict[int, dict[int, Any]]) -> Cells:
        """The same prepared cells for other services' values (a kit is made once per language
        and catalogue; values are read per page)."""
        other = copy.copy(self)
        other.values = values
        return other

    def row(self, service_pk: int) -> list[SafeString]:
        """A comparison row's feature cells: each distinct cell is made once, then reused."""
        values = self.values.get(service_pk, {})
        labelled = self.labelled
        cells = []
        for feature, pk in zip(self.features, self.feature_pks, strict=True):
            value = values.get(pk)
            if value is None:
                cells.append(labelled[pk, "unknown"])
            elif value is True or value is False:
                cells.append(labelled[pk, "yes" if value else "no"])
            else:
                key = (pk, tuple(value))
                cell = self._choice_cells.get(key)
                if cell is None:
                    cell = self._choice_cells[key] = self.loaded_cell(feature, value)
                cells.append(cell)
        return cells
