"""The portal carries ALL of the seed document: every link and every sentence, in its language.

The document itself is in tests/data/seed_document.md; these tests read it line by line and look
for each piece of content in what `loadseed` put into the database.
"""

import re
from pathlib import Path

import pytest
from django.apps import apps

from portal.translation_support import translated_field_names

DOCUMENT = (Path(__file__).parent / "data" / "seed_document.md").read_text(encoding="utf-8")
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")
MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
HTML_LINK = re.compile(r"<a href=([^>]+)>([^<]*)</a>")
URL = re.compile(r"https?://[^\s)\"'>]+")
ATTRIBUTE_LIST = re.compile(r"\{[^}]*\}")
ICON = re.compile(r":(?:material|octicons|simple)-[a-z0-9-]+:")
# Markup without content of its own: headings, admonition openers, images, buttons, card grids,
# and the table of contents (it only links to the sections).
SKIPPED_LINE = re.compile(
    r"^\s*(#|!!!|\?\?\?|!\[|\[|<div|</div>|- !\[|- \[:|- \[.*:material-arrow|---|"
    r"title:|icon:|description:)"
)


def normalise(text: str) -> str:
    text = HTML_LINK.sub(lambda m: m.group(2), text)
    text = MARKDOWN_LINK.sub(lambda m: m.group(1), text)
    text = ATTRIBUTE_LIST.sub("", ICON.sub("", text))
    text = text.replace("**", "").replace("`", "")
    text = re.sub(r"^\s*(?:- \[[ x]\]|-)\s+", "", text)
    return re.sub(r"\s+", " ", text).strip()


def content_lines() -> list[str]:
    return [line for line in DOCUMENT.splitlines() if line.strip() and not SKIPPED_LINE.match(line)]


def _corpus(language: str) -> str:
    texts = []
    for model in apps.get_models():
        if model._meta.app_label not in {"providers", "criteria"} or "Historical" in model.__name__:
            continue
        names = [f"{name}_{language}" for name in translated_field_names(model)]
        if model._meta.model_name == "service":
            names.append("name")
        for row in model.objects.values_list(*names) if names else []:
            texts.extend(value for value in row if value)
    return "\n".join(normalise(paragraph) for text in texts for paragraph in text.split("\n"))


@pytest.fixture
def corpus(seeded):
    return {"ckb": _corpus("ckb"), "en": _corpus("en")}


def test_every_kurdish_sentence_is_in_a_ckb_field(corpus):
    kurdish = [normalise(line) for line in content_lines() if ARABIC_SCRIPT.search(line)]
    assert len(kurdish) > 25
    missing = [line for line in kurdish if line not in corpus["ckb"]]
    assert missing == []


def _structural_labels() -> set[str]:
    """List headings the portal models as structure, not text: the criteria levels and the
    feature groups (e.g. "Best Case:" is the level, "Notable free features:" the group)."""
    from criteria.models import Level
    from providers.models import FeatureGroup

    labels = {str(label) for label in Level.labels}
    labels |= set(FeatureGroup.objects.values_list("name_en", flat=True))
    return {label.lower() for label in labels}


def test_every_english_sentence_is_in_an_en_field(corpus):
    structural = _structural_labels()
    english = [
        normalise(line)
        for line in content_lines()
        if not ARABIC_SCRIPT.search(line)
        and len(normalise(line)) > 3
        and normalise(line).rstrip(":").lower() not in structural
    ]
    assert len(english) > 80
    missing = [line for line in english if line not in corpus["en"]]
    assert missing == []


def test_every_link_of_the_document_is_kept(seeded):
    from providers.models import FeatureValue, ServiceDownload, ServiceLink

    urls = {url.rstrip(".,") for url in URL.findall(DOCUMENT)}
    stored = set(ServiceLink.objects.values_list("url", flat=True))
    stored |= set(ServiceDownload.objects.values_list("url", flat=True))
    stored |= set(FeatureValue.objects.values_list("source_url", flat=True))
    raw_text = "\n".join(
        str(value)
        for model in apps.get_models()
        if model._meta.app_label in {"providers", "criteria"} and "Historical" not in model.__name__
        for row in model.objects.values_list()
        for value in row
        if isinstance(value, str)
    )
    missing = sorted(url for url in urls if url not in stored and url not in raw_text)
    assert missing == []
