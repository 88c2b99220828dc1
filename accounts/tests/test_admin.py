import pytest

from accounts.models import AuthSession
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def live_sessions(user) -> int:
    return AuthSession.objects.filter(user=user, revoked_at__isnull=True).count()


def test_user_list_searches_and_filters(staff_client):
    UserFactory(username="findme", email="findme@example.com")
    UserFactory(username="other")
    response = staff_client.get("/admin/accounts/user/?q=findme&is_active__exact=1")
    assert response.status_code == 200
    content = response.content.decode()
    assert "findme@example.com" in content
    assert "other@example.com" not in content


def test_deactivate_action_revokes_sessions(staff_client, login):
    target = UserFactory()
    tokens = login(target)
    # when
    response = staff_client.post(
        "/admin/accounts/user/", {"action": "deactivate_users", "_selected_action": [target.pk]}, follow=True
    )
    # then
    assert response.status_code == 200
    target.refresh_from_db()
    assert not target.is_active
    assert live_sessions(target) == 0
    from rest_framework.test import APIClient

    refused = APIClient().post("/api/auth/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert refused.status_code == 401


def test_unticking_active_in_the_form_revokes_sessions(staff_client, login):
    target = UserFactory()
    login(target)
    form = {
        "username": target.username,
        "email": target.email,
        "display_name": "",
        "time_zone": "UTC",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "00:00:00",
    }  # is_active left out: unticked
    response = staff_client.post(f"/admin/accounts/user/{target.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    target.refresh_from_db()
    assert not target.is_active
    assert live_sessions(target) == 0


def test_admin_refuses_non_staff(client):
    client.force_login(UserFactory())
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def admin_sign_in(client, username, password, ip):
    return client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_admin_sign_in_has_a_per_account_budget_across_addresses(client, settings):
    settings.TMS_RATE_LIMITS = {**settings.TMS_RATE_LIMITS, "admin_login_account_all": "3/h"}
    UserFactory(username="boss", is_staff=True)
    for n in range(3):
        assert (
            admin_sign_in(client, "boss", "wrong password!", f"192.0.2.{n}").status_code == 200
        )  # the form again
    refused = admin_sign_in(client, "boss", PASSWORD, "192.0.2.77")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1


def test_a_staff_browser_that_signed_in_before_is_not_locked_out(client, settings):
    from django.test import Client

    settings.TMS_RATE_LIMITS = {**settings.TMS_RATE_LIMITS, "admin_login_account_all": "3/h"}
    UserFactory(username="boss", is_staff=True)
    staff_browser = Client()
    assert admin_sign_in(staff_browser, "boss", PASSWORD, "198.51.100.1").status_code == 302
    device = staff_browser.cookies[settings.TMS_DEVICE_COOKIE_NAME]
    staff_browser.logout()  # ends the session; the browser keeps its device cookie
    staff_browser.cookies[settings.TMS_DEVICE_COOKIE_NAME] = device
    # a guessing run from elsewhere spends the account-wide budget
    for n in range(4):
        admin_sign_in(client, "boss", "wrong password!", f"192.0.2.{n}")
    # the staff member's own browser still signs in
    assert admin_sign_in(staff_browser, "boss", PASSWORD, "198.51.100.1").status_code == 302
