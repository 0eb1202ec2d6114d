"""`{% load integrity %}{% stylesheet 'css/site.css' %}`: our own stylesheets with Subresource
Integrity, as the criteria ask of every provider's webmail.

The digest is of the file as it is served: in production the collected, hashed copy (its CSS
`url()`s rewritten by the manifest storage), in development the source file. Computed once per
file and process; collected files do not change while the process runs.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from django import template
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


def served_file(path: str) -> str:
    """The filesystem path of the bytes a browser gets for static `path`."""
    stored_name = getattr(staticfiles_storage, "stored_name", None)
    if stored_name is not None:  # a manifest storage: the hashed, post-processed copy
        return staticfiles_storage.path(stored_name(path))
    found = finders.find(path)
    if not found:
        raise FileNotFoundError(f"static file {path!r} not found")
    return str(found)


@lru_cache(maxsize=64)
def integrity(path: str) -> str:
    with open(served_file(path), "rb") as handle:
        digest = hashlib.sha384(handle.read()).digest()
    return "sha384-" + base64.b64encode(digest).decode("ascii")


@register.simple_tag
def stylesheet(path: str) -> SafeString:
    return format_html(
        '<link rel="stylesheet" href="{}" integrity="{}">', static(path), integrity(path)
    )
