"""Authentication: API keys (command, admin, header forms, revocation, expiry), JWT, and role permissions."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from marketdata.models import ApiKey
from marketdata.services import api_key_issue

from .access import (
    PASSWORD,
    api_key_header,
    bearer,
    expired_bearer,
    refresh_as_bearer,
    revoked_api_key_header,
    role_user,
)

JSON = "application/json"
pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.probe_urls")]
PROBE = "/api/v1/probe/"


def get(client, url, authorization=None):
    headers = {"Authorization": authorization} if authorization else {}
    return client.get(url, headers=headers)


def test_create_api_key_prints_the_key_once_and_stores_only_its_hash(client):
    user = role_user("analyst")
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_key", user.username, "--name", "nightly sync", stdout=out, stderr=err)
    raw_key = out.getvalue().strip()
    api_key = ApiKey.objects.get(user=user)
    assert api_key.name == "nightly sync" and raw_key.startswith(api_key.prefix + ".")
    assert len(raw_key) > 40 and api_key.prefix in err.getvalue()
    stored = [str(getattr(api_key, field.attname)) for field in ApiKey._meta.concrete_fields]
    assert not any(raw_key.split(".")[1] in value for value in stored)  # the secret is nowhere in the row
    response = get(client, PROBE, f"Api-Key {raw_key}")
    assert response.status_code == 200 and response.json() == {"user": user.username, "auth": "ApiKey"}


def test_create_api_key_for_unknown_user_names_it():
    with pytest.raises(CommandError, match="nobody"):
        call_command("create_api_key", "nobody", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.parametrize("keyword", ["Api-Key", "Token", "api-key"])
def test_api_key_header_forms_and_last_used(client, keyword):
    user = role_user("analyst")
    response = get(client, PROBE, api_key_header(user, keyword))
    assert response.status_code == 200 and response.json()["user"] == user.username
    assert ApiKey.objects.get(user=user).last_used_at is not None


def test_revoked_key_is_refused_after_the_revoke_command(client):
    user = role_user("curator")
    api_key, raw_key = api_key_issue(user=user)
    assert get(client, PROBE, f"Api-Key {raw_key}").status_code == 200
    out = io.StringIO()
    call_command("revoke_api_key", api_key.prefix, stdout=out)
    assert "Revoked" in out.getvalue()
    response = get(client, PROBE, f"Api-Key {raw_key}")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
    with pytest.raises(CommandError, match="zzzzzzzz"):
        call_command("revoke_api_key", "zzzzzzzz", stdout=io.StringIO())


def test_expired_tampered_and_inactive_keys_are_refused(client):
    user = role_user("analyst")
    _, expired = api_key_issue(user=user, expires_at=timezone.now() - timedelta(seconds=1))
    _, good = api_key_issue(user=user)
    assert get(client, PROBE, f"Api-Key {expired}").status_code == 401
    assert get(client, PROBE, f"Api-Key {good[:-1]}{'A' if good[-1] != 'A' else 'B'}").status_code == 401
    assert get(client, PROBE, "Api-Key no-dot-in-this-key").status_code == 401
    assert get(client, PROBE, f"Api-Key {good} extra").status_code == 401
    assert get(client, PROBE, f"Api-Key {good}").status_code == 200
    user.is_active = False
    user.save()
    assert get(client, PROBE, f"Api-Key {good}").status_code == 401
    assert get(client, PROBE, revoked_api_key_header(role_user("curator"))).status_code == 401


def test_admin_issues_a_key_shown_once_and_revokes_it(client):
    admin_user = role_user("admin")
    admin_user.is_staff = True
    admin_user.save()
    owner = role_user("analyst")
    client.force_login(admin_user)
    response = client.post(
        "/admin/marketdata/apikey/add/", {"user": owner.pk, "name": "from admin", "expires_at": ""}, follow=True
    )
    shown = [str(message) for message in response.context["messages"]]
    api_key = ApiKey.objects.get(user=owner, name="from admin")
    raw_key = next(word for message in shown for word in message.split() if word.startswith(api_key.prefix + "."))
    change_page = client.get(f"/admin/marketdata/apikey/{api_key.pk}/change/").content.decode()
    assert raw_key not in change_page and api_key.hashed_key not in change_page
    client.logout()
    assert get(client, PROBE, f"Api-Key {raw_key}").status_code == 200
    client.force_login(admin_user)
    client.post(
        "/admin/marketdata/apikey/",
        {"action": "revoke_selected", "_selected_action": [api_key.pk]},
        follow=True,
    )
    client.logout()
    assert get(client, PROBE, f"Api-Key {raw_key}").status_code == 401


def test_jwt_obtain_refresh_rotation_blacklist_and_verify(client):
    user = role_user("analyst")
    pair = client.post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, content_type=JSON
    ).json()
    assert get(client, PROBE, f"Bearer {pair['access']}").json()["user"] == user.username
    assert client.post("/api/v1/auth/token/verify/", {"token": pair["access"]}, content_type=JSON).status_code == 200
    rotated = client.post("/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]}, content_type=JSON)
    assert rotated.status_code == 200 and {"access", "refresh"} <= rotated.json().keys()
    assert rotated.json()["refresh"] != pair["refresh"]
    reused = client.post("/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]}, content_type=JSON)
    assert reused.status_code == 401  # the rotated-out refresh token is blacklisted
    assert get(client, PROBE, f"Bearer {rotated.json()['access']}").status_code == 200
    wrong = client.post("/api/v1/auth/token/", {"username": user.username, "password": "wrong"}, content_type=JSON)
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "no_active_account"
    assert client.post("/api/v1/auth/token/verify/", {"token": "not.a.token"}, content_type=JSON).status_code == 401


def test_refresh_token_is_never_accepted_as_access_token(client):
    user = role_user("admin")
    response = get(client, PROBE, refresh_as_bearer(user))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_not_valid"
    assert "wrong type" in str(response.json()["error"]).lower()
    assert get(client, PROBE, bearer(user)).status_code == 200


def test_expired_access_token_is_refused(client):
    response = get(client, PROBE, expired_bearer(role_user("curator")))
    assert response.status_code == 401 and response.json()["error"]["code"] == "token_not_valid"


def test_anonymous_gets_401_with_www_authenticate(client):
    response = get(client, PROBE)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("role", "read", "write", "curator_only"),
    [("analyst", 200, 403, 403), ("curator", 200, 201, 200), ("admin", 200, 201, 200)],
)
def test_reads_for_every_role_writes_and_runs_for_curators_and_admins(client, role, read, write, curator_only):
    headers = {"Authorization": bearer(role_user(role))}
    assert client.get(PROBE, headers=headers).status_code == read
    assert client.post(PROBE, {}, content_type=JSON, headers=headers).status_code == write
    assert client.get("/api/v1/probe/curator/", headers=headers).status_code == curator_only


def test_session_authentication_for_admin_users_browsing(client):
    client.force_login(role_user("admin"))
    assert client.get(PROBE).json()["auth"] == "NoneType"
