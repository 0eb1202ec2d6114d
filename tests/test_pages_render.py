"""Every public page renders in English and in Central Kurdish, with the seed's content."""

from __future__ import annotations

import pytest

PAGES = [
    "/{lang}/",
    "/{lang}/providers/",
    "/{lang}/aliasing/",
    "/{lang}/self-hosting/",
    "/{lang}/services/proton-mail/",
    "/{lang}/services/simplelogin/",
    "/{lang}/criteria/",
    "/{lang}/compare/",
    "/{lang}/compare/?compare=proton-mail&compare=tutanota",
]


@pytest.mark.parametrize("lang", ["en", "ckb"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders(seeded, client, page, lang):
    response = client.get(page.format(lang=lang))
    assert response.status_code == 200
    assert f'lang="{lang}"' in response.content.decode()
