"""The `dkim` check: DKIM public keys at <selector>._domainkey.<domain> (RFC 6376 3.6, RFC 8463).

Selectors cannot be listed through DNS, so the check tries the selectors it is given (the
domain's configured ones), AUDIT_DKIM_SELECTORS and a list of common ones.

Verdict over the keys found: RSA >= 2048 bits or Ed25519 pass; RSA 1024-2047 bits warn (RFC
8301 allows 1024 but it is factorable by a determined attacker); shorter RSA keys, unparsable
records and a domain whose only keys are revoked (empty p=, RFC 6376 3.6.1) fail. A weak key
next to a strong one still warns: anyone can sign with the selector that has the weak key.
No key found: fail when selectors were configured (they should exist), info otherwise (absence
at guessed selectors proves nothing).
"""

from __future__ import annotations

import base64
import binascii
import time
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key
from django.utils.translation import gettext_lazy as _

from audits.checks.mx import is_null_mx, not_applicable_for_null_mx
from audits.checks.result import CheckResult, CheckStatus
from audits.net.config import NetConfig
from audits.net.dns import DnsError, DnsTimeout, Resolver

CHECK = "dkim"
COMMON_SELECTORS = (
    "default",
    "selector1",
    "selector2",
    "google",
    "mail",
    "dkim",
    "k1",
    "s1",
    "s2",
)
MIN_RSA_BITS = 2048
WEAK_RSA_BITS = 1024


@dataclass(frozen=True)
class DkimKey:
    selector: str
    status: CheckStatus
    algorithm: str  # "rsa", "ed25519" or what the record said
    bits: int | None
    revoked: bool
    problem: str | None = None

    def as_dict(self) -> dict:
        return {
            "selector": self.selector,
            "status": self.status.value,
            "algorithm": self.algorithm,
            "bits": self.bits,
            "revoked": self.revoked,
            "problem": self.problem,
        }


def parse_tags(text: str) -> dict[str, str]:
    """RFC 6376 3.2 tag=value list; whitespace inside values (folding) is dropped for p=."""
    tags: dict[str, str] = {}
    for part in text.split(";"):
        name, sep, value = part.partition("=")
        if sep:
            tags[name.strip().lower()] = value.strip()
    return tags


def judge_key(selector: str, text: str) -> DkimKey:
    tags = parse_tags(text)
    version = tags.get("v")
    if version is not None and version != "DKIM1":
        return DkimKey(selector, CheckStatus.FAIL, "?", None, False, f"v={version} is not DKIM1")
    algorithm = tags.get("k", "rsa").lower()
    if "p" not in tags:
        return DkimKey(selector, CheckStatus.FAIL, algorithm, None, False, "no p= tag")
    encoded = "".join(tags["p"].split())
    if not encoded:
        return DkimKey(selector, CheckStatus.FAIL, algorithm, None, True, "revoked (empty p=)")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return DkimKey(selector, CheckStatus.FAIL, algorithm, None, False, "p= is not base64")
    if algorithm == "ed25519":
        # RFC 8463 4.2: the bare 32-byte public key, not an SPKI structure.
        if len(raw) != 32:
            return DkimKey(selector, CheckStatus.FAIL, algorithm, None, False, "bad Ed25519 key")
        return DkimKey(selector, CheckStatus.PASS, algorithm, 256, False)
    if algorithm != "rsa":
        return DkimKey(selector, CheckStatus.FAIL, algorithm, None, False, "unknown k=")
    try:
        key = load_der_public_key(raw)
    except ValueError:
        return DkimKey(selector, CheckStatus.FAIL, algorithm, None, False, "unreadable RSA key")
    if not isinstance(key, rsa.RSAPublicKey):
        return DkimKey(selector, CheckStatus.FAIL, algorithm, None, False, "k=rsa but not RSA")
    bits = key.key_size
    if bits >= MIN_RSA_BITS:
        return DkimKey(selector, CheckStatus.PASS, algorithm, bits, False)
    if bits >= WEAK_RSA_BITS:
        return DkimKey(selector, CheckStatus.WARN, algorithm, bits, False, "RSA under 2048 bits")
    return DkimKey(selector, CheckStatus.FAIL, algorithm, bits, False, "RSA under 1024 bits")


def check_dkim(
    domain: str, dns: Resolver, config: NetConfig, selectors: tuple[str, ...] = ()
) -> CheckResult:
    """DKIM keys of `domain` for `selectors` plus configured and common ones (RFC 6376 3.6.2)."""
    started = time.monotonic()

    def result(status: CheckStatus, summary: str, details: dict) -> CheckResult:
        return CheckResult(
            CHECK, domain, status, summary, details, (time.monotonic() - started) * 1000
        )

    if is_null_mx(domain, dns):
        return not_applicable_for_null_mx(CHECK, domain)
    configured = tuple(dict.fromkeys((*selectors, *config.dkim_selectors)))
    tried = tuple(dict.fromkeys((*configured, *COMMON_SELECTORS)))
    keys: list[DkimKey] = []
    errors: dict[str, str] = {}
    answered = 0
    for selector in tried:
        try:
            answer = dns.query(f"{selector}._domainkey.{domain}", "TXT")
        except DnsTimeout as exc:
            # The resolver is not answering: more selectors would only add more timeouts.
            errors[selector] = str(exc)
            break
        except DnsError as exc:
            # A guessed selector that fails is noise; a configured one is a real problem.
            if selector in configured or not answered:
                errors[selector] = str(exc)
            continue
        answered += 1
        for text in answer.records:
            if "p=" in text or text.lstrip().startswith("v=DKIM1"):
                keys.append(judge_key(selector, text))
    details = {
        "selectors_tried": list(tried),
        "keys": [k.as_dict() for k in keys],
        "errors": errors,
    }
    if not keys:
        if errors and (not answered or any(s in errors for s in configured)):
            return result(CheckStatus.ERROR, _("The DKIM keys could not be looked up."), details)
        if configured:
            summary = _("No DKIM key is published at the configured selectors.")
            return result(CheckStatus.FAIL, summary, details)
        summary = _("No DKIM key found at common selectors; configure the domain's selector.")
        return result(CheckStatus.INFO, summary, details)
    live = [k for k in keys if not k.revoked]
    if not live:
        return result(
            CheckStatus.FAIL, _("The only DKIM keys found are revoked (empty p=)."), details
        )
    if any(k.status is CheckStatus.FAIL for k in live):
        return result(CheckStatus.FAIL, _("A DKIM key is unusable or too short."), details)
    if any(k.status is CheckStatus.WARN for k in live):
        return result(CheckStatus.WARN, _("A DKIM key is RSA shorter than 2048 bits."), details)
    return result(CheckStatus.PASS, _("DKIM keys are published: RSA 2048+ or Ed25519."), details)
