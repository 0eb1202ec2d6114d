"""The object history says, per field and per language, which words each record changed."""

from django.utils import translation

from portal.history_changes import describe_changes, word_diff
from portal.publishing import PublicationState
from providers.models import FeatureChoice, RecommendationGroup, Service
from tests.factories import make_service, set_feature


def _edit(service: Service, **values: object) -> None:
    for name, value in values.items():
        setattr(service, name, value)
    service.save()


def test_a_kurdish_edit_is_one_line_labelled_with_its_language(db):
    service = make_service(summary_ckb="دابینکەرێکی باش")
    _edit(service, summary_ckb="دابینکەرێکی زۆر باش")
    html = describe_changes(service.history.first())
    assert html.count("<li>") == 1
    assert "Summary [ckb]: " in html
    assert 'lang="ckb"' in html
    assert "دابینکەرێکی <ins>زۆر</ins> باش" in html


def test_each_changed_language_has_its_own_line_and_the_base_field_none(db):
    service = make_service(summary_en="A provider.", summary_de="Ein Anbieter.")
    _edit(service, summary_en="A good provider.", summary_de="Ein guter Anbieter.")
    html = describe_changes(service.history.first())
    assert html.count("<li>") == 2
    assert "Summary [en]: " in html and "Summary [de]: " in html
    assert "Ein <ins>guter</ins> Anbieter." in html


def test_removed_and_replaced_words_are_marked(db):
    assert word_diff("one two three", "one 3") == "one <del>two three</del> <ins>3</ins>"
    assert word_diff("keep this", "keep") == "keep <del>this</del>"


def test_long_unchanged_runs_are_elided(db):
    words = [f"w{n}" for n in range(30)]
    changed = [*words[:15], "NEW", *words[15:]]
    html = word_diff(" ".join(words), " ".join(changed))
    assert html == "… w11 w12 w13 w14 <ins>NEW</ins> w15 w16 w17 w18 …"


def test_paragraph_breaks_count_and_spacing_alone_is_said_so(db):
    assert word_diff("one two", "one\n\ntwo") == "one <ins>¶</ins> two"
    assert word_diff("one two", "one\ntwo") == "<em>spacing only</em>"


def test_texts_are_escaped(db):
    html = word_diff("<b>safe</b>", "<script>alert(1)</script>")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    service = make_service(name="A & B")
    _edit(service, name="<i>C</i>")
    html = describe_changes(service.history.first())
    assert "Name: A &amp; B → &lt;i&gt;C&lt;/i&gt;" in html


def test_plain_fields_show_old_and_new_values_shortened(db):
    service = make_service(founded_year=None, hq_city_en="")
    old_name = service.name
    _edit(service, founded_year=2013, name="N" * 100)
    html = describe_changes(service.history.first())
    assert "Founded: – → 2013" in html
    assert f"Name: {old_name} → " in html  # the old value, then the new one
    assert "N" * 59 + "…" in html and "N" * 61 not in html


def test_related_objects_are_shown_by_name(db):
    service = make_service()
    _edit(service, group=RecommendationGroup.objects.create(kind="provider", name_en="Group G"))
    assert "Recommendation group: – → Group G" in describe_changes(service.history.first())
    value = set_feature(service, "payment_methods", ["cash", "card"])
    value.choices.set(FeatureChoice.objects.filter(key="cash"))
    assert "Choices: card, cash → cash" in describe_changes(value.history.first())


def test_a_state_change_is_one_line_without_its_bookkeeping(db):
    service = make_service()
    service.state = PublicationState.PUBLISHED
    service.published_at = service.state_changed_at = service.updated_at
    service.save()
    html = describe_changes(service.history.first())
    assert html.count("<li>") == 1
    assert "Publication state: Draft → Published" in html


def test_the_first_record_and_an_unchanged_save_describe_nothing(db):
    service = make_service()
    assert describe_changes(service.history.first()) == ""
    service.save()
    assert describe_changes(service.history.first()) == ""


def test_none_and_empty_text_are_no_change_but_false_and_unknown_are(db):
    service = make_service(free_plan=False)
    older = service.history.first()
    older.summary_de = None  # as recorded before texts were normalised
    older.save()
    _edit(service, summary_de="", free_plan=None)
    html = describe_changes(service.history.first())
    assert html.count("<li>") == 1 and "Free plan" in html


def test_the_labels_are_translated(db):
    service = make_service(summary_ckb="کۆن")
    _edit(service, summary_ckb="نوێ")
    with translation.override("de"):
        html = describe_changes(service.history.first())
    assert "Zusammenfassung [ckb]" in html


def test_history_page_shows_the_ckb_change(editor, signed_in):
    """Passes once HistoryChangesMixin is among portal.admin_support.HistoryTranslationAdmin's
    bases (before SimpleHistoryAdmin)."""
    service = make_service(summary_ckb="دابینکەرێکی باش")
    _edit(service, summary_ckb="دابینکەرێکی زۆر باش")
    page = signed_in(editor).get(f"/admin/providers/service/{service.pk}/history/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Summary [ckb]: " in html
    assert "دابینکەرێکی <ins>زۆر</ins> باش" in html
    assert "Summary [en]" not in html
