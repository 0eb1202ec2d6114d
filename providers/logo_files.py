"""Stored logos served by the site itself, in development and production alike.

Pages load logos from their own origin (the CSP's `img-src 'self'`) and never from a provider's
site. WhiteNoise serves only the files collected at start-up, and an upload arrives later, so
this small view serves them instead: cookie-free, and cached for good since a logo's name is made
from its content (providers/logos.py), so a changed logo is a new URL.
"""

from __future__ import annotations

import re

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import condition, require_safe

from .logos import logo_storage

# The only names LogoStorage writes; anything else (a path, a dot file) is not looked up at all.
NAME = re.compile(r"[0-9a-f]{32}\.(svg|png)")
CONTENT_TYPES = {"svg": "image/svg+xml", "png": "image/png"}
# A cleaned SVG has nothing that runs, but opened on its own it would be a document of our
# origin: give it no script, no request of its own and an opaque origin all the same.
FILE_POLICY = "default-src 'none'; sandbox"


@require_safe
@condition(etag_func=lambda request, name: name)
def logo_file(request: HttpRequest, name: str) -> FileResponse:
    match = NAME.fullmatch(name)
    if match is None:
        raise Http404
    try:
        handle = logo_storage().open(f"logos/{name}", "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=CONTENT_TYPES[match.group(1)])
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["Content-Security-Policy"] = FILE_POLICY
    return response
