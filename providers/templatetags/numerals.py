"""Numbers in the page's own digits: `{{ count|number }}` ("۱٬۲۰۰" on /fa/), `{{ year|digits }}`
("۲۰۱۳": a year is written without grouping)."""

from __future__ import annotations

from django import template

from providers.numbers import localized_digits, localized_number

register = template.Library()


@register.filter(name="number")
def number_filter(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return localized_number(value)


@register.filter(name="digits")
def digits_filter(value: object) -> object:
    if value is None or value == "":
        return value
    return localized_digits(str(value))
