"""The comparison's filters as visitors see them: grouped as the catalogue groups them, yes/no/any
controls with a count of matching services, and the active ones listed with a way to remove each.

What every parameter means, and whether a value is valid, is the FilterSet's job
(providers/filters.py); this module only presents the same parameters. The form stays a plain GET
form (no JavaScript): the URL is the state, so a filtered comparison can be bookmarked and shared.

Counts come from the comparison's in-memory index (providers/comparison_index.py), so they cost
no query: each one says how many of the services shown would remain if that option were chosen.
An active control shows no counts for its other options, because choosing one of them replaces
the filter rather than narrowing the list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.http import QueryDict
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries as known_countries

from portal.translation_support import pick_translation

from .comparison_index import ResultCounts
from .countries import country_name
from .filters import (
    BOOLEAN_FEATURE_KEYS,
    BOOLEAN_WORDS,
    PAYMENT_FEATURE_KEY,
    name_sort_key,
)
from .models import Feature, ServiceKind
from .numbers import localized_number
from .query_links import QueryLinks
from .templatetags.content import in_its_language
from .verification import verified_choices

# Icons of the sprite static/img/icons.svg: one per catalogue group, and a few features whose
# meaning a picture says better than their group's (a key for OpenPGP, a plug for protocols).
GROUP_ICONS: dict[str, str] = {
    "custom-domains-aliases": "at",
    "private-payment": "coin",
    "account-security": "key",
    "data-security": "lock",
    "email-encryption": "envelope-lock",
    "account-termination": "door",
    "additional-functionality": "plus",
    "aliasing-free-features": "mask",
}
FEATURE_ICONS: dict[str, str] = {
    "openpgp": "key",
    "wkd": "key",
    "imap": "plug",
    "smtp": "plug",
    "pop3": "plug",
    "jmap": "plug",
    "activesync": "plug",
    "onion_service": "onion",
    "third_party_audit": "check",
    "aliases": "mask",
}
DEFAULT_ICON = "plus"
SERVICE_GROUP_KEY = "service"
CHECKS_GROUP_KEY = "verified"


def feature_icon(feature: Feature) -> str:
    """The sprite symbol of a feature: its own, else its group's."""
    return FEATURE_ICONS.get(feature.key) or GROUP_ICONS.get(feature.group.key, DEFAULT_ICON)


@dataclass(frozen=True)
class Option:
    value: str
    label: Any
    checked: bool
    dom_id: str
    count: int | None = None

    @property
    def count_text(self) -> str:
        """The count in the page's digits ("۳" on /fa/)."""
        return "" if self.count is None else localized_number(self.count)

    @property
    def count_label(self) -> str:
        """What a screen reader says after the option's name."""
        if self.count is None:
            return ""
        return ngettext("%(count)s service", "%(count)s services", self.count) % {
            "count": self.count_text
        }


@dataclass
class Control:
    """One parameter of the query: `widget` is tri (any/yes/no), radio, checkboxes or number."""

    name: str
    label: Any
    widget: str
    icon: str = DEFAULT_ICON
    options: list[Option] = field(default_factory=list)
    value: str = ""
    active: bool = False
    help_text: Any = ""


@dataclass
class Group:
    key: str
    label: Any
    icon: str
    controls: list[Control] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return any(control.active for control in self.controls)


@dataclass(frozen=True)
class ActiveFilter:
    """A chip above the results: what is filtered, and the link that removes it."""

    label: Any
    value: Any
    remove_query: str


def _word(value: str) -> str:
    """`?openpgp=YES` is checked as yes, like the FilterSet reads it; anything else as nothing."""
    parsed = BOOLEAN_WORDS.get(value.strip().lower())
    return "" if parsed is None else ("true" if parsed else "false")


def _tri(
    name: str,
    label: Any,
    query: QueryDict,
    count_yes: Callable[[], int],
    count_no: Callable[[], int],
    icon: str,
) -> Control:
    current = _word(query.get(name, ""))
    active = bool(current)
    options = [
        Option("", _words("any"), not active, f"f-{name}-any"),
        Option(
            "true",
            _words("yes"),
            current == "true",
            f"f-{name}-yes",
            None if active else count_yes(),
        ),
        Option(
            "false",
            _words("no"),
            current == "false",
            f"f-{name}-no",
            None if active else count_no(),
        ),
    ]
    return Control(name=name, label=label, widget="tri", icon=icon, options=options, active=active)


def _checkboxes(
    name: str,
    label: Any,
    query: QueryDict,
    choices: Iterable[tuple[str, Any]],
    count: Callable[[str], int] | None,
    icon: str,
) -> Control:
    chosen = {part.strip() for item in query.getlist(name) for part in item.split(",")}
    chosen.discard("")
    if name in ("country", "exclude_country"):
        chosen = {code.upper() for code in chosen}
    active = bool(chosen)
    options = [
        Option(
            key,
            choice_label,
            key in chosen,
            f"f-{name}-{key}",
            None if active or count is None else count(key),
        )
        for key, choice_label in choices
    ]
    return Control(
        name=name, label=label, widget="checkboxes", icon=icon, options=options, active=active
    )


