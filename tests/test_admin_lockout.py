"""Sign-in throttling: every failure reads the same, failures are counted per account and per
client address (wrong passwords and wrong codes alike), and a lockout holds until it cools off
or an operator clears it; the owner's authenticator is never locked by someone else's guesses."""

from __future__ import annotations

from django.test import Client

from tests.conftest import current_totp, login_with_second_factor

GENERIC = "Please enter a correct username, password and code."


def attempt(
    client: Client, username: str, password: str, token: str = "", address: str = "198.51.100.7"
):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "otp_token": token},
        REMOTE_ADDR=address,
    )


def wrong_code(username: str) -> str:
    return f"{(int(current_totp(username)) + 1) % 1_000_000:06d}"


def test_every_failure_reads_the_same(editor):
    client = Client()
    unknown_user = attempt(client, "nobody-here", "whatever-password").content.decode()
    wrong_password = attempt(client, editor.username, "not-the-password").content.decode()
    right_password_wrong_code = attempt(
        client, editor.username, editor.password, wrong_code(editor.username)
    ).content.decode()
    for page in (unknown_user, wrong_password, right_password_wrong_code):
        assert GENERIC in page
        assert "Invalid token" not in page and "authentication code" not in page.lower()


def test_five_wrong_passwords_lock_the_account_even_with_the_right_ones(editor):
    client = Client()
    for _ in range(4):
        assert attempt(client, editor.username, "not-the-password").status_code == 200
    assert attempt(client, editor.username, "not-the-password").status_code == 429  # the fifth
    locked = attempt(client, editor.username, editor.password, current_totp(editor.username))
    assert locked.status_code == 429
    assert Client().get("/admin/").status_code == 302


def test_wrong_codes_count_as_failures_too(editor):
    client = Client()
    for _ in range(5):
        attempt(client, editor.username, editor.password, wrong_code(editor.username))
    right = attempt(client, editor.username, editor.password, current_totp(editor.username))
    assert right.status_code == 429


def test_one_address_guessing_many_accounts_is_locked(editor, publisher):
    client = Client()
    for number in range(5):
        attempt(client, f"guess-{number}", "password-guess", address="203.0.113.9")
    assert (
        attempt(client, publisher.username, publisher.password, address="203.0.113.9").status_code
        == 429
    )


def test_an_operator_clears_a_lockout_and_the_owner_signs_in(editor, db):
    from axes.utils import reset

    client = Client()
    for _ in range(5):
        attempt(client, editor.username, "not-the-password")
    assert attempt(client, editor.username, editor.password).status_code == 429
    reset(username=editor.username)  # what the admin's "Axes" pages do
    reset(ip="198.51.100.7")
    assert login_with_second_factor(Client(), editor).get("/admin/").status_code == 200


def test_a_success_resets_the_count(editor):
    for _ in range(4):
        attempt(Client(), editor.username, "not-the-password", address="127.0.0.1")
    login_with_second_factor(Client(), editor)
    for _ in range(4):
        assert (
            attempt(Client(), editor.username, "not-the-password", address="127.0.0.1").status_code
            == 200
        )
