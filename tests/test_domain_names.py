"""Names as people type them: IDNA2008 with UTS #46 non-transitional processing, special-use names
refused, DKIM selectors and WKD addresses checked (providers/domains.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from providers.domains import (
    InvalidDomain,
    display_name,
    dkim_name,
    normalise_address,
    normalise_name,
    normalise_selector,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("raw", "a_label", "u_label"),
    [
        ("Proton.ME", "proton.me", "proton.me"),
        ("mailbox.org.", "mailbox.org", "mailbox.org"),
        ("  tutanota.com ", "tutanota.com", "tutanota.com"),
        ("bücher.de", "xn--bcher-kva.de", "bücher.de"),
        # Non-transitional: ß and final sigma are kept (IDNA2003 would give strasse.de, σ).
        ("straße.de", "xn--strae-oqa.de", "straße.de"),
        ("Straße.DE", "xn--strae-oqa.de", "straße.de"),
        ("βόλος.com", "xn--nxasmm1c.com", "βόλος.com"),
        # Upper-case Σ maps to σ (UTS #46 case folding), so this is another name than βόλος.
        ("ΒΌΛΟΣ.com", "xn--nxasmq6b.com", "βόλοσ.com"),
        # ZWNJ between Arabic letters that join (RFC 5892 A.1) and ZWJ after a virama (A.2).
        ("نامه\u200cای.com", "xn--mgba3gch31f060k.com", "نامه\u200cای.com"),
        ("क्\u200dष.com", "xn--11b2ezcw70k.com", "क्\u200dष.com"),
        # Fullwidth and ideographic full stops are dots; fullwidth letters are letters.
        ("example\uff0ecom", "example.com", "example.com"),
        ("example\u3002com", "example.com", "example.com"),
        ("\uff45xample.com", "example.com", "example.com"),
        # The soft hyphen is mapped away (UTS #46: ignored).
        ("ex\u00adample.com", "example.com", "example.com"),
        # An A-label in any case is the same name.
        ("XN--STRAE-OQA.de", "xn--strae-oqa.de", "straße.de"),
        ("a" * 63 + ".com", "a" * 63 + ".com", "a" * 63 + ".com"),
    ],
)
def test_names_give_their_a_label_and_u_label(raw, a_label, u_label):
    name = normalise_name(raw)
    assert (name.ascii, name.unicode) == (a_label, u_label)


def test_both_forms_are_shown_when_they_differ():
    assert normalise_name("straße.de").display == "straße.de (xn--strae-oqa.de)"
    assert normalise_name("example.com").display == "example.com"
    assert display_name("mx.xn--strae-oqa.de") == "mx.straße.de (mx.xn--strae-oqa.de)"


@pytest.mark.parametrize(
    ("raw", "change"),
    [
        ("Straße.DE", "lower-cased"),
        ("example\uff0ecom", "U+FF0E FULLWIDTH FULL STOP"),
        ("ex\u00adample.com", "removed the invisible character U+00AD SOFT HYPHEN"),
        ("e\u0301xample.com", "NFC"),
    ],
)
def test_what_uts46_changed_is_said(raw, change):
    assert any(change in text for text in normalise_name(raw).changes)


@pytest.mark.parametrize("raw", ["straße.de", "xn--strae-oqa.de", "example.com", "example.com."])
def test_a_name_typed_as_audited_has_no_changes(raw):
    assert normalise_name(raw).changes == ()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("\u200b", "empty once UTS #46 removes"),
        ("a..b", "empty label"),
        ("x" * 250 + ".com", "label of 250 octets"),
        (".".join(["a" * 63] * 4) + ".com", "259 octets"),
        ("a" * 64 + ".com", "label of 64 octets"),
        ("ü" * 60 + ".com", "longer than 63 octets as an A-label"),
        ("https://proton.me/mail", "not a bare domain"),
        ("user@example.org", "not a bare domain"),
        ("192.0.2.1", "IP address"),
        ("\uff11.\uff12.\uff13.\uff14", "IP address"),
        ("mail.123", "all-numeric"),
        ("localhost", "no parent domain"),
        ("-bad.org", "starts or ends with a hyphen"),
        ("bad-.org", "starts or ends with a hyphen"),
        ("ab--cd.org", "3rd and 4th positions"),
        ("xn--abc.org", "invalid label 'xn--abc'"),
        ("a_b.org", "U+005F LOW LINE"),
        ("exa mple.org", "U+0020 SPACE"),
        ("☃.org", "U+2603 SNOWMAN"),
        # Joiners outside their contexts (RFC 5892 A.1, A.2).
        ("a\u200db.org", "U+200D ZERO WIDTH JOINER"),
        ("a\u200cb.org", "U+200C ZERO WIDTH NON-JOINER"),
    ],
)
def test_malformed_names_are_refused_with_a_reason(raw, reason):
    with pytest.raises(InvalidDomain, match=re.escape(reason)):
        normalise_name(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "mail.localhost",
        "x.invalid",
        "printer.local",
        "corp.internal",
        "1.0.0.127.in-addr.arpa",
        "router.home.arpa",
        "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion",
        "mail.example",
        "name.alt",
        "localhost.localdomain",
    ],
)
def test_special_use_names_are_refused(raw):
    with pytest.raises(InvalidDomain, match="special-use name"):
        normalise_name(raw, allow_test=True)


def test_the_test_tld_is_allowed_only_for_the_test_network():
    with pytest.raises(InvalidDomain, match="AUDIT_ALLOW_PRIVATE_NETWORKS"):
        normalise_name("good.test")
    assert normalise_name("good.test", allow_test=True).ascii == "good.test"


def test_documentation_domains_under_real_tlds_are_names_like_any_other():
    # RFC 6761 6.5: applications SHOULD NOT treat example.com/.net/.org as special.
    assert normalise_name("example.org").ascii == "example.org"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("mail", "mail"), ("S1", "s1"), ("mail.2024", "mail.2024"), ("ñ", "xn--ida")],
)
def test_dkim_selectors_are_dns_labels_possibly_dotted(raw, expected):
    assert normalise_selector(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("a..b", "empty label"),
        ("-s1", "hyphen"),
        ("s_1", "U+005F"),
        ("s 1", "U+0020"),
        ("x" * 64, "64 octets"),
        ("mail._domainkey", "without ._domainkey"),
    ],
)
def test_malformed_dkim_selectors_are_refused(raw, reason):
    with pytest.raises(InvalidDomain, match=re.escape(reason)):
        normalise_selector(raw)


def test_a_selector_too_long_for_its_domain_is_refused():
    with pytest.raises(InvalidDomain, match="limit is 253"):
        dkim_name(".".join(["s" * 60] * 3), "d" * 60 + ".example.org")


def test_addresses_keep_their_local_part_and_normalise_their_domain():
    address = normalise_address("Joe.Doe@Straße.DE")
    assert address.ascii == "Joe.Doe@xn--strae-oqa.de"
    assert address.display == "Joe.Doe@straße.de (Joe.Doe@xn--strae-oqa.de)"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("alice", "not a mail address"),
        ("@good.example.org", "not a mail address"),
        ("a b@example.org", "spaces"),
        ("x" * 65 + "@example.org", "64 octets"),
        ("alice@printer.local", "special-use"),
    ],
)
def test_malformed_addresses_are_refused(raw, reason):
    with pytest.raises(InvalidDomain, match=reason):
        normalise_address(raw)


@pytest.mark.django_db
def test_the_model_refuses_a_special_use_or_invalid_name_with_a_form_error(monkeypatch):
    from django.core.exceptions import ValidationError

    from providers.models import ServiceDomain
    from tests.factories import make_published_service

    monkeypatch.delenv("AUDIT_ALLOW_PRIVATE_NETWORKS", raising=False)
    service = make_published_service()
    for name in ("printer.local", "a\u200db.org", "good.test"):
        with pytest.raises(ValidationError) as raised:
            ServiceDomain(service=service, name=name, role="mail").full_clean()
        assert "name" in raised.value.message_dict
    monkeypatch.setenv("AUDIT_ALLOW_PRIVATE_NETWORKS", "true")
    ServiceDomain(service=service, name="good.test", role="mail").full_clean()
    ServiceDomain(service=service, name="straße.de", role="mail").full_clean()


@pytest.mark.django_db
def test_the_model_refuses_malformed_dkim_selectors():
    from django.core.exceptions import ValidationError

    from providers.models import ServiceDomain
    from tests.factories import make_published_service

    domain = ServiceDomain(
        service=make_published_service(), name="mail.org", role="mail", dkim_selectors="s1, s_2"
    )
    with pytest.raises(ValidationError) as raised:
        domain.full_clean()
    assert "dkim_selectors" in raised.value.message_dict


def _sources() -> list[Path]:
    """The project's own modules: not those of a virtual environment (.venv, .venv-audit: any
    folder with a pyvenv.cfg), nor git's or node's."""
    skipped = {"node_modules", ".git"}
    environments = {config.parent for config in ROOT.glob("*/pyvenv.cfg")}
    return [
        path
        for path in ROOT.rglob("*.py")
        if not skipped.intersection(path.relative_to(ROOT).parts)
        and not environments.intersection(path.parents)
    ]


def test_no_module_uses_the_idna2003_codec():
    # Python's "idna" codec is IDNA2003 (transitional: ß -> ss); names go through idna instead.
    codec = re.compile(r"""(en|de)code\(\s*["']idna["']""")
    offenders = [
        str(path.relative_to(ROOT)) for path in _sources() if codec.search(path.read_text("utf-8"))
    ]
    assert offenders == []


def test_the_admin_shows_an_internationalised_domain_in_both_forms(editor, signed_in):
    from tests.factories import make_service

    service = make_service()
    service.domains.create(name="straße.de", role="mail")
    page = signed_in(editor).get(f"/admin/providers/service/{service.pk}/change/")
    assert "straße.de (xn--strae-oqa.de)" in page.content.decode()


def test_audit_pages_show_an_internationalised_name_in_both_forms():
    from types import SimpleNamespace

    from django.template.loader import render_to_string
    from django.utils import timezone

    from audits.templatetags.audits import both_forms

    assert both_forms("xn--bcher-kva.example") == "bücher.example (xn--bcher-kva.example)"
    assert both_forms("mx.good.test, xn--bcher-kva.example") == (
        "mx.good.test, bücher.example (xn--bcher-kva.example)"
    )
    panel = SimpleNamespace(
        run=SimpleNamespace(finished_at=timezone.now()),
        domains=[{"domain": "xn--bcher-kva.example", "role": "mail", "rows": []}],
    )
    html = render_to_string(
        "audits/_panel.html", {"panel": panel, "service": SimpleNamespace(slug="x")}
    )
    assert "bücher.example (xn--bcher-kva.example)" in html