def _feature_label(obj: Any, language: str) -> SafeString:
    """The name of a feature, group or choice in the page's language, or its fallback marked
    with its own language and direction; made once per catalogue object and language (the
    objects belong to the comparison's index, which is rebuilt when any of them changes)."""
    labels = obj.__dict__.setdefault("_mv_filter_labels", {})
    if language not in labels:
        text, text_language = pick_translation(obj, "name", language)
        labels[language] = in_its_language(format_html("{}", text), text_language or language)
    return labels[language]


@lru_cache(maxsize=64)
def _option_word(key: str, language: str) -> str:
    return str({"any": _("Any"), "yes": _("Yes"), "no": _("No")}[key])


def _words(key: str) -> str:
    """The word "Any", "Yes" or "No" in the page's language (asked for 75 times a page)."""
    return _option_word(key, get_language() or "en")


def build_groups(
    query: QueryDict,
    features: list[Feature],
    counts: ResultCounts,
    labels: dict[str, Any],
    language: str,
    countries: list[str],
) -> list[Group]:
    """The filter form's groups in the catalogue's order, the service's own facts first."""
    by_key = {feature.key: feature for feature in features}

    def has_value(feature: Feature, wanted: bool) -> Callable[[], int]:
        return lambda: counts.feature(feature.key, wanted)

    service = Group(SERVICE_GROUP_KEY, _("Service"), "info")
    current_kind = query.get("kind", "")
    kind_active = current_kind in ServiceKind.values
    service.controls.append(
        Control(
            name="kind",
            label=labels["kind"],
            widget="radio",
            icon="info",
            active=kind_active,
            options=[
                Option("", _words("any"), not kind_active, "f-kind-any"),
                *(
                    Option(
                        key,
                        kind_label,
                        current_kind == key,
                        f"f-kind-{key}",
                        None if kind_active else counts.kind(key),
                    )
                    for key, kind_label in ServiceKind.choices
                ),
            ],
        )
    )
    service.controls.append(
        _tri(
            "free_plan",
            labels["free_plan"],
            query,
            lambda: counts.free_plan(True),
            lambda: counts.free_plan(False),
            "coin",
        )
    )
    storage = query.get("min_free_storage", "").strip()
    service.controls.append(
        Control(
            name="min_free_storage",
            label=labels["min_free_storage"],
            widget="number",
            icon="box",
            value=storage,
            active=bool(storage),
        )
    )
    # A chosen country stays on offer even where no service is based, so it can be unticked.
    chosen_countries = {
        part.strip().upper()
        for name in ("country", "exclude_country")
        for item in query.getlist(name)
        for part in item.split(",")
    }
    offered = set(countries) | {code for code in chosen_countries if code in known_countries}
    named_countries = sorted(
        ((code, country_name(code)) for code in offered),
        key=lambda choice: name_sort_key(str(choice[1])),
    )
    service.controls.append(
        _checkboxes("country", labels["country"], query, named_countries, counts.country, "globe")
    )
    service.controls.append(
        _checkboxes(
            "exclude_country",
            labels["exclude_country"],
            query,
            named_countries,
            lambda code: counts.total - counts.country(code),
            "globe",
        )
    )
    groups = [service]

    sections: dict[int, Group] = {}
    for feature in features:
        if feature.key not in BOOLEAN_FEATURE_KEYS and feature.key != PAYMENT_FEATURE_KEY:
            continue
        group = sections.get(feature.group_id)
        if group is None:
            group_label = _feature_label(feature.group, language)
            group = Group(
                feature.group.key, group_label, GROUP_ICONS.get(feature.group.key, DEFAULT_ICON)
            )
            sections[feature.group_id] = group
            groups.append(group)
        icon = feature_icon(feature)
        if feature.key == PAYMENT_FEATURE_KEY:
            group.controls.extend(_payment_controls(query, feature, counts, labels, language))
        else:
            group.controls.append(
                _tri(
                    feature.key,
                    _feature_label(feature, language),
                    query,
                    has_value(feature, True),
                    has_value(feature, False),
                    icon,
                )
            )
    missing = [key for key in BOOLEAN_FEATURE_KEYS if key not in by_key]
    if missing:
        # A filter the catalogue does not (yet) hold still works in the URL; offer it by its key.
        extra = Group("other", _("Other features"), DEFAULT_ICON)
        extra.controls = [
            _tri(key, key, query, lambda: 0, lambda: 0, DEFAULT_ICON) for key in missing
        ]
        groups.append(extra)

    checks = verified_choices()
    if checks:
        groups.append(
            Group(
                CHECKS_GROUP_KEY,
                _("Automated checks"),
                "check",
                [_checkboxes("verified", labels["verified"], query, checks, None, "check")],
            )
        )
    return groups


