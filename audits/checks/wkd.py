"""`wkd`: OpenPGP Web Key Directory (draft-koch-openpgp-webkey-service).

Which method, by the draft's rule (section 3.1): the advanced method
(https://openpgpkey.<domain>/.well-known/openpgpkey/<domain>/...) whenever the host
openpgpkey.<domain> exists; the direct method (https://<domain>/.well-known/openpgpkey/...) only
when it does not exist in DNS. An advanced host that exists but serves nothing is a broken
directory, not a reason to fall back, and a lookup that fails leaves the method unknown (error).

What is judged: the policy file of the chosen method (section 4.5; a directory must serve it,
empty or not). With an address, also its key at hu/<hash>?l=<local part>: it must be a binary
OpenPGP key with a user ID that holds the address (section 3.1). The hash is z-base-32 of SHA-1
over the local part with only its ASCII letters lower-cased (audits/checks/openpgp.py).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.utils.translation import gettext_lazy as _

from audits.checks.openpgp import OpenPgpError, ascii_lower, user_ids, wkd_hash
from audits.checks.result import CheckResult, CheckStatus
from audits.net.config import NetConfig
from audits.net.guard import ForbiddenAddress
from audits.net.http import HttpError, HttpResponse, fetch
from providers.domains import DomainName, InvalidDomain, normalise_address, normalise_name

CHECK = "wkd"
MAX_KEY_BYTES = 256 * 1024  # a key with a few subkeys and signatures is well under this
MAX_POLICY_BYTES = 64 * 1024
MAX_FLAGS = 32
ADVANCED, DIRECT = "advanced", "direct"
# Problems that leave the verdict open, with what the check says about each.
_UNDECIDED = {
    "refused": _("Refused to connect to the Web Key Directory host: it has no public address."),
    "timeout": _("The Web Key Directory did not answer in time."),
    "dns": _("Could not tell whether the domain has a Web Key Directory."),
}


def wkd_base(domain: str, method: str) -> str:
    """The directory's base URL for an A-label domain under the "advanced" or "direct" method."""
    if method == ADVANCED:
        return f"https://openpgpkey.{domain}/.well-known/openpgpkey/{domain}"
    return f"https://{domain}/.well-known/openpgpkey"


def wkd_urls(address: str, method: str) -> tuple[str, str]:
    """(policy URL, key URL) for local@domain; the domain in A-labels (ASCII-lower-cased)."""
    local, _at, domain = address.rpartition("@")
    base = wkd_base(ascii_lower(domain), method)
    return f"{base}/policy", f"{base}/hu/{wkd_hash(local)}?l={quote(local, safe='')}"


def choose_method(domain: str, resolve: Callable[[str], list[str]]) -> tuple[str, str]:
    """(method, why) by the rule of section 3.1; raises whatever `resolve` raises on a failure."""
    host = f"openpgpkey.{domain}"
    if resolve(host):
        return ADVANCED, f"{host} exists in DNS, so the advanced method applies (section 3.1)"
    return DIRECT, f"{host} does not exist in DNS, so the direct method applies (section 3.1)"


def check_wkd(
    domain: str,
    *,
    address: str | None = None,
    resolve: Callable[[str], list[str]],
    config: NetConfig,
) -> CheckResult:
    """The Web Key Directory of `domain` (of the address's domain when an address is given)."""
    started = time.monotonic()
    details: dict[str, Any] = {}

    def result(status: CheckStatus, summary: Any) -> CheckResult:
        target = address or details.get("domain") or domain
        ms = (time.monotonic() - started) * 1000
        return CheckResult(CHECK, target, status, summary, details, duration_ms=ms)

    try:
        # Special-use names were refused where the name was typed; here only the form matters.
        if address:
            name = normalise_address(address, allow_test=True).domain
        else:
            name = normalise_name(domain, allow_test=True)
    except InvalidDomain as exc:
        details["error"] = str(exc)
        return result(CheckStatus.ERROR, _UNDECIDED["dns"])
    details["domain"] = name.ascii
    try:
        method, why = choose_method(name.ascii, resolve)
    except Exception as exc:  # any resolver failure: whether the host exists is unknown
        details["error"] = f"could not look up openpgpkey.{name.ascii}: {exc}"
        return result(CheckStatus.ERROR, _UNDECIDED["dns"])
    details.update(method=method, why=why)
    policy = _get(f"{wkd_base(name.ascii, method)}/policy", resolve, config, MAX_POLICY_BYTES)
    details["policy"] = policy
    if policy.get("kind") in _UNDECIDED:
        return result(CheckStatus.ERROR, _UNDECIDED[policy["kind"]])
    has_policy = policy.get("status") == 200 and not policy.get("truncated")
    if has_policy:
        policy["flags"] = policy_flags(policy.pop("text", ""))
    policy.pop("text", None)
    if address is None:
        if has_policy:
            return result(CheckStatus.PASS, _("The domain publishes a Web Key Directory."))
        return result(CheckStatus.FAIL, _missing(method))
    return _judge_key(address, name, method, has_policy, resolve, config, details, result)


