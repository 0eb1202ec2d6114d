"""Error pages: a database that cannot be reached is a 503 "try again shortly", not a 500.

Django hands every uncaught exception to `handler500`, from a view or from a middleware (the
session or the signed-in user, say), while the exception is still being handled; so this one
place can tell a database outage from a bug. The 503 page is rendered without a request context:
its context processors could need the database that is down.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template.loader import get_template
from django.utils import translation
from django.views import defaults

logger = logging.getLogger(__name__)

UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def server_error(request: HttpRequest) -> HttpResponse:
    exc = sys.exc_info()[1]
    if not isinstance(exc, UNAVAILABLE):
        return defaults.server_error(request)
    logger.error("database unavailable: %s", exc)
    language = translation.get_language_from_path(request.path_info) or translation.get_language()
    with translation.override(language):
        body = get_template("503.html").render(
            {
                "language": translation.get_language(),
                "bidi": translation.get_language_bidi(),
                "retry_after": RETRY_AFTER_SECONDS,
            }
        )
    response = HttpResponseServerError(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