def _payment_controls(
    query: QueryDict,
    feature: Feature,
    counts: ResultCounts,
    labels: dict[str, Any],
    language: str,
) -> list[Control]:
    choices = [(choice.key, _feature_label(choice, language)) for choice in feature.choices.all()]
    return [
        _tri(
            "anonymous_payment",
            labels["anonymous_payment"],
            query,
            lambda: counts.anonymous_payment(True),
            lambda: counts.anonymous_payment(False),
            "coin",
        ),
        _checkboxes("payment", labels["payment"], query, choices, counts.payment, "coin"),
    ]


def active_filters(groups: list[Group], query: QueryDict) -> list[ActiveFilter]:
    """Each active control as a chip whose link removes just that parameter (and the page's
    side-by-side choice stays)."""
    chips = []
    links = QueryLinks(query)
    for group in groups:
        for control in group.controls:
            if not control.active:
                continue
            chosen = [option.label for option in control.options if option.checked]
            if control.widget == "number":
                value: Any = control.value
            else:
                value = format_html_join(", ", "{}", ((label,) for label in chosen))
            chips.append(ActiveFilter(control.label, value, links.without(control.name)))
    return chips


# --- Markup ---------------------------------------------------------------------------------
# The filters are ~100 inputs on every comparison page. Their markup is joined from pieces kept
# per label and language (the labels, icons and counts recur on every page); only which option is
# checked and the counts change between pages. Every piece is escaped where it is made.


@lru_cache(maxsize=4096)
def _escaped(text: str, safe: bool) -> str:
    return text if safe else str(conditional_escape(text))


def _label_html(label: Any) -> str:
    text = str(label)
    return _escaped(text, isinstance(label, SafeData))


@lru_cache(maxsize=64)
def _icon(sprite: str, name: str) -> str:
    return format_html(
        '<svg class="icon" aria-hidden="true"><use href="{}#{}"></use></svg>', sprite, name
    )


def _option_html(control: Control, option: Option, language: str) -> str:
    kind = "checkbox" if control.widget == "checkboxes" else "radio"
    opening = _option_opening(
        kind, control.name, option.value, option.dom_id, option.checked, _label_html(option.label)
    )
    if option.count is None:
        return opening + "</label>"
    return opening + _count_html(option.count, language) + "</label>"


@lru_cache(maxsize=8192)
def _option_opening(
    kind: str, name: str, value: str, dom_id: str, checked: bool, label_html: str
) -> str:
    return format_html(
        '<input type="{}" name="{}" value="{}" id="{}"{}><label for="{}">{}',
        kind,
        name,
        value,
        dom_id,
        mark_safe(" checked") if checked else "",
        dom_id,
        mark_safe(label_html),  # noqa: S308 (escaped by _label_html)
    )


@lru_cache(maxsize=4096)
def _count_html(count: int, language: str) -> str:
    option = Option("", "", False, "", count)
    return format_html(
        ' <span class="option-count" aria-hidden="true">{}</span>'
        '<span class="visually-hidden"> ({})</span>',
        option.count_text,
        option.count_label,
    )


def _control_html(control: Control, group: Group, sprite: str, language: str) -> str:
    active = " active" if control.active else ""
    label = _label_html(control.label)
    if control.widget == "number":
        return format_html(
            '<div class="control number{}"><label for="f-{}">{}</label>'
            '<input type="number" name="{}" id="f-{}" value="{}" min="0" inputmode="numeric">'
            "</div>",
            active,
            control.name,
            mark_safe(label),  # noqa: S308 (escaped by _label_html)
            control.name,
            control.name,
            control.value,
        )
    icon = _icon(sprite, control.icon) if control.icon != group.icon else ""
    options = "".join(_option_html(control, option, language) for option in control.options)
    container = "segmented" if control.widget == "tri" else "choices"
    # control.widget is one of four fixed words; every other piece is escaped where it is made.
    return (
        f'<fieldset class="control {control.widget}{active}"><legend>{icon}{label}</legend>'
        f'<div class="{container}">{options}</div></fieldset>'
    )


def groups_html(groups: list[Group], sprite: str) -> SafeString:
    """Every group's fieldset, ready to place in the form."""
    language = get_language() or "en"
    parts = []
    for group in groups:
        active = " active" if group.active else ""
        controls = "".join(_control_html(c, group, sprite, language) for c in group.controls)
        parts.append(
            f'<fieldset class="filter-group{active}"><legend>{_icon(sprite, group.icon)}'
            f"{_label_html(group.label)}</legend>{controls}</fieldset>"
        )
    return mark_safe("".join(parts))  # noqa: S308 (each piece escaped where it is made)
