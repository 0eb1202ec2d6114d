"""Every admin page an editor uses renders, on the seeded content."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from portal.publishing import Publishable

CURATED_APPS = {"providers", "criteria"}


def _curated_models():
    return sorted(
        (model for model in admin.site._registry if model._meta.app_label in CURATED_APPS),
        key=lambda m: m._meta.label,
    )


@pytest.mark.parametrize("model", _curated_models(), ids=lambda m: m._meta.label)
def test_editor_sees_changelist_add_form_and_change_form(
    model, seeded, editor, publisher, signed_in
):
    client = signed_in(editor)
    opts = model._meta
    changelist = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count == model.objects.count()
    add_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    if issubclass(model, Publishable):  # new items start as drafts
        assert client.get(add_url).status_code == 200
    else:  # anything else is live once saved: adding it is a publisher's decision
        assert client.get(add_url).status_code == 403
        assert signed_in(publisher).get(add_url).status_code == 200
    obj = model.objects.order_by("pk").first()
    if obj is not None:
        change = client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        )
        assert change.status_code == 200
        history = client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])
        )
        assert history.status_code == 200


def test_translation_completeness_columns(seeded, editor, signed_in):
    client = signed_in(editor)
    page = client.get("/admin/providers/service/")
    text = page.content.decode()
    for code in ("ckb", "de", "fr", "es", "fa"):
        assert f"column-translated_{code}" in text
    # The seed translates every text; without StartMail's Kurdish summary it is incomplete.
    from portal.admin_support import translation_completeness
    from providers.models import Service

    proton_filled, proton_total = translation_completeness(
        Service.objects.get(slug="proton-mail"), "ckb"
    )
    assert proton_filled == proton_total > 0
    Service.objects.filter(slug="startmail").update(summary_ckb="")
    startmail_filled, startmail_total = translation_completeness(
        Service.objects.get(slug="startmail"), "ckb"
    )
    assert startmail_filled == startmail_total - 1
    Service.objects.filter(slug="proton-mail").update(summary_de="", description_de="")
    de_filled, de_total = translation_completeness(Service.objects.get(slug="proton-mail"), "de")
    assert de_filled == de_total - 2


def test_the_admin_loads_no_third_party_assets(seeded, editor, signed_in):
    client = signed_in(editor)
    service_id = __import__("providers.models", fromlist=["Service"]).Service.objects.first().pk
    page = client.get(f"/admin/providers/service/{service_id}/change/").content.decode()
    assert "googleapis" not in page and "cdn" not in page.lower()
    assert "vendor/jquery-ui/jquery-ui.min.js" in page


def test_right_to_left_languages_are_edited_right_to_left(seeded, publisher, signed_in):
    from providers.models import Service

    client = signed_in(publisher)
    proton = Service.objects.get(slug="proton-mail")
    form = client.get(f"/admin/providers/service/{proton.pk}/change/").context["adminform"].form
    assert form.fields["summary_ckb"].widget.attrs["dir"] == "rtl"
    assert form.fields["summary_fa"].widget.attrs["dir"] == "rtl"
    assert "dir" not in form.fields["summary_de"].widget.attrs


def test_a_mistyped_history_url_is_a_404(seeded, publisher, signed_in):
    from providers.models import Service

    client = signed_in(publisher)
    service = Service.objects.get(slug="proton-mail")
    assert client.get(f"/admin/providers/service/{service.pk}/history/").status_code == 200
    assert client.get(f"/admin/providers/service/{service.pk}/change/history/").status_code == 404


def test_the_country_filter_offers_the_countries_of_the_services(seeded, editor, signed_in):
    client = signed_in(editor)
    text = client.get("/admin/providers/service/").content.decode()
    offered = set(re.findall(r'href="\?hq_country=([A-Z]{2})"', text))
    from providers.models import Service

    in_use = set(Service.objects.exclude(hq_country="").values_list("hq_country", flat=True))
    assert offered == {str(code) for code in in_use} and offered  # not 250 countries
    swiss = client.get("/admin/providers/service/?hq_country=CH").content.decode()
    assert "Proton Mail" in swiss and "Tutanota" not in swiss
