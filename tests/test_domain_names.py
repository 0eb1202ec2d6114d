import pytest

from providers.domains import InvalidDomain, normalise_domain


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Proton.ME", "proton.me"),
        ("mailbox.org.", "mailbox.org"),
        ("  tutanota.com ", "tutanota.com"),
        ("bücher.example", "xn--bcher-kva.example"),
    ],
)
def test_valid_names_are_normalised(raw, expected):
    assert normalise_domain(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("a..b", "empty label"),
        ("x" * 250 + ".com", "limit is 253"),
        ("https://proton.me/mail", "not a bare domain"),
        ("192.0.2.1", "IP address"),
        ("localhost", "no parent domain"),
        ("mail.localhost", "names this machine"),
        ("-bad-.example", "invalid label"),
        ("user@example.org", "not a bare domain"),
    ],
)
def test_malformed_names_are_refused_with_a_reason(raw, reason):
    with pytest.raises(InvalidDomain, match=reason):
        normalise_domain(raw)
