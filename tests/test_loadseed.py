"""The seed loader carries the whole document, is idempotent, and respects editors' changes."""

from io import StringIO

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from criteria.models import Criterion, CriterionGroup, Level
from portal.publishing import PublicationState
from portal.seed.loader import DATA_DIR
from providers.models import FeatureValue, PageText, Service, ServiceKind
from tests.conftest import change_form_data


def _snapshot() -> list[tuple]:
    rows = []
    for model in (Service, Criterion, FeatureValue, PageText):
        rows += [
            tuple(sorted(vars(o).items(), key=lambda kv: kv[0]))
            for o in model.objects.order_by("pk")
        ]
    return [tuple((k, v) for k, v in row if k != "_state") for row in rows]


def test_the_documents_services_are_loaded_and_published(seeded):
    assert Service.objects.published().count() == 8
    assert Service.objects.providers().count() == 4
    assert Service.objects.aliasing().count() == 2
    assert Service.objects.self_hosted().count() == 2
    assert set(Service.objects.values_list("slug", flat=True)) == {
        "proton-mail",
        "mailbox-org",
        "startmail",
        "tutanota",
        "anonaddy",
        "simplelogin",
        "mailcow",
        "mail-in-a-box",
    }


def test_all_44_criteria_items_are_loaded_in_their_groups_and_levels(seeded):
    top = Criterion.objects.published().top_level()
    assert top.count() == 44
    counts = {
        (g.key, level): top.filter(group=g, level=level).count()
        for g in CriterionGroup.objects.all()
        for level in Level.values
    }
    assert counts == {
        ("technology", "minimum"): 4,
        ("technology", "best"): 8,
        ("privacy", "minimum"): 4,
        ("privacy", "best"): 1,
        ("security", "minimum"): 13,
        ("security", "best"): 5,
        ("trust", "minimum"): 1,
        ("trust", "best"): 2,
        ("marketing", "minimum"): 5,
        ("marketing", "best"): 1,
    }
    # The website-security sub-items, with the deprecated Expect-CT retired.
    children = Criterion.objects.exclude(parent=None)
    assert sorted(children.values_list("key", flat=True)) == ["csp", "expect-ct", "hsts", "sri"]
    expect_ct = children.get(key="expect-ct")
    assert expect_ct.retired and "deprecated" in expect_ct.retired_reason_en


def test_seed_facts_reach_the_database(seeded):
    proton = Service.objects.get(slug="proton-mail")
    assert (proton.founded_year, proton.hq_country.code, proton.free_storage_mb) == (
        2013,
        "CH",
        500,
    )
    assert proton.links.get(kind="onion").url.endswith(".onion")
    values = {v.feature.key: v for v in proton.feature_values.select_related("feature")}
    assert values["openpgp"].bool_value is True
    assert values["wkd"].bool_value is True
    assert set(values["payment_methods"].choices.values_list("key", flat=True)) >= {
        "cash",
        "cryptocurrency",
    }
    tutanota = Service.objects.get(slug="tutanota")
    tuta_values = {v.feature.key: v for v in tutanota.feature_values.select_related("feature")}
    assert tuta_values["openpgp"].bool_value is False
    assert tuta_values["subaddressing"].bool_value is False
    anonaddy = Service.objects.get(slug="anonaddy")
    free = list(anonaddy.free_features.values_list("included", "text_en"))
    assert free[0] == (True, "20 Shared Aliases")
    assert (False, "No Outgoing Replies") in free


def test_kurdish_text_round_trips(seeded):
    source = yaml.safe_load(
        (DATA_DIR / "services" / "proton-mail.yaml").read_text(encoding="utf-8")
    )
    proton = Service.objects.get(slug="proton-mail")
    assert proton.summary_ckb == source["summary"]["ckb"].strip()
    assert "خزمەتگوزاریەکی پۆستەی ئەلکتڕۆنیە" in proton.summary_ckb
    # Where the document has no Kurdish, the seed's translation file gives it.
    import polib

    po = polib.pofile(str(DATA_DIR / "translations" / "ckb.po"))
    entry = next(e for e in po if e.msgctxt == "providers.service:startmail:summary")
    startmail = Service.objects.get(slug="startmail")
    assert entry.msgstr and startmail.summary_ckb == entry.msgstr
    from django.utils import translation

    with translation.override("ckb"):
        assert startmail.summary == startmail.summary_ckb
        assert proton.summary == proton.summary_ckb


def test_second_run_changes_nothing(seeded):
    before = _snapshot()
    out = StringIO()
    call_command("loadseed", stdout=out)
    assert _snapshot() == before
    assert "0 created, 0 updated, 0 deleted" in out.getvalue()


def test_editors_changes_survive_a_reload_unless_reset(seeded, editor, publisher, signed_in):
    from portal.models import Revision
    from portal.review import move_revision

    service = Service.objects.get(slug="startmail")
    client = signed_in(editor)
    url = f"/admin/providers/service/{service.pk}/change/"
    data = change_form_data(client.get(url))
    data["summary_en"] = "Edited by an editor."
    data["_workflow"] = "submit"
    assert client.post(url, data).status_code == 302
    revision = Revision.objects.open().of(service).get()
    move_revision(revision, "publish", get_user_model().objects.get(username=publisher.username))

    call_command("loadseed", verbosity=0)
    service.refresh_from_db()
    assert service.summary_en == "Edited by an editor."
    assert service.state == PublicationState.PUBLISHED

    call_command("loadseed", "--reset", verbosity=0)
    service.refresh_from_db()
    assert service.summary_en.startswith("**StartMail**")
    assert service.state == PublicationState.PUBLISHED


def test_a_broken_seed_file_loads_nothing(db, tmp_path, settings):
    import shutil

    from portal.seed.loader import SeedError, SeedLoader

    broken = tmp_path / "data"
    shutil.copytree(DATA_DIR, broken)
    (broken / "services" / "zz-broken.yaml").write_text(
        "slug: broken\nkind: provider\nname: Broken\nsummary: {en: x}\n"
        "domains: [{name: 'a..b', role: mail}]\n",
        encoding="utf-8",
    )
    with pytest.raises(SeedError, match=r"zz-broken\.yaml"):
        SeedLoader(broken).load()
    assert Service.objects.count() == 0
    (broken / "services" / "zz-broken.yaml").write_text("slug: [", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("loadseed", "--data-dir", str(broken), verbosity=0)
    assert Service.objects.count() == 0


def test_seeded_services_have_every_kind_of_content(seeded):
    for service in Service.objects.all():
        assert service.summary_en, service
        assert service.links.filter(kind="homepage").exists(), service
    for service in Service.objects.filter(kind=ServiceKind.PROVIDER):
        assert service.sections.count() >= 6, service
        assert service.domains.filter(role="mail").exists(), service
