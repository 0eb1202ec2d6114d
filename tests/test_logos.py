"""Service logos: hostile uploads come out clean or are refused, on every path that stores one;
they are served from the site itself; a service without one shows a monogram of its name."""

from __future__ import annotations

import io
import re
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from PIL import Image, PngImagePlugin

from portal.models import Revision
from providers.logos import MAX_SIDE, clean_logo
from providers.models import Service
from providers.templatetags.logos import PALETTE, TEXT_COLOUR, initials
from tests.conftest import change_form_data
from tests.factories import make_published_service, make_service

SVG = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
SHAPE = '<rect width="10" height="10" fill="#123456"/>'


def svg(body: str, attributes: str = "") -> bytes:
    return f'<svg {SVG} viewBox="0 0 10 10" {attributes}>{SHAPE}{body}</svg>'.encode()


HOSTILE = {
    "script": svg("<script>alert(1)</script>"),
    "onload": svg("", 'onload="alert(1)"'),
    "event on a shape": svg('<circle r="2" onclick="alert(1)" onmouseover="alert(2)"/>'),
    "javascript href": svg('<a xlink:href="javascript:alert(1)"><circle r="2"/></a>'),
    "external use": svg('<use href="https://evil.example/sprite.svg#icon"/>'),
    "external xlink use": svg('<use xlink:href="//evil.example/sprite.svg#icon"/>'),
    "data use": svg('<use href="data:image/svg+xml;base64,PHN2Zz4="/>'),
    "style url": svg('<circle r="2" style="fill:url(https://evil.example/track.png)"/>'),
    "fill url": svg('<circle r="2" fill="url(https://evil.example/p.svg#g)"/>'),
    "stylesheet import": svg("<style>@import url(https://evil.example/x.css);</style>"),
    "foreignObject": svg(
        '<foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" '
        'src="https://evil.example/"/></foreignObject>'
    ),
    "animation": svg(
        '<set attributeName="href" to="javascript:alert(1)"/><animate attributeName="fill"/>'
    ),
    "image": svg('<image href="https://evil.example/pixel.png" width="1" height="1"/>'),
    "processing instruction and comment": (
        b'<?xml-stylesheet href="https://evil.example/x.css"?><!-- a comment -->' + svg("")
    ),
    "html namespace": svg('<script xmlns="http://www.w3.org/1999/xhtml">alert(1)</script>'),
}
FORBIDDEN = (
    b"script",
    b"on",  # any event handler attribute: `onload=`, `onclick=` (checked as ` on...=` below)
    b"javascript",
    b"evil",
    b"data:",
    b"foreignObject",
    b"iframe",
    b"<set",
    b"animate",
    b"image",
    b"<!--",
    b"<?",
    b"@import",
    b"style",
)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_svg_comes_out_as_its_shapes_only(name):
    cleaned = clean_logo(HOSTILE[name]).content
    for token in FORBIDDEN:
        if token == b"on":
            assert not re.search(rb"\son\w+=", cleaned), cleaned
        else:
            assert token not in cleaned, (token, cleaned)
    assert b'<rect width="10" height="10" fill="#123456" />' in cleaned
    assert cleaned.startswith(b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">')


def test_local_references_survive():
    cleaned = clean_logo(
        svg(
            '<defs><linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient>'
            '<symbol id="s"><circle r="2"/></symbol></defs>'
            '<use xlink:href="#s"/><circle r="3" fill="url(#g)"/>'
        )
    ).content
    assert b'<use href="#s" />' in cleaned
    assert b'fill="url(#g)"' in cleaned


def test_class_rules_and_styles_become_attributes():
    """Illustrator writes colours as .cls-1 rules: they must survive as attributes, in CSS order
    (attribute < class rule < style attribute), with no CSS left in the file."""
    cleaned = clean_logo(
        svg(
            "<style>/* x */ .cls-1, .cls-2 { fill: #ff0000; stroke: url(https://evil.example/) }"
            " rect { fill: blue } .cls-2 { stroke-width: 3 }</style>"
            '<path class="cls-1" fill="green" d="M0 0h1v1z"/>'
            '<path class="cls-2" style="fill: #00ff00; stroke-width: 4" d="M0 0h1v1z"/>'
        )
    ).content
    assert b'<path fill="#ff0000" d="M0 0h1v1z" />' in cleaned
    assert b'<path d="M0 0h1v1z" fill="#00ff00" stroke-width="4" />' in cleaned
    assert b"class" not in cleaned and b"stroke=" not in cleaned


@pytest.mark.parametrize(
    "source",
    [
        # XXE: an external entity reading a local file
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
        # billion laughs
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&c;</text></svg>',
        # an external parameter entity (an external DTD)
        b'<!DOCTYPE svg [<!ENTITY % e SYSTEM "https://evil.example/x.dtd"> %e;]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>',
    ],
    ids=["xxe", "billion-laughs", "external-dtd"],
)
def test_entities_are_refused(source):
    with pytest.raises(ValidationError) as refused:
        clean_logo(source)
    assert refused.value.code == "entities"


def test_a_plain_doctype_as_illustrator_writes_it_is_read_and_dropped():
    source = (
        b'<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">' + svg("")
    )
    assert b"DOCTYPE" not in clean_logo(source).content


@pytest.mark.parametrize(
    ("source", "code"),
    [
        (b"<svg>" + b"<g>" * 200 + b"<rect/>" + b"</g>" * 200 + b"</svg>", "too_complex"),
        (
            svg(
                '<g id="a"><rect width="1" height="1"/></g><g id="b"><use href="#a"/>'
                '<use href="#a"/></g><g id="c"><use href="#b"/><use href="#b"/></g>'
            ),
            "too_complex",
        ),
        (svg('<g id="loop"><use href="#loop"/></g>'), "too_complex"),
        (b"<svg>" + b"<rect/>" * 60000 + b"</svg>", "too_large"),
        (f"<svg {SVG}><script>alert(1)</script></svg>".encode(), "empty"),
        (b"<svg><rect></svg>", "malformed"),
        (b"<html><body><rect/></body></html>", "not_image"),
        (b"GIF89a\x01\x00\x01\x00", "not_image"),
        (b"", "not_image"),
    ],
    ids=["deep", "use-bomb", "use-cycle", "oversized", "empty", "malformed", "html", "gif", "void"],
)
def test_files_that_cannot_be_made_safe_are_refused_with_a_reason(source, code):
    with pytest.raises(ValidationError) as refused:
        clean_logo(source)
    assert refused.value.code == code
    assert refused.value.messages[0]  # worded for the editor


def _png_with_metadata(width: int, height: int) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x0131] = "SecretEditor"  # Software
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "GPS 46.2044,6.1432")
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG", exif=exif, pnginfo=text)
    return out.getvalue()


