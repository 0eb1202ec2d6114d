"""Texts are stored with LF line ends and no trailing blanks, whatever saved them, so the history
shows only what someone changed."""

import pytest

from portal.text_normalisation import normalise_text
from providers.models import Service
from tests.conftest import change_form_data
from tests.factories import make_criterion, make_service


def as_a_browser_sends(data: dict) -> dict:
    """Browsers submit every textarea with CRLF line ends (the HTML standard says so)."""
    return {
        key: value.replace("\n", "\r\n") if isinstance(value, str) else value
        for key, value in data.items()
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\r\nb  \r\n", "a\nb"),
        ("a\rb", "a\nb"),
        ("one \t\n\n\ntwo\t", "one\n\n\ntwo"),
        ("- list\n  - nested item  \n", "- list\n  - nested item"),
        ("  indented first line", "  indented first line"),
        ("", ""),
    ],
)
def test_line_ends_and_trailing_blanks_are_normalised_and_indentation_kept(text, expected):
    assert normalise_text(text) == expected


def test_a_saved_service_keeps_its_kurdish_text_with_lf_line_ends(db):
    service = make_service(summary_ckb="a\r\nb  \r\n")
    service.refresh_from_db()
    assert service.summary_ckb == "a\nb"
    assert service.history.first().summary_ckb == "a\nb"


def test_criteria_are_normalised_too(db):
    criterion = make_criterion(text_en="Must encrypt. \r\n")
    criterion.refresh_from_db()
    assert criterion.text_en == "Must encrypt."


def test_saving_an_unchanged_text_records_no_change(db):
    service = make_service(description_en="First.\r\n\r\nSecond.")
    service.description_en = "First.\n\nSecond."  # the same text, as an editor reads it
    service.save()
    latest = service.history.first()
    assert latest.diff_against(latest.prev_record).changes == []


def _multiline_service() -> Service:
    return make_service(
        summary_en="A provider.\nWith a second line.",
        description_en="First paragraph.\n\nSecond paragraph.",
        description_ckb="بڕگەی یەکەم.\n\nبڕگەی دووەم.",
        pricing_notes_en="- Free: 1 GB\n- Plus: 15 GB",
    )


def test_an_admin_edit_of_the_kurdish_summary_records_only_that_change(editor, signed_in):
    service = _multiline_service()
    client = signed_in(editor)
    url = f"/admin/providers/service/{service.pk}/change/"
    data = change_form_data(client.get(url))
    data["summary_ckb"] = "دابینکەرێک.\nهێڵی دووەم."
    assert client.post(url, as_a_browser_sends(data)).status_code == 302

    latest = service.history.first()
    assert latest.summary_ckb == "دابینکەرێک.\nهێڵی دووەم."
    assert latest.diff_against(latest.prev_record).changed_fields == ["summary_ckb"]


def test_an_unchanged_admin_form_records_no_change(editor, signed_in):
    service = _multiline_service()
    client = signed_in(editor)
    url = f"/admin/providers/service/{service.pk}/change/"
    data = change_form_data(client.get(url))
    assert client.post(url, as_a_browser_sends(data)).status_code == 302

    latest = service.history.first()
    assert latest.history_type == "~"
    assert latest.diff_against(latest.prev_record).changes == []