def _judge_key(
    address: str,
    name: DomainName,
    method: str,
    has_policy: bool,
    resolve: Callable[[str], list[str]],
    config: NetConfig,
    details: dict[str, Any],
    result: Callable[[CheckStatus, Any], CheckResult],
) -> CheckResult:
    local = address.rpartition("@")[0]
    details.update(address=address, hash=wkd_hash(local))
    key_url = wkd_urls(f"{local}@{name.ascii}", method)[1]
    key = _get(key_url, resolve, config, MAX_KEY_BYTES, keep_body=True)
    body = key.pop("body", b"")
    details["key"] = key
    if key.get("kind") in _UNDECIDED:
        return result(CheckStatus.ERROR, _UNDECIDED[key["kind"]])
    if key.get("status") != 200 or key.get("truncated"):
        return result(CheckStatus.FAIL, _no_key(method, has_policy))
    try:
        uids = user_ids(body)
    except OpenPgpError as exc:
        key["message"] = f"not an OpenPGP key: {exc}"
        return result(CheckStatus.FAIL, _no_key(method, has_policy))
    key["user_ids"] = uids
    if not any(holds_address(uid, local, name) for uid in uids):
        return result(CheckStatus.FAIL, _("The published key has no user ID with the address."))
    if not has_policy:
        summary = _("The key is published, but the WKD policy file is missing.")
        return result(CheckStatus.WARN, summary)
    return result(CheckStatus.PASS, _("The key is published in the Web Key Directory."))


def _missing(method: str) -> Any:
    if method == ADVANCED:
        return _("The Web Key Directory host exists but serves no policy file.")
    return _("The domain has no Web Key Directory.")


def _no_key(method: str, has_policy: bool) -> Any:
    if has_policy:
        return _("The Web Key Directory has no key for the address.")
    if method == ADVANCED:
        return _missing(method)
    return _("No Web Key Directory for the address.")


def _get(
    url: str,
    resolve: Callable[[str], list[str]],
    config: NetConfig,
    cap: int,
    *,
    keep_body: bool = False,
) -> dict[str, Any]:
    """What fetching `url` gave: status (and body or text), or the kind of problem."""
    try:
        response: HttpResponse = fetch(url, resolve=resolve, config=config, max_bytes=cap)
    except ForbiddenAddress as exc:
        return {"url": url, "kind": "refused", "message": str(exc)}
    except HttpError as exc:
        return {"url": url, "kind": exc.kind, "message": str(exc)}
    found: dict[str, Any] = {"url": url, "status": response.status}
    if response.truncated:
        found.update(truncated=True, message=f"larger than {cap} bytes")
    if keep_body:
        found["body"] = response.body
    else:
        found["text"] = response.text
    return found


def policy_flags(text: str) -> dict[str, str | bool]:
    """The policy file's flags (section 4.5): "keyword" or "keyword: value" lines, # comments."""
    flags: dict[str, str | bool] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, sep, value = line.partition(":")
        flags[keyword.strip().lower()[:64]] = value.strip()[:256] if sep else True
        if len(flags) >= MAX_FLAGS:
            break  # the draft defines a handful; a hostile file must not bloat the stored details
    return flags


_ADDR_SPEC = re.compile(r"<([^<>]+)>")


def holds_address(user_id: str, local: str, domain: DomainName) -> bool:
    """Does the user ID ("Name <addr>" or a bare addr, RFC 9580 5.11) hold local@domain?

    Local parts compare with ASCII case folded only, as the hash does; domains by their A-labels,
    so a user ID with straße.de holds an address typed as xn--strae-oqa.de.
    """
    found = _ADDR_SPEC.search(user_id)
    candidate = (found.group(1) if found else user_id).strip()
    uid_local, at, uid_domain = candidate.rpartition("@")
    if not at or ascii_lower(uid_local) != ascii_lower(local):
        return False
    try:
        return normalise_name(uid_domain, allow_test=True).ascii == domain.ascii
    except InvalidDomain:
        return False
