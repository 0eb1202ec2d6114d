import pytest

from audits.net.guard import ForbiddenAddress, ensure_public


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "169.254.169.254",
        "::1",
        "192.168.0.1",
        "fe80::1",
        "::ffff:127.0.0.1",
        "0.0.0.0",
        "100.64.0.1",
        "224.0.0.1",
    ],
)
def test_non_public_addresses_are_refused(address):
    with pytest.raises(ForbiddenAddress, match="not a public address"):
        ensure_public(address, allow_private=False)


def test_public_addresses_pass_and_private_ones_when_allowed():
    ensure_public("185.70.42.1", allow_private=False)
    ensure_public("2a07:b0c0::1", allow_private=False)
    ensure_public("127.0.0.1", allow_private=True)
