"""`wkd`: OpenPGP Web Key Directory (draft-koch-openpgp-webkey-service, section 3.1).

The advanced method (https://openpgpkey.<domain>/.well-known/openpgpkey/<domain>/...) is tried
first; when it yields no key, the direct method (https://<domain>/.well-known/openpgpkey/...).
A method counts when its policy file exists (section 4.5) and the key at hu/<hash> holds a user ID
with the address. A key without a policy file warns.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.utils.translation import gettext_lazy as _

from audits.checks.openpgp import OpenPgpError, user_id_has_address, user_ids, wkd_hash
from audits.checks.result import CheckResult, CheckStatus
from audits.net.config import NetConfig
from audits.net.guard import ForbiddenAddress
from audits.net.http import HttpError, fetch

MAX_KEY_BYTES = 256 * 1024  # a key with a few subkeys and signatures is well under this


def wkd_urls(address: str, method: str) -> tuple[str, str]:
    """(policy URL, key URL) for an address under the "advanced" or "direct" method."""
    local, _at, domain = address.rpartition("@")
    domain = domain.lower()
    query = "?l=" + quote(local, safe="")
    if method == "advanced":
        base = f"https://openpgpkey.{domain}/.well-known/openpgpkey/{domain}"
    else:
        base = f"https://{domain}/.well-known/openpgpkey"
    return f"{base}/policy", f"{base}/hu/{wkd_hash(local)}{query}"


def _try(
    method: str, address: str, resolve: Callable[[str], list[str]], config: NetConfig
) -> dict[str, Any]:
    policy_url, key_url = wkd_urls(address, method)
    outcome: dict[str, Any] = {"method": method, "key_url": key_url}
    try:
        key = fetch(key_url, resolve=resolve, config=config, max_bytes=MAX_KEY_BYTES)
        if key.status != 200:
            return {**outcome, "found": False, "message": f"key URL answered {key.status}"}
        if key.truncated:
            return {**outcome, "found": False, "message": "key larger than the size cap"}
        try:
            uids = user_ids(key.body)
        except OpenPgpError as exc:
            return {**outcome, "found": False, "message": f"not an OpenPGP key: {exc}"}
        matching = [u for u in uids if user_id_has_address(u, address)]
        outcome.update(user_ids=uids, found=True, matches=bool(matching))
        policy = fetch(policy_url, resolve=resolve, config=config, max_bytes=64 * 1024)
        outcome["policy"] = policy.status == 200
    except (HttpError, ForbiddenAddress) as exc:
        kind = exc.kind if isinstance(exc, HttpError) else "forbidden"
        return {**outcome, "found": False, "message": str(exc), "kind": kind}
    return outcome


def check_wkd(
    address: str | None, *, resolve: Callable[[str], list[str]], config: NetConfig
) -> CheckResult:
    started = time.monotonic()
    if not address or "@" not in address:
        return CheckResult(
            "wkd", address or "", CheckStatus.NOT_APPLICABLE, _("No address to look up.")
        )
    attempts = [_try("advanced", address, resolve, config)]
    if not attempts[0].get("matches"):
        attempts.append(_try("direct", address, resolve, config))
    details: dict[str, Any] = {
        "address": address,
        "hash": wkd_hash(address.rpartition("@")[0]),
        "attempts": attempts,
    }
    good = next((a for a in attempts if a.get("matches")), None)
    if good is not None and good.get("policy"):
        status, summary = CheckStatus.PASS, _("The key is published in the Web Key Directory.")
    elif good is not None:
        status, summary = (
            CheckStatus.WARN,
            _("The key is published, but the WKD policy file is missing."),
        )
    elif any(a.get("found") for a in attempts):
        status, summary = CheckStatus.FAIL, _("The published key has no user ID with the address.")
    elif all(a.get("kind") == "timeout" for a in attempts):
        status, summary = CheckStatus.ERROR, _("The Web Key Directory did not answer in time.")
    else:
        # No host, no key or a broken name: for the reader all mean "no WKD"; details say which.
        status, summary = CheckStatus.FAIL, _("No Web Key Directory for the address.")
    return CheckResult(
        "wkd", address, status, summary, details, duration_ms=(time.monotonic() - started) * 1000
    )
