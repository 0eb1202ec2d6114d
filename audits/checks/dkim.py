"""The `dkim` check: DKIM public keys at <selector>._domainkey.<domain> (RFC 6376 3.6, RFC 8463).

Selectors cannot be listed through DNS, so the check tries the selectors it is given (the
domain's configured ones), AUDIT_DKIM_SELECTORS and a list of common ones.

Verdict over the keys found: RSA >= 2048 bits or Ed25519 pass; RSA 1024-2047 bits warn (RFC
8301 allows 1024 but it is factorable by a determined attacker); shorter RSA keys, unparsable
records and a domain whose only keys are revoked (empty p=, RFC 6376 3.6.1) fail, and so do keys
no email verifier may use (unknown k=, an h= without sha256, an s= without email or *; see
dkim_parser.py). A key in testing mode (t=y) warns. A weak key next to a strong one still
warns: anyone can sign with the selector that has the weak key.
No key found: fail when selectors were configured (they should exist), info otherwise (absence
at guessed selectors proves nothing).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key
from django.utils.translation import gettext_lazy as _

from audits.checks.dkim_parser import DkimKeySyntaxError, looks_like_key_record, parse_key_record
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
    testing: bool = False  # t=y (RFC 6376 3.6.1)

    def as_dict(self) -> dict:
        return {
            "selector": self.selector,
            "status": self.status.value,
            "algorithm": self.algorithm,
            "bits": self.bits,
            "revoked": self.revoked,
            "problem": self.problem,
            "testing": self.testing,
        }


def judge_key(selector: str, text: str) -> DkimKey:
    """One key record: well formed and usable for email (dkim_parser), then how strong."""
    try:
        record = parse_key_record(text)
    except DkimKeySyntaxError as exc:
        return DkimKey(selector, CheckStatus.FAIL, "?", None, False, str(exc))
    algorithm = record.key_type
    if record.revoked:
        return DkimKey(selector, CheckStatus.FAIL, algorithm, None, True, "revoked (empty p=)")
    if record.problem:
        return DkimKey(selector, CheckStatus.FAIL, algorithm, None, False, record.problem)
    judged = _strength(selector, algorithm, record.public_key)
    if record.testing and judged.status is not CheckStatus.FAIL:
        # RFC 6376 3.6.1 t=y: verifiers "MUST NOT treat messages from Signers in testing mode
        # differently from unsigned email", so the key protects nothing yet.
        problem = "; ".join(filter(None, (judged.problem, "testing mode (t=y)")))
        return replace(judged, status=CheckStatus.WARN, problem=problem, testing=True)
    return judged


def _strength(selector: str, algorithm: str, raw: bytes) -> DkimKey:
    if algorithm == "ed25519":
        # RFC 8463 4.2: the bare 32-byte public key, not an SPKI structure.
        if len(raw) != 32:
            return DkimKey(selector, CheckStatus.FAIL, algorithm, None, False, "bad Ed25519 key")
        return DkimKey(selector, CheckStatus.PASS, algorithm, 256, False)
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
            if looks_like_key_record(text):
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
    if any(k.status is CheckStatus.WARN and not k.testing for k in live):
        return result(CheckStatus.WARN, _("A DKIM key is RSA shorter than 2048 bits."), details)
    if any(k.testing for k in live):
        summary = _("A DKIM key is in testing mode (t=y): verifiers treat its mail as unsigned.")
        return result(CheckStatus.WARN, summary, details)
    return result(CheckStatus.PASS, _("DKIM keys are published: RSA 2048+ or Ed25519."), details)