def test_a_png_is_scaled_down_and_stripped_of_its_metadata():
    source = _png_with_metadata(1000, 600)
    assert b"CameraMaker" in source and b"GPS" in source
    cleaned = clean_logo(source)
    assert cleaned.extension == "png"
    assert b"CameraMaker" not in cleaned.content and b"GPS" not in cleaned.content
    with Image.open(io.BytesIO(cleaned.content)) as image:
        assert image.size == (MAX_SIDE, 154)
        assert not image.info and not image.getexif()


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP"])
def test_jpeg_and_webp_become_png(fmt):
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (0, 0, 255)).save(out, fmt)
    cleaned = clean_logo(out.getvalue())
    assert cleaned.extension == "png" and cleaned.content.startswith(b"\x89PNG")


def _claiming_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge canvas: a decompression bomb's first step."""
    out = io.BytesIO()
    Image.new("1", (1, 1)).save(out, "PNG")
    data = bytearray(out.getvalue())
    header = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return bytes(data)


@pytest.mark.parametrize("size", [(5000, 10), (30000, 30000), (100000, 100000)])
def test_a_png_claiming_huge_dimensions_is_refused_before_decoding(size):
    with pytest.raises(ValidationError) as refused:
        clean_logo(_claiming_size(*size))
    assert refused.value.code == "too_many_pixels"


def test_a_truncated_png_is_refused():
    with pytest.raises(ValidationError) as refused:
        clean_logo(_png_with_metadata(50, 50)[:120])
    assert refused.value.code == "unreadable"


@pytest.mark.parametrize("source", [HOSTILE["script"], _png_with_metadata(300, 300)])
def test_cleaning_a_clean_logo_changes_nothing(source):
    """The storage cleans what the form already cleaned: the second pass must be a no-op."""
    once = clean_logo(source)
    assert clean_logo(once.content) == once


# --- Every path that stores a logo ----------------------------------------------------------


def test_saving_through_the_model_stores_cleaned_bytes_under_a_content_name(media, db):
    service = make_service()
    service.logo.save("My Logo.svg", ContentFile(HOSTILE["onload"]))
    service.refresh_from_db()
    assert re.fullmatch(r"logos/[0-9a-f]{32}\.svg", service.logo.name)
    stored = (media / service.logo.name).read_bytes()
    assert stored == clean_logo(HOSTILE["onload"]).content
    with pytest.raises(ValidationError):
        service.logo.save("x.svg", ContentFile(b"<!DOCTYPE a [<!ENTITY b 'c'>]><svg/>"))


def _logo_form(client, service, upload, **extra):
    url = f"/admin/providers/service/{service.pk}/change/"
    data = change_form_data(client.get(url))
    data.update(logo=upload, **extra)
    return client.post(url, data)


