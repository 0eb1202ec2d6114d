from django.test import Client

from tests.conftest import current_totp, login_with_second_factor


def test_password_alone_does_not_open_the_admin(editor):
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/",
        {
            "username": editor.username,
            "password": editor.password,
        },
    )
    assert response.status_code == 200  # the form comes back asking for the token
    assert client.get("/admin/").status_code == 302


def test_wrong_token_is_refused(editor):
    client = Client()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=editor.username)
    wrong = f"{(int(current_totp(editor.username)) + 1) % 1_000_000:06d}"
    client.post(
        "/admin/login/?next=/admin/",
        {
            "username": editor.username,
            "password": editor.password,
            "otp_device": device.persistent_id,
            "otp_token": wrong,
        },
    )
    assert client.get("/admin/").status_code == 302


def test_password_and_totp_open_the_admin(editor):
    client = login_with_second_factor(Client(), editor)
    assert client.get("/admin/").status_code == 200


def test_backup_code_works_once(editor):
    from django_otp.plugins.otp_static.models import StaticDevice

    device = StaticDevice.objects.get(user__username=editor.username)
    form = {
        "username": editor.username,
        "password": editor.password,
        "otp_device": device.persistent_id,
        "otp_token": editor.backup_codes[0],
    }
    first = Client()
    first.post("/admin/login/?next=/admin/", form)
    assert first.get("/admin/").status_code == 200
    second = Client()
    second.post("/admin/login/?next=/admin/", form)
    assert second.get("/admin/").status_code == 302


def test_operator_role_is_a_superuser_outside_the_editorial_groups(db):
    from portal.accounts import create_staff_member

    operator = create_staff_member("test-operator", "operator")
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=operator.username)
    assert user.is_superuser and user.is_staff
    assert not user.groups.exists()


def test_password_and_code_work_in_one_step_without_choosing_a_device(editor):
    client = Client()
    client.post(
        "/admin/login/?next=/admin/",
        {
            "username": editor.username,
            "password": editor.password,
            "otp_token": current_totp(editor.username),
        },
    )
    assert client.get("/admin/").status_code == 200


def test_a_backup_code_works_in_one_step_too(editor):
    client = Client()
    client.post(
        "/admin/login/?next=/admin/",
        {
            "username": editor.username,
            "password": editor.password,
            "otp_token": editor.backup_codes[1],
        },
    )
    assert client.get("/admin/").status_code == 200


def test_another_users_code_does_not_open_the_admin(editor, publisher):
    client = Client()
    client.post(
        "/admin/login/?next=/admin/",
        {
            "username": editor.username,
            "password": editor.password,
            "otp_token": publisher.backup_codes[0],
        },
    )
    assert client.get("/admin/").status_code == 302
