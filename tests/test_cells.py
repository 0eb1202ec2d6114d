"""The comparison's prepared cells escape every part they are joined from."""

from __future__ import annotations

from django.utils import translation

from providers.cells import Cells
from tests.factories import make_feature


def test_a_hostile_feature_name_is_escaped_in_every_cell(db) -> None:
    feature = make_feature(name_en="<b onmouseover='x()'>\"Name\" & more</b>")
    with translation.override("en"):
        cells = Cells([feature])
    for state in ("yes", "no", "unknown"):
        cell = cells.labelled[feature.pk, state]
        assert "<b" not in cell and "'x()'" not in cell
        escaped = "&lt;b onmouseover=&#x27;x()&#x27;&gt;&quot;Name&quot; &amp; more&lt;/b&gt;"
        assert f'data-label="{escaped}"' in cell


def test_cells_say_yes_and_no_in_the_pages_language(db) -> None:
    feature = make_feature(name_en="Encryption")
    with translation.override("de"):
        cells = Cells([feature])
    assert '<span class="cell-text">Ja</span>' in cells.labelled[feature.pk, "yes"]
    assert '<span class="cell-text">Nein</span>' in cells.labelled[feature.pk, "no"]