def test_an_admin_upload_stores_sanitised_bytes(editor, signed_in, media):
    service = make_service()  # a draft: changed in place
    client = signed_in(editor)
    form = client.get(f"/admin/providers/service/{service.pk}/change/").content.decode()
    assert 'accept="image/svg+xml,image/png,image/webp,image/jpeg"' in form
    upload = SimpleUploadedFile("evil.svg", HOSTILE["script"], content_type="image/svg+xml")

    response = _logo_form(client, service, upload)

    assert response.status_code == 302
    service.refresh_from_db()
    assert service.logo.name != "logos/evil.svg"
    stored = (media / service.logo.name).read_bytes()
    assert b"script" not in stored and b"<rect" in stored
    assert [p.name for p in (media / "logos").iterdir()] == [service.logo.name[6:]]


def test_a_hostile_upload_is_refused_in_the_form_and_nothing_is_written(editor, signed_in, media):
    service = make_published_service()
    xxe = b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>'

    response = _logo_form(signed_in(editor), service, SimpleUploadedFile("x.svg", xxe))

    assert response.status_code == 200
    assert "declares entities" in response.content.decode()
    assert not Revision.objects.exists()
    assert not (media / "logos").exists()


def test_a_logo_in_a_revision_is_clean_and_published_as_it_was(
    editor, publisher, signed_in, media, client
):
    service = make_published_service()
    upload = SimpleUploadedFile("logo.png", _png_with_metadata(800, 800))

    assert _logo_form(signed_in(editor), service, upload, _workflow="submit").status_code == 302

    revision = Revision.objects.get()
    name = revision.payload["fields"]["logo"]
    assert re.fullmatch(r"logos/[0-9a-f]{32}\.png", name)
    assert b"CameraMaker" not in (media / name).read_bytes()
    assert Service.objects.get(pk=service.pk).logo.name == ""  # live stays live

    publisher_client = signed_in(publisher)
    url = f"/admin/providers/service/{service.pk}/change/"
    data = change_form_data(publisher_client.get(url))
    data["_workflow"] = "publish"
    assert publisher_client.post(url, data).status_code == 302
    assert Service.objects.get(pk=service.pk).logo.name == name
    page = client.get(f"/en/services/{service.slug}/").content.decode()
    assert f'<img class="logo" src="/media/{name}" alt="" width="64" height="64"' in page


# --- Serving --------------------------------------------------------------------------------


def test_a_logo_is_served_by_the_site_itself_without_cookies(media, db, client):
    service = make_published_service()
    service.logo.save("logo.svg", ContentFile(HOSTILE["script"]))
    url = service.logo.url
    assert url.startswith("/media/logos/")

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"".join(response.streaming_content) == (media / service.logo.name).read_bytes()
    assert "sandbox" in response["Content-Security-Policy"]
    assert "immutable" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert not response.cookies
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


@pytest.mark.parametrize(
    "name", ["missing0000000000000000000000000.svg", "0" * 32 + ".svg", "..%2F..%2Fsettings.py"]
)
def test_only_stored_logo_names_are_served(media, db, client, name):
    assert client.get(f"/media/logos/{name}").status_code == 404


# --- The monogram ---------------------------------------------------------------------------


def test_a_service_without_a_logo_shows_a_monogram(db, client):
    service = make_published_service(name="Proton Mail", slug="proton-mail-test")
    page = client.get(f"/en/services/{service.slug}/")
    html = page.content.decode()
    header = re.search(r'<header class="service-header">(.*?)</header>', html, re.S).group(1)
    assert '<svg class="monogram monogram-' in header
    assert 'aria-hidden="true"' in header and ">PM</text>" in header
    assert "style=" not in header  # the CSP allows no inline styles
    assert "style-src 'self'" in page["Content-Security-Policy"]


def test_the_monogram_of_an_arabic_script_name_is_its_first_letter(db, client):
    service = make_published_service(name="بريد آمن", slug="barid-amin")
    html = client.get(f"/en/services/{service.slug}/").content.decode()
    assert ">ب</text>" in html


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Proton Mail", "PM"),
        ("StartMail", "SM"),
        ("Mailbox.org", "M"),
        ("Mail-in-a-Box", "MB"),
        ("ئیمەیڵی پارێزراو", "ئ"),
        ("דואר מאובטח", "דמ"),
        ("邮件服务", "邮"),
        ("मेल सेवा", "मेसे"),  # letters keep their vowel signs
        ("---", "?"),
    ],
)
def test_initials(name, expected):
    assert initials(name) == expected


def test_the_monogram_colour_is_the_same_on_every_render(db):
    service = make_published_service(name="Tutanota", slug="tutanota-test")
    template = Template("{% load logos %}{% service_logo service 48 %}")
    first = template.render(Context({"service": service}))
    assert first == template.render(Context({"service": Service.objects.get(pk=service.pk)}))


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("background", PALETTE)
def test_every_monogram_colour_meets_wcag_aa_contrast(background):
    light, dark = sorted((_luminance(background), _luminance(TEXT_COLOUR)), reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 4.5
