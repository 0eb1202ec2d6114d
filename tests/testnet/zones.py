"""The one description of the local test network: zones, hosts, servers and expected check results.

Two halves:

- ZONES says what exists: DNS records, hosts (one loopback address each) and the servers on them.
  The rest of the package renders zone files, certificates and servers from it.
- DOMAINS says what the checks must find when pointed at a domain: the inputs a check run needs
  (MX hosts, web host, submission host, DKIM selectors, WKD address) and the expected status per
  check key. Check tests read their expectations from here, never from a copy.

Addresses are 127.<subnet>.<zone.index>.<host.octet>; the subnet is picked per running instance
(see layout.py), so two test networks (two pytest runs, say) can run side by side.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from tests.testnet import content

Status = Literal["pass", "warn", "fail", "error", "info", "not_applicable"]

CHECK_KEYS: tuple[str, ...] = (
    "dnssec",
    "mx",
    "spf",
    "dmarc",
    "dkim",
    "mta_sts",
    "tls_rpt",
    "dane",
    "caa",
    "starttls",
    "smtps_submission",
    "tls_web",
    "tls_mail",
    "hsts",
    "csp",
    "sri",
    "https_redirect",
    "wkd",
)

# Standard port -> the high port the test servers listen on (AUDIT_PORT_OVERRIDES).
PORT_OVERRIDES: Mapping[int, int] = {443: 8443, 80: 8080, 25: 2525, 465: 4465, 587: 5587}
HTTPS_PORT = PORT_OVERRIDES[443]
HTTP_PORT = PORT_OVERRIDES[80]
SMTP_PORT = PORT_OVERRIDES[25]
SMTPS_PORT = PORT_OVERRIDES[465]
SUBMISSION_PORT = PORT_OVERRIDES[587]
ALL_SERVICE_PORTS: tuple[int, ...] = tuple(PORT_OVERRIDES.values())

# Unbound listens on 127.<subnet>.0.1 and Knot on 127.<subnet>.0.2, both on this port.
DNS_PORT = 5300
RESOLVER_OCTET = 1
AUTHORITATIVE_OCTET = 2


class Signing(enum.Enum):
    UNSIGNED = "unsigned"
    # Knot signs the zone itself (policy ecdsap256sha256); Unbound trusts `keymgr ds`.
    AUTO = "auto"
    # Signed here with dnspython and served as is; records marked `expired` get RRSIGs whose
    # validity ended 30 days ago, everything else (DNSKEY included) validates.
    PRESIGNED = "presigned"


class TlsProfile(enum.Enum):
    # TLS 1.2/1.3 with ECDHE and AEAD suites only, ECDSA certificate: what a passing server offers.
    MODERN = "modern"
    # TLS 1.0 and up, OpenSSL security level 0, an RSA certificate so that DHE suites exist, and
    # a 1024-bit DH group: what `tls_web`/`tls_mail` must fail (RFC 8996, RFC 9325 4.1).
    LEGACY = "legacy"
    # TLS 1.2/1.3, an RSA certificate, forward-secret AEAD suites AND two weak TLS 1.2 suites
    # (AES128-GCM-SHA256: no forward secrecy; ECDHE-RSA-AES128-SHA: CBC, no AEAD), in three
    # orders (tests/testnet/tls.py) that the measurement of a server suite preference tells apart.
    # An enforced server order with every strong suite before the weak ones (RFC 9325 4.2.1):
    MIXED_STRONG_FIRST = "mixed-strong-first"
    # No server preference: the server takes the first suite of the client's list it accepts.
    MIXED_CLIENT_ORDER = "mixed-client-order"
    # A server order with a weak suite between two strong ones: its first choice is strong, but a
    # client offering that weak suite and a lower strong one gets the weak one.
    MIXED_INTERLEAVED = "mixed-interleaved"

    @property
    def rsa_certificate(self) -> bool:
        """DHE and static-RSA suites need an RSA key (an ECDSA one only signs ECDHE)."""
        return self is not TlsProfile.MODERN


@dataclass(frozen=True)
class WkdKey:
    """Page body placeholder: the binary OpenPGP public key made (with gpg) for this address."""

    address: str


@dataclass(frozen=True)
class Page:
    path: str
    body: str | WkdKey = ""
    status: int = 200
    content_type: str = "text/plain; charset=utf-8"
    location: str | None = None


@dataclass(frozen=True)
class Site:
    pages: tuple[Page, ...]
    # Sent with every response of this site (over HTTPS; HSTS is never sent over plain HTTP).
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Https:
    site: Site
    tls: TlsProfile = TlsProfile.MODERN
    port: int = HTTPS_PORT


@dataclass(frozen=True)
class Http:
    # None: every request is answered with a 301 to the same URL over https.
    site: Site | None = None
    port: int = HTTP_PORT


@dataclass(frozen=True)
class Smtp:
    port: int
    implicit_tls: bool = False
    tls: TlsProfile = TlsProfile.MODERN
    # Submission refuses MAIL before STARTTLS; an MX takes plaintext too, as real MX hosts do.
    require_starttls: bool = False


@dataclass(frozen=True)
class Tarpit:
    """Accepts TCP connections and never sends a byte."""

    ports: tuple[int, ...] = ALL_SERVICE_PORTS


@dataclass(frozen=True)
class Reset:
    """Accepts TCP connections and resets them at once (RST, not FIN)."""

    ports: tuple[int, ...] = ALL_SERVICE_PORTS


Service = Https | Http | Smtp | Tarpit | Reset


@dataclass(frozen=True)
class Host:
    """One loopback address; `names` are labels relative to the zone ("@" is the apex)."""

    names: tuple[str, ...]
    octet: int
    services: tuple[Service, ...] = ()

    @property
    def has_tls(self) -> bool:
        return any(isinstance(s, Https | Smtp) for s in self.services)

    @property
    def rsa_certificate(self) -> bool:
        """Legacy and mixed servers get an RSA key: DHE and static-RSA suites need one."""
        return any(getattr(s, "tls", TlsProfile.MODERN).rsa_certificate for s in self.services)


@dataclass(frozen=True)
class Record:
    owner: str
    rtype: str
    rdata: str


def txt(owner: str, *strings: str) -> Record:
    """A TXT record; each argument is one logical string, split into 255-byte chunks."""
    chunks: list[str] = []
    for value in strings:
        chunks += [value[i : i + 255] for i in range(0, len(value), 255)] or [""]
    rdata = " ".join('"' + c.replace("\\", "\\\\").replace('"', '\\"') + '"' for c in chunks)
    return Record(owner, "TXT", rdata)


@dataclass(frozen=True)
class DkimKey:
    selector: str
    algorithm: Literal["rsa", "ed25519"] = "rsa"
    bits: int = 2048
    revoked: bool = False  # publish an empty p= (RFC 6376 3.6.1)


@dataclass(frozen=True)
class Tlsa:
    """A TLSA record for a host's SMTP server, or a deliberately wrong one.

    Usage 3 gives `3 1 1` over the host's own key (DANE-EE); usage 2 gives `2 0 1` over the
    test CA's certificate (DANE-TA), which the servers send after their leaf.
    """

    host: str
    port: int = 25
    matches: bool = True
    usage: Literal[2, 3] = 3


@dataclass(frozen=True)
class Zone:
    name: str
    index: int
    signing: Signing
    hosts: tuple[Host, ...] = ()
    records: tuple[Record, ...] = ()
    dkim: tuple[DkimKey, ...] = ()
    tlsa: tuple[Tlsa, ...] = ()
    # PRESIGNED zones: (owner label, type) of the RRsets whose signatures have expired.
    expired_rrsets: tuple[tuple[str, str], ...] = ()

    def fqdn(self, label: str) -> str:
        return self.name if label == "@" else f"{label}.{self.name}"

    def host_named(self, label: str) -> Host:
        for host in self.hosts:
            if label in host.names:
                return host
        raise KeyError(f"{label} is not a host of {self.name}")


@dataclass(frozen=True)
class Domain:
    """A domain the checks are pointed at, the inputs a run needs, and what each check finds."""

    name: str
    mx: tuple[str, ...] = ()
    web: str | None = None
    submission: str | None = None
    dkim_selectors: tuple[str, ...] = ()
    wkd_address: str | None = None
    expect: Mapping[str, Status] = field(default_factory=dict, compare=False)
    notes: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------------
# good.test: passes every check.

GOOD_POLICY = content.mta_sts_policy("enforce", ["mx.good.test"], 604800)
GOOD_CSP = "default-src 'self'; script-src 'self'"
GOOD_HSTS = "max-age=31536000; includeSubDomains"
GOOD_WKD_ADDRESS = "alice@good.test"
_GOOD_HOME = content.homepage("good.test", with_integrity=True)
_STATIC_PAGES = (
    Page("/static/app.js", content.APP_JS, content_type="text/javascript"),
    Page("/static/style.css", content.STYLE_CSS, content_type="text/css"),
)

GOOD = Zone(
    name="good.test",
    index=1,
    signing=Signing.AUTO,
    hosts=(
        Host(
            ("@", "www"),
            10,
            (
                Https(
                    Site(
                        (
                            Page("/", _GOOD_HOME, content_type="text/html; charset=utf-8"),
                            *_STATIC_PAGES,
                            # WKD direct method too, for the fallback path of the check.
                            Page("/.well-known/openpgpkey/policy"),
                            Page(
                                content.wkd_direct_path(GOOD_WKD_ADDRESS),
                                WkdKey(GOOD_WKD_ADDRESS),
                                content_type="application/octet-stream",
                            ),
                        ),
                        headers=(
                            ("Strict-Transport-Security", GOOD_HSTS),
                            ("Content-Security-Policy", GOOD_CSP),
                        ),
                    )
                ),
                Http(),
            ),
        ),
        Host(
            ("mta-sts",),
            11,
            (Https(Site((Page("/.well-known/mta-sts.txt", GOOD_POLICY),))),),
        ),
        Host(
            ("openpgpkey",),
            12,
            (
                Https(
                    Site(
                        (
                            Page("/.well-known/openpgpkey/good.test/policy"),
                            Page(
                                content.wkd_advanced_path(GOOD_WKD_ADDRESS),
                                WkdKey(GOOD_WKD_ADDRESS),
                                content_type="application/octet-stream",
                            ),
                        )
                    )
                ),
            ),
        ),
        Host(("mx",), 25, (Smtp(SMTP_PORT),)),
        Host(
            ("smtp",),
            26,
            (Smtp(SMTPS_PORT, implicit_tls=True), Smtp(SUBMISSION_PORT, require_starttls=True)),
        ),
        # An MX whose only TLSA record pins the issuing CA (DANE-TA) rather than its own key.
        Host(("mx-ta",), 27, (Smtp(SMTP_PORT),)),
        # The portal itself, served by tests/test_dogfooding.py (gunicorn): DNS only here.
        Host(("portal",), 40),
    ),
    records=(
        Record("@", "MX", "10 mx.good.test."),
        txt("@", "v=spf1 mx -all"),
        # Two strings on purpose: the check must concatenate them (RFC 7489 6.6.3 / RFC 7208 3.3).
        txt("_dmarc", "v=DMARC1; p=reject; sp=reject; pct=100; ", "rua=mailto:dmarc@good.test"),
        txt("_mta-sts", "v=STSv1; id=20260101T000000"),
        txt("_smtp._tls", "v=TLSRPTv1; rua=mailto:tls-reports@good.test"),
        Record("@", "CAA", '0 issue "ca.good.test"'),
        Record("@", "CAA", '0 iodef "mailto:security@good.test"'),
        Record("_submissions._tcp", "SRV", "0 1 465 smtp.good.test."),
        Record("_submission._tcp", "SRV", "0 1 587 smtp.good.test."),
    ),
    dkim=(DkimKey("mail", "rsa", 2048), DkimKey("ed", "ed25519")),
    tlsa=(Tlsa("mx"), Tlsa("mx-ta", usage=2)),
)

# ---------------------------------------------------------------------------------------------
# weak.test: unsigned and lax everywhere, but nothing is unreachable.

_WEAK_HOME = content.homepage(
    "weak.test",
    with_integrity=False,
    extra_head='<script src="https://cdn.weakcdn.test/lib.js"></script>\n'
    "<script>document.title += '';</script>\n",
)
_WEAK_SITE = Site(
    (Page("/", _WEAK_HOME, content_type="text/html; charset=utf-8"), *_STATIC_PAGES),
)

WEAK = Zone(
    name="weak.test",
    index=2,
    signing=Signing.UNSIGNED,
    hosts=(
        # Plain HTTP serves the page itself: no redirect to https.
        Host(("@", "www"), 10, (Https(_WEAK_SITE, TlsProfile.LEGACY), Http(_WEAK_SITE))),
        Host(("mx",), 25, (Smtp(SMTP_PORT, tls=TlsProfile.LEGACY),)),
        Host(
            ("smtp",),
            26,
            (Smtp(SUBMISSION_PORT, tls=TlsProfile.LEGACY, require_starttls=True),),
        ),
    ),
    records=(
        Record("@", "MX", "10 mx.weak.test."),
        # An MX target that is a CNAME (RFC 5321 5.1 forbids it): the mx check flags it.
        Record("@", "MX", "20 mx2.weak.test."),
        Record("mx2", "CNAME", "mx.weak.test."),
        txt("@", "v=spf1 mx ~all"),
        txt("_dmarc", "v=DMARC1; p=none"),
        Record("_submission._tcp", "SRV", "0 1 587 smtp.weak.test."),
    ),
    dkim=(DkimKey("mail", "rsa", 1024),),
)

# ---------------------------------------------------------------------------------------------
# broken.test: expired signatures and a defect for every check.

BROKEN_FOREIGN_POLICY = content.mta_sts_policy("enforce", ["mail.elsewhere.test"], 86400)
# Over the 64 KiB cap of RFC 8461 3.3, served for big.broken.test.
BROKEN_OVERSIZED_POLICY = content.mta_sts_policy(
    "enforce", ["mx.broken.test"], 86400, padding=70 * 1024
)
_SPF_HOSTS = tuple(f"h{i}" for i in range(1, 11))


def _spf_a_terms(hosts: tuple[str, ...]) -> str:
    return "v=spf1 " + " ".join(f"a:{h}.broken.test" for h in hosts) + " -all"


BROKEN = Zone(
    name="broken.test",
    index=3,
    signing=Signing.PRESIGNED,
    hosts=(
        Host(("mx",), 25, (Smtp(SMTP_PORT),)),
        Host(
            ("mta-sts",),
            11,
            (
                Https(
                    Site(
                        (
                            # A redirect, which RFC 8461 3.3 forbids following ...
                            Page(
                                "/.well-known/mta-sts.txt",
                                status=301,
                                location="https://mta-sts.broken.test/policy.txt",
                            ),
                            # ... to a policy that does not cover the MX anyway.
                            Page("/policy.txt", BROKEN_FOREIGN_POLICY),
                        )
                    )
                ),
            ),
        ),
        Host(
            ("mta-sts.big",),
            13,
            (Https(Site((Page("/.well-known/mta-sts.txt", BROKEN_OVERSIZED_POLICY),))),),
        ),
        Host(("@", "www", "smtp", "reset"), 98, (Reset(),)),
        Host(("tarpit",), 99, (Tarpit(),)),
        # Targets of the SPF lookup-count record: they resolve, so only the count is wrong.
        Host(_SPF_HOSTS, 200),
    ),
    records=(
        Record("@", "MX", "10 mx.broken.test."),
        Record("@", "MX", "20 tarpit.broken.test."),
        txt("@", "v=spf1 include:spf-loop.broken.test include:spf-many.broken.test -all"),
        txt("spf-loop", "v=spf1 include:spf-loop2.broken.test -all"),
        txt("spf-loop2", "v=spf1 include:spf-loop.broken.test -all"),
        txt("spf-many", "v=spf1 include:spf-many1.broken.test include:spf-many2.broken.test -all"),
        txt(
            "spf-many1",
            "v=spf1 " + " ".join(f"a:{h}.broken.test" for h in _SPF_HOSTS[:5]) + " -all",
        ),
        txt(
            "spf-many2",
            "v=spf1 " + " ".join(f"a:{h}.broken.test" for h in _SPF_HOSTS[5:]) + " -all",
        ),
        txt("_dmarc", "v=DMARC1; p=reject; rua=mailto:dmarc@broken.test"),
        txt("_dmarc", "v=DMARC1; p=none"),
        txt("_mta-sts", "v=STSv1; id=1"),
        txt("_smtp._tls", "v=TLSRPTv1; rua=ftp://reports.broken.test/"),
        Record("@", "CAA", '0 issue "ca.broken.test; key"'),
        Record("@", "CAA", '0 iodef "not-a-url"'),
        Record("_submissions._tcp", "SRV", "0 1 465 reset.broken.test."),
        Record("big", "MX", "10 mx.broken.test."),
        txt("_mta-sts.big", "v=STSv1; id=2"),
    ),
    dkim=(DkimKey("mail", revoked=True),),
    tlsa=(Tlsa("mx", matches=False),),
    # A validating resolver answers SERVFAIL for these and +CD returns the data. Only these: the
    # DNSKEY and the other RRsets validate, so the other defects stay visible to the checks.
    # Negative answers carry the SOA, so every NXDOMAIN/NODATA inside broken.test is bogus too.
    expired_rrsets=(("@", "SOA"), ("@", "A")),
)

# ---------------------------------------------------------------------------------------------
# nullmx.test: accepts no mail (RFC 7505), signed, no web.

NULLMX = Zone(
    name="nullmx.test",
    index=4,
    signing=Signing.AUTO,
    records=(
        Record("@", "MX", "0 ."),
        txt("@", "v=spf1 -all"),
        txt("_dmarc", "v=DMARC1; p=reject"),
    ),
)

ZONES: tuple[Zone, ...] = (GOOD, WEAK, BROKEN, NULLMX)


def zone_named(name: str) -> Zone:
    for zone in ZONES:
        if zone.name == name:
            return zone
    raise KeyError(name)


# ---------------------------------------------------------------------------------------------
# What the checks must find.

_MAIL_CHECKS = ("dkim", "mta_sts", "tls_rpt", "dane", "starttls", "smtps_submission", "tls_mail")

DOMAINS: tuple[Domain, ...] = (
    Domain(
        "good.test",
        mx=("mx.good.test",),
        web="www.good.test",
        submission="smtp.good.test",
        dkim_selectors=("mail", "ed"),
        wkd_address=GOOD_WKD_ADDRESS,
        expect=dict.fromkeys(CHECK_KEYS, "pass"),
    ),
    Domain(
        "weak.test",
        mx=("mx.weak.test", "mx2.weak.test"),
        web="www.weak.test",
        submission="smtp.weak.test",
        dkim_selectors=("mail",),
        wkd_address="alice@weak.test",
        expect={
            "dnssec": "fail",  # insecure: no AD, but not bogus
            "mx": "warn",  # mx2.weak.test is a CNAME
            "spf": "pass",  # ~all: valid (the criterion asks for "valid" SPF)
            "dmarc": "fail",  # p=none
            "dkim": "warn",  # RSA-1024
            "mta_sts": "fail",  # no record
            "tls_rpt": "fail",  # no record
            "dane": "fail",  # no TLSA, zone insecure
            "caa": "fail",  # no CAA
            "starttls": "pass",  # offered, and TLS 1.3 is negotiated with a modern client
            "smtps_submission": "warn",  # STARTTLS on 587 only, no implicit TLS (SMTPS)
            "tls_web": "fail",  # TLS 1.0 accepted, CBC suites, a 1024-bit DH group
            "tls_mail": "fail",  # the same on the MX
            "hsts": "fail",
            "csp": "fail",
            "sri": "fail",  # a script from another domain (weakcdn.test) without integrity
            "https_redirect": "fail",  # http answers 200
            "wkd": "fail",  # no openpgpkey host, no direct method
        },
    ),
    Domain(
        "broken.test",
        mx=("mx.broken.test", "tarpit.broken.test"),
        web="www.broken.test",
        submission="smtp.broken.test",
        dkim_selectors=("mail",),
        wkd_address="alice@broken.test",
        expect={
            "dnssec": "fail",  # bogus: expired RRSIG on SOA (SERVFAIL, data with +CD)
            "mx": "pass",  # both MX hosts resolve
            "spf": "fail",  # include loop and 12 DNS-querying terms
            "dmarc": "fail",  # two records
            "dkim": "fail",  # revoked key (empty p=)
            "mta_sts": "fail",  # 301 redirect; the target does not cover the MX
            "tls_rpt": "fail",  # ftp: rua
            "dane": "fail",  # TLSA does not match the MX certificate
            "caa": "fail",  # malformed issue and iodef
            "starttls": "error",  # tarpit.broken.test never answers
            "smtps_submission": "error",  # smtp.broken.test resets
            "tls_web": "error",  # www.broken.test resets
            "tls_mail": "error",  # tarpit MX
            "hsts": "error",
            "csp": "error",
            "sri": "error",
            "https_redirect": "error",
            "wkd": "error",  # openpgpkey.broken.test: NXDOMAIN is bogus, so SERVFAIL
        },
        notes=(
            "NXDOMAIN/NODATA answers inside broken.test are SERVFAIL (the SOA signature expired).",
        ),
    ),
    Domain(
        # Only the MX checks run for it, so the name just labels the case.
        "mx-ta.good.test",
        mx=("mx-ta.good.test",),
        expect={"dane": "pass", "starttls": "pass", "tls_mail": "pass"},
        notes=("An MX with a DANE-TA (2 0 1) record for the test CA only.",),
    ),
    Domain(
        "big.broken.test",
        mx=("mx.broken.test",),
        expect={"mta_sts": "fail"},
        notes=("MTA-STS policy larger than 64 KiB.",),
    ),
    Domain("spf-loop.broken.test", expect={"spf": "fail"}, notes=("SPF include loop.",)),
    Domain("spf-many.broken.test", expect={"spf": "fail"}, notes=("12 DNS-querying SPF terms.",)),
    Domain(
        "nullmx.test",
        expect={
            "dnssec": "pass",
            "mx": "info",  # null MX: accepts no mail
            "spf": "pass",
            "dmarc": "pass",
            **dict.fromkeys(_MAIL_CHECKS, "not_applicable"),
        },
        notes=("No web host: web checks are not run against it.",),
    ),
)


def domain_named(name: str) -> Domain:
    for domain in DOMAINS:
        if domain.name == name:
            return domain
    raise KeyError(name)


# ---------------------------------------------------------------------------------------------
# Zones added after the four above. They are appended here, leaving the block above as it was,
# so ZONES and DOMAINS are extended rather than rewritten.
#
# edge.test: record grammars at their edges (RFC 7489 DMARC recovery and organizational-domain
# fallback, RFC 8659 CAA wildcard-only and critical properties, RFC 6376 DKIM key records).
# stale.test: a DMARC record whose signature expired, for lookups that fail rather than find
# nothing.

# RFC 8463 appendix A.2's Ed25519 public key, base64: a valid key the DKIM records can carry.
EDGE_ED25519_KEY = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
EDGE_DMARC = "v=DMARC1; p=reject; sp=quarantine; rua=mailto:dmarc@edge.test"

EDGE = Zone(
    name="edge.test",
    index=6,
    signing=Signing.UNSIGNED,
    records=(
        txt("_dmarc", EDGE_DMARC),
        # mail.edge.test exists but has no _dmarc record: the organizational domain's sp applies.
        txt("mail", "v=spf1 -all"),
        # b.edge.test has a record of its own (no psd=); a.b.edge.test still takes edge.test's:
        # RFC 7489 asks only the organizational domain (and DMARCbis's tree walk, which would
        # ask b.edge.test too, picks the record with the fewest labels).
        txt("_dmarc.b", "v=DMARC1; p=none; rua=mailto:dmarc@edge.test"),
        txt("a.b", "v=spf1 -all"),
        # Not a DMARC record (v= is not first), so discarded: edge.test's policy applies.
        txt("_dmarc.notfirst", "p=reject; v=DMARC1"),
        # No p=, but a valid rua=: applied as p=none (RFC 7489 6.6.3 step 6).
        txt("_dmarc.nop", "v=DMARC1; rua=mailto:dmarc@edge.test"),
        # Syntax errors in optional tags: their defaults apply (RFC 7489 6.3).
        txt("_dmarc.lax", "v=DMARC1; p=reject; pct=abc; adkim=x; foo=bar"),
        # CAA: only issue ";" at the apex (no CA may issue) ...
        Record("@", "CAA", '0 issue ";"'),
        # ... only issuewild at wild.edge.test, which leaves ordinary names open (RFC 8659 4.3),
        Record("wild", "CAA", '0 issuewild "ca.edge.test"'),
        # ... an unknown critical property (RFC 8659 4.1: no CA may issue),
        Record("crit", "CAA", '0 issue "ca.edge.test"'),
        Record("crit", "CAA", '128 tbs "Unknown"'),
        # ... and a tag in capitals, which matches case-insensitively.
        Record("caps", "CAA", '0 ISSUE "ca.edge.test"'),
        # DKIM key records written by hand (RFC 6376 3.6.1).
        txt(
            "folded._domainkey",
            f"v=DKIM1; k=ed25519; p={EDGE_ED25519_KEY[:20]} \t{EDGE_ED25519_KEY[20:]}",
        ),
        txt("testing._domainkey", f"v=DKIM1; k=ed25519; t=y; p={EDGE_ED25519_KEY}"),
        txt("web._domainkey", f"v=DKIM1; k=ed25519; s=web; p={EDGE_ED25519_KEY}"),
        txt("twice._domainkey", f"v=DKIM1; k=ed25519; p={EDGE_ED25519_KEY}; p="),
    ),
)

STALE = Zone(
    name="stale.test",
    index=9,
    signing=Signing.PRESIGNED,
    records=(txt("_dmarc", "v=DMARC1; p=reject"), txt("mail", "v=spf1 -all")),
    # Only the DMARC record's signature has expired: mail.stale.test's own _dmarc lookup gets a
    # valid NXDOMAIN, and the fallback to stale.test gets SERVFAIL.
    expired_rrsets=(("_dmarc", "TXT"),),
)

ZONES = (*ZONES, EDGE, STALE)

DOMAINS = (
    *DOMAINS,
    Domain(
        "mail.edge.test",
        expect={"dmarc": "pass", "caa": "pass"},
        notes=("No _dmarc of its own: edge.test's sp=quarantine applies.",),
    ),
    Domain(
        "wild.edge.test",
        expect={"caa": "warn"},
        notes=("CAA issuewild only: any CA may still issue for wild.edge.test itself.",),
    ),
    Domain(
        "mail.stale.test",
        expect={"dmarc": "error"},
        notes=("The organizational domain's DMARC lookup fails (expired signature).",),
    ),
)


# ---------------------------------------------------------------------------------------------
# Appended: a failed MX lookup, submission discovery and the WKD methods. Their own tests are
# tests/test_audit_lookup_failures.py, tests/test_check_smtps.py and tests/test_check_wkd.py.

# servfail.test: only the MX RRset's signatures have expired, so a validating resolver answers
# SERVFAIL for the MX lookup alone. The mail checks must say "could not determine the MX hosts",
# never "accepts no mail", and TLS-RPT (which validates) must not make MTA-STS/TLS-RPT "met".
SERVFAIL = Zone(
    name="servfail.test",
    index=7,
    signing=Signing.PRESIGNED,
    hosts=(Host(("mx",), 25, (Smtp(SMTP_PORT),)),),
    records=(
        Record("@", "MX", "10 mx.servfail.test."),
        txt("@", "v=spf1 -all"),
        txt("_dmarc", "v=DMARC1; p=reject"),
        txt("_mta-sts", "v=STSv1; id=1"),
        txt("_smtp._tls", "v=TLSRPTv1; rua=mailto:tls-reports@servfail.test"),
    ),
    expired_rrsets=(("@", "MX"),),
)

# discover.test: submission and WKD found the way clients find them, one case per sub-domain.
# - discover.test: SRV says no implicit TLS (target "."), STARTTLS on two hosts; IMAP SRV too;
#   a WKD by the advanced method (policy only).
# - direct.discover.test: no SRV, so mail.direct... (a conventional name) is found; no
#   openpgpkey host, so its WKD is found by the direct method.
# - hollow.discover.test: openpgpkey.hollow... exists but serves nothing (a broken WKD, even
#   though the direct method would find a key); its _submissions SRV names a STARTTLS-only port.
# - nosubmit.discover.test: SRV "." for both submission services.
DISCOVER_WKD_ADDRESS = "dora@direct.discover.test"
HOLLOW_WKD_ADDRESS = "hana@hollow.discover.test"
_STARTTLS_SUBMISSION = Smtp(SUBMISSION_PORT, require_starttls=True)

DISCOVER = Zone(
    name="discover.test",
    index=8,
    signing=Signing.AUTO,
    hosts=(
        Host(("smtp",), 26, (_STARTTLS_SUBMISSION,)),
        Host(("smtp2",), 27, (_STARTTLS_SUBMISSION,)),
        Host(("imap",), 28),
        Host(
            ("openpgpkey",),
            12,
            (Https(Site((Page("/.well-known/openpgpkey/discover.test/policy", "# none\n"),))),),
        ),
        Host(
            ("direct",),
            13,
            (
                Https(
                    Site(
                        (
                            Page("/.well-known/openpgpkey/policy", "protocol-version: 5\n"),
                            Page(
                                content.wkd_direct_path(DISCOVER_WKD_ADDRESS),
                                WkdKey(DISCOVER_WKD_ADDRESS),
                                content_type="application/octet-stream",
                            ),
                        )
                    )
                ),
            ),
        ),
        Host(
            ("mail.direct",),
            14,
            (Smtp(SMTPS_PORT, implicit_tls=True), _STARTTLS_SUBMISSION),
        ),
        Host(("openpgpkey.hollow",), 15, (Https(Site(())),)),
        # straße.discover.test in A-labels: IDNA2003 would ask for strasse.discover.test instead.
        Host(("xn--strae-oqa",), 17, (Https(Site((Page("/", "straße\n"),))),)),
        Host(
            ("hollow",),
            16,
            (
                Https(
                    Site(
                        (
                            Page("/.well-known/openpgpkey/policy"),
                            Page(
                                content.wkd_direct_path(HOLLOW_WKD_ADDRESS),
                                WkdKey(HOLLOW_WKD_ADDRESS),
                                content_type="application/octet-stream",
                            ),
                        )
                    )
                ),
            ),
        ),
    ),
    records=(
        Record("_submissions._tcp", "SRV", "0 0 0 ."),
        Record("_submission._tcp", "SRV", "10 1 587 smtp.discover.test."),
        Record("_submission._tcp", "SRV", "20 1 587 smtp2.discover.test."),
        Record("_imaps._tcp", "SRV", "0 1 993 imap.discover.test."),
        Record("_imap._tcp", "SRV", "0 0 0 ."),
        # Implicit TLS advertised on a port that speaks STARTTLS: judged as implicit TLS, it fails.
        Record("_submissions._tcp.hollow", "SRV", "0 1 587 smtp.discover.test."),
        Record("_submissions._tcp.nosubmit", "SRV", "0 0 0 ."),
        Record("_submission._tcp.nosubmit", "SRV", "0 0 0 ."),
        # An MX host whose address lookup SERVFAILs (NXDOMAIN inside broken.test is bogus).
        Record("lost", "MX", "10 gone.broken.test."),
    ),
)

ZONES = (*ZONES, SERVFAIL, DISCOVER)

DOMAINS = (
    *DOMAINS,
    Domain(
        "servfail.test",
        expect={"mx": "error", "tls_rpt": "pass"},
        notes=("SERVFAIL for MX only; the runner makes the MX-based checks errors.",),
    ),
    Domain(
        "discover.test",
        expect={"smtps_submission": "warn", "wkd": "pass"},
        notes=("SRV: no implicit TLS, STARTTLS on two hosts; WKD policy, advanced method.",),
    ),
    Domain(
        "direct.discover.test",
        wkd_address=DISCOVER_WKD_ADDRESS,
        expect={"smtps_submission": "pass", "wkd": "pass"},
        notes=("No SRV: mail.<domain>; no openpgpkey host: the direct method.",),
    ),
    Domain(
        "hollow.discover.test",
        wkd_address=HOLLOW_WKD_ADDRESS,
        expect={"smtps_submission": "fail", "wkd": "fail"},
        notes=("openpgpkey host serves nothing (no fallback); implicit TLS SRV on port 587.",),
    ),
    Domain(
        "lost.discover.test",
        expect={"mx": "error"},
        notes=("Its MX host's lookup fails: unknown, not 'does not resolve'.",),
    ),
    Domain(
        "nosubmit.discover.test",
        expect={"smtps_submission": "not_applicable"},
        notes=("SRV target '.' for both submission services.",),
    ),
)


# ---------------------------------------------------------------------------------------------
# Appended: checks judged by their criterion's words (tests/test_check_scope.py has the rest).
# scope.test holds one case per sub-domain:
# - SRI "if loading things from external domains": same-site resources without integrity pass
#   (same.scope.test), an external script without it fails (cross.), with it passes (signed.),
#   and a page that loads nothing passes (bare.).
# - "A valid MTA-STS policy": mode testing is valid (testing.), a policy served as text/html is
#   not (RFC 8461 3.2: the media type MUST be text/plain) (html.).
# - "Valid SPF records": ~all is valid (soft.), ptr is discouraged (RFC 7208 5.5) (softptr.).
SCOPE_LIB_JS = "window.lib = true;\n"
_SCOPE_EXTERNAL = "https://cdn.elsewhere.test/lib.js"
SCOPE_POLICY_TESTING = content.mta_sts_policy("testing", ["mx.scope.test"], 604800)
SCOPE_POLICY_ENFORCE = content.mta_sts_policy("enforce", ["mx.scope.test"], 604800)


def _scope_home(title: str, extra_head: str, with_integrity: bool = False) -> Page:
    body = content.homepage(title, with_integrity=with_integrity, extra_head=extra_head)
    return Page("/", body, content_type="text/html; charset=utf-8")


def _scope_site(*pages: Page) -> Https:
    return Https(Site((*pages, *_STATIC_PAGES)))


SCOPE = Zone(
    name="scope.test",
    index=5,
    signing=Signing.UNSIGNED,
    hosts=(
        Host(
            ("same",),
            10,
            (
                _scope_site(
                    # /static/* without integrity, and a script from a sibling host of the site.
                    _scope_home(
                        "same", '<script src="https://static.scope.test/lib.js"></script>\n'
                    )
                ),
            ),
        ),
        Host(
            ("cross",),
            11,
            (_scope_site(_scope_home("cross", f'<script src="{_SCOPE_EXTERNAL}"></script>\n')),),
        ),
        Host(
            ("signed",),
            12,
            (
                _scope_site(
                    _scope_home(
                        "signed",
                        f'<script src="{_SCOPE_EXTERNAL}" integrity="{content.sri(SCOPE_LIB_JS)}"'
                        ' crossorigin="anonymous"></script>\n',
                    )
                ),
            ),
        ),
        Host(
            ("bare",),
            13,
            (
                _scope_site(
                    Page(
                        "/",
                        "<!doctype html>\n<title>bare</title><script>1;</script><p>bare</p>\n",
                        content_type="text/html; charset=utf-8",
                    )
                ),
            ),
        ),
        Host(
            ("mta-sts.testing",),
            20,
            (Https(Site((Page("/.well-known/mta-sts.txt", SCOPE_POLICY_TESTING),))),),
        ),
        Host(
            ("mta-sts.html",),
            21,
            (
                Https(
                    Site(
                        (
                            Page(
                                "/.well-known/mta-sts.txt",
                                SCOPE_POLICY_ENFORCE,
                                content_type="text/html; charset=utf-8",
                            ),
                        )
                    )
                ),
            ),
        ),
    ),
    records=(
        txt("_mta-sts.testing", "v=STSv1; id=1"),
        txt("_mta-sts.html", "v=STSv1; id=1"),
        txt("soft", "v=spf1 ip4:192.0.2.0/24 ~all"),
        txt("softptr", "v=spf1 ptr ~all"),
    ),
)

ZONES = (*ZONES, SCOPE)

DOMAINS = (
    *DOMAINS,
    Domain(
        "same.scope.test",
        web="same.scope.test",
        expect={"sri": "pass"},
        notes=("Same-origin and same-site scripts and styles without integrity.",),
    ),
    Domain(
        "cross.scope.test",
        web="cross.scope.test",
        expect={"sri": "fail"},
        notes=("A script from another registrable domain without integrity.",),
    ),
    Domain(
        "signed.scope.test",
        web="signed.scope.test",
        expect={"sri": "pass"},
        notes=("A script from another registrable domain with integrity.",),
    ),
    Domain(
        "bare.scope.test",
        web="bare.scope.test",
        expect={"sri": "pass"},
        notes=("Nothing loaded from any domain (an inline script only).",),
    ),
    Domain(
        "testing.scope.test",
        mx=("mx.scope.test",),
        expect={"mta_sts": "pass"},
        notes=("MTA-STS mode testing: a valid policy.",),
    ),
    Domain(
        "html.scope.test",
        mx=("mx.scope.test",),
        expect={"mta_sts": "fail"},
        notes=("MTA-STS policy served as text/html.",),
    ),
    Domain("soft.scope.test", expect={"spf": "pass"}, notes=("SPF ending in ~all.",)),
    Domain("softptr.scope.test", expect={"spf": "warn"}, notes=("SPF with ptr and ~all.",)),
)


# ---------------------------------------------------------------------------------------------
# Appended: a server suite preference for strong cipher suites (tests/test_tls_preference*.py).
# prefer.test has one host per server order, each with HTTPS and an MX (STARTTLS) that accept
# strong suites and two weak TLS 1.2 suites (TlsProfile.MIXED_*): all three fail `tls_web` and
# `tls_mail` overall (weak suites accepted), and only strong-first.prefer.test has the preference
# the `suites` aspect asks for.
#
# Its index is the last one: generated zones count up from generated.FIRST_INDEX (10), so a
# hand-written zone at the top stays out of their way for any count a benchmark uses.
PREFER_INDEX = 254
_PREFER_SITE = Site((Page("/", "prefer\n"),))


def _mixed_host(label: str, octet: int, profile: TlsProfile) -> Host:
    return Host((label,), octet, (Https(_PREFER_SITE, profile), Smtp(SMTP_PORT, tls=profile)))


PREFER = Zone(
    name="prefer.test",
    index=PREFER_INDEX,
    signing=Signing.UNSIGNED,
    hosts=(
        _mixed_host("strong-first", 10, TlsProfile.MIXED_STRONG_FIRST),
        _mixed_host("client-order", 11, TlsProfile.MIXED_CLIENT_ORDER),
        _mixed_host("interleaved", 12, TlsProfile.MIXED_INTERLEAVED),
    ),
)

ZONES = (*ZONES, PREFER)


def _prefer_domain(label: str, note: str) -> Domain:
    host = PREFER.fqdn(label)
    return Domain(
        host, mx=(host,), web=host, expect={"tls_web": "fail", "tls_mail": "fail"}, notes=(note,)
    )


DOMAINS = (
    *DOMAINS,
    _prefer_domain("strong-first", "Weak TLS 1.2 suites accepted; the server prefers strong ones."),
    _prefer_domain("client-order", "Weak TLS 1.2 suites accepted; the client's order decides."),
    _prefer_domain("interleaved", "A weak TLS 1.2 suite ranked between two strong ones."),
)
