"""The README's "Using it" examples work as written (the same requests, through the test client)."""

from __future__ import annotations

from tests.http import body


def test_the_readme_api_examples_work(seeded, client, settings):
    settings.API_ANON_THROTTLE_RATE = None
    services = client.get(
        "/api/v1/services/",
        {"kind": "provider", "openpgp": "true", "verified": "dnssec,dane", "lang": "ckb"},
    )
    assert services.status_code == 200, services.content
    sheet = client.get("/api/v1/services/", {"format": "csv", "bom": "true"})
    assert sheet.status_code == 200 and body(sheet).startswith(b"\xef\xbb\xbf")
    detail = client.get("/api/v1/services/proton-mail/")
    unchanged = client.get("/api/v1/services/proton-mail/", HTTP_IF_NONE_MATCH=detail["ETag"])
    assert unchanged.status_code == 304 and not unchanged.content
    assert client.get("/api/v1/services/proton-mail/audits/").status_code == 200
    page = client.get("/api/v1/services/", {"openpgp": "true", "lang": "de"}).json()
    assert page["results"]
    for service in page["results"]:
        assert "latest_audit" in client.get(f"/api/v1/services/{service['slug']}/").json()
