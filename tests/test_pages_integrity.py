"""The public pages practise what the criteria ask: every stylesheet and script carries
Subresource Integrity that matches the bytes served, so the portal's own `sri` check passes."""

from __future__ import annotations

import base64
import hashlib
import re

from audits.checks.result import CheckStatus
from audits.checks.web import judge_sri


def test_the_stylesheet_integrity_matches_the_served_file(seeded, client):
    page = client.get("/en/").content.decode()
    link = re.search(r'<link rel="stylesheet" href="([^"]+)" integrity="([^"]+)">', page)
    assert link is not None
    href, integrity = link.groups()
    served = b"".join(client.get(href).streaming_content)
    expected = "sha384-" + base64.b64encode(hashlib.sha384(served).digest()).decode()
    assert integrity == expected


def test_the_portals_own_sri_check_passes_on_its_pages(seeded, client):
    for path in ("/en/", "/ckb/compare/", "/fa/services/proton-mail/", "/de/criteria/"):
        html = client.get(path).content.decode()
        status, _summary, details = judge_sri(html, f"https://mailvet.example{path}")
        assert status == CheckStatus.PASS, (path, details)
        assert details["resources"] >= 1
