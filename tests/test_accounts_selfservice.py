"""Sign-in throttling (django-axes) and self-service passwords (issue 14, SPEC section 8).

Every request goes through the real URLs, as the RLS-bound test role. Sign-in
failures are counted per account and per client address (the test client's
``REMOTE_ADDR``); the limit and cool-off are the defaults (5, 15 minutes)
unless a test overrides them. Time passes by moving the recorded attempts
back, never by sleeping.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

NEW_PASSWORD = "a-brand-new-passphrase-42"
LOCKED_OUT = 429


def sign_in(email: str, password: str, *, path: str = "/login/", address: str = "127.0.0.1", **headers):
    """POST one sign-in from a fresh browser at ``address``; returns (response, client)."""
    client = Client(REMOTE_ADDR=address, **headers)
    data = {"username": email, "password": password}
    if path.startswith("/admin/"):
        data["next"] = "/admin/"
    return client.post(path, data), client


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def assert_lockout_page(response, *, minutes: int = 15, limit: int = 5):
    assert response.status_code == LOCKED_OUT
    names = [template.name for template in response.templates]
    assert "registration/locked_out.html" in names and "base.html" in names
    text = response.content.decode()
    assert text.count("<h1") == 1 and "Too many sign-in attempts" in text
    assert f"after {limit} failed attempts" in text
    assert f"Wait {minutes} minutes, then try again." in text


def move_attempts_back(minutes: int):
    """Pretend ``minutes`` passed since every recorded failure."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


# ---------------------------------------------------------------- throttling


@pytest.mark.parametrize(("path", "role"), [("/login/", "marketer"), ("/admin/login/", "staff")])
def test_fifty_wrong_passwords_then_the_right_one_does_not_sign_in(tenant_a, path, role):
    user = getattr(tenant_a, role)
    for attempt in range(1, 51):
        response, _ = sign_in(user.email, f"wrong-{attempt}", path=path)
        # The first four are ordinary failures; from the fifth on, the lockout page.
        assert response.status_code == (200 if attempt < 5 else LOCKED_OUT), attempt

    response, client = sign_in(user.email, PASSWORD, path=path)

    assert_lockout_page(response)
    assert not is_signed_in(client)


def test_address_lockout_blocks_every_account_from_that_address_and_no_other(tenant_a):
    # An attacker at one address tries five different accounts, one guess each:
    # no account reaches the limit, the address does.
    for n in range(5):
        sign_in(f"guess{n}@example.test", "wrong", address="203.0.113.7")

    # The marketer, behind the same address, is refused with the right password...
    response, client = sign_in(tenant_a.marketer.email, PASSWORD, address="203.0.113.7")
    assert_lockout_page(response)
    assert not is_signed_in(client)

    # ...and signs in from any other address.
    response, client = sign_in(tenant_a.marketer.email, PASSWORD, address="198.51.100.9")
    assert response.status_code == 302 and is_signed_in(client)


def test_account_lockout_follows_the_account_to_every_address_in_any_letter_case(tenant_a):
    victim = tenant_a.marketer
    # Five guesses from five addresses, the email typed in varying case: one account.
    for n, email in enumerate([victim.email, victim.email.upper(), victim.email, f" {victim.email.title()} ", victim.email]):
        sign_in(email, "wrong", address=f"198.51.100.{n + 1}")
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {victim.email}

    # The right password from a fresh address is refused...
    response, client = sign_in(victim.email, PASSWORD, address="192.0.2.50")
    assert_lockout_page(response)
    assert not is_signed_in(client)

    # ...while that address itself is not blocked: another account signs in from it.
    response, client = sign_in(tenant_a.viewer.email, PASSWORD, address="192.0.2.50")
    assert response.status_code == 302 and is_signed_in(client)


def test_sign_in_works_again_after_the_cool_off_and_each_attempt_restarts_it(tenant_a):
    email = tenant_a.marketer.email
    for _ in range(5):
        sign_in(email, "wrong")

    # 14 minutes later: still locked, and this attempt starts the 15 minutes again.
    move_attempts_back(14)
    response, _ = sign_in(email, PASSWORD)
    assert_lockout_page(response)

    # 16 minutes after the lockout began, but 2 after the last attempt: still locked.
    move_attempts_back(2)
    response, _ = sign_in(email, PASSWORD)
    assert_lockout_page(response)

    # A full cool-off after the last attempt.
    move_attempts_back(16)
    response, client = sign_in(email, PASSWORD)
    assert response.status_code == 302 and is_signed_in(client)
    assert not AccessAttempt.objects.exists()


def test_failure_limit_and_cool_off_come_from_the_settings(tenant_a, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)
    email = tenant_a.marketer.email
    assert sign_in(email, "wrong")[0].status_code == 200
    assert sign_in(email, "wrong")[0].status_code == 200
    assert_lockout_page(sign_in(email, "wrong")[0], minutes=30, limit=3)

    move_attempts_back(20)
    assert_lockout_page(sign_in(email, PASSWORD)[0], minutes=30, limit=3)
    move_attempts_back(31)
    assert sign_in(email, PASSWORD)[0].status_code == 302


def test_successful_sign_in_resets_the_account_failures(tenant_a):
    email = tenant_a.marketer.email
    for _ in range(4):
        sign_in(email, "wrong")
    response, _ = sign_in(email, PASSWORD)
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=email).exists()

    # Four more failures: without the reset these would make eight.
    for _ in range(4):
        assert sign_in(email, "wrong")[0].status_code == 200
    response, client = sign_in(email, PASSWORD)
    assert response.status_code == 302 and is_signed_in(client)


def test_signing_in_to_ones_own_account_does_not_clear_failures_against_another(tenant_a):
    attacker, victim = tenant_a.viewer, tenant_a.marketer
    # Step 1: four guesses at the victim's password from the attacker's address.
    for _ in range(4):
        sign_in(victim.email, "wrong", address="203.0.113.20")
    # Step 2: the attacker signs in to their own account from that address.
    response, _ = sign_in(attacker.email, PASSWORD, address="203.0.113.20")
    assert response.status_code == 302
    # Step 3: the fifth guess still reaches the limit, and locks the victim's account everywhere.
    assert_lockout_page(sign_in(victim.email, "wrong", address="203.0.113.20")[0])
    response, client = sign_in(victim.email, PASSWORD, address="192.0.2.80")
    assert_lockout_page(response)
    assert not is_signed_in(client)


def test_behind_a_proxy_the_forwarded_client_address_is_counted(tenant_a, settings):
    settings.RAPTORFLOW_PROXY_COUNT = 1
    proxy = "10.0.0.1"
    # Every request comes from the proxy; the client's own claim (left) is ignored,
    # the address the proxy appended (right) is counted.
    for n in range(5):
        sign_in(f"guess{n}@example.test", "wrong", address=proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.30")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.30"}
    response, _ = sign_in(tenant_a.marketer.email, PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.30")
    assert_lockout_page(response)

    # Other clients behind the same proxy are not locked out with them.
    response, client = sign_in(tenant_a.marketer.email, PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.30")
    assert response.status_code == 302 and is_signed_in(client)

    # A header that is not an address falls back to the connection's address, never a 500.
    response, _ = sign_in("guess@example.test", "wrong", address=proxy, HTTP_X_FORWARDED_FOR="not-an-address")
    assert response.status_code == 200
    assert AccessAttempt.objects.filter(username="guess@example.test", ip_address=proxy).exists()


def test_throttling_and_email_are_configured_from_the_environment():
    code = (
        "import raptorflow.settings as s;"
        "print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds(), s.RAPTORFLOW_PROXY_COUNT);"
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, getattr(s, \"EMAIL_USE_TLS\", False), s.EMAIL_HOST_USER);"
        "print(s.DEFAULT_FROM_EMAIL, '|', s.SERVER_EMAIL)"
    )
    names = ("AXES_FAILURE_LIMIT", "AXES_COOLOFF_MINUTES", "RAPTORFLOW_PROXY_COUNT", "EMAIL_URL", "DEFAULT_FROM_EMAIL", "SERVER_EMAIL")
    base = {key: value for key, value in os.environ.items() if key not in names}
    base.update(SECRET_KEY="test", DATABASE_URL="postgres://nobody@localhost/none")
    root = Path(__file__).resolve().parent.parent

    def settings_under(**env):
        return subprocess.run(
            [sys.executable, "-c", code], env={**base, **env}, cwd=root, capture_output=True, text=True, check=True
        ).stdout.splitlines()

    assert settings_under() == [
        "5 900.0 0",
        "django.core.mail.backends.console.EmailBackend None None False None",
        "RaptorFlow <no-reply@raptorflow.example> | RaptorFlow <no-reply@raptorflow.example>",
    ]
    assert settings_under(
        AXES_FAILURE_LIMIT="8",
        AXES_COOLOFF_MINUTES="45",
        RAPTORFLOW_PROXY_COUNT="1",
        EMAIL_URL="smtp+tls://mailer:s%40cret@smtp.example:587",
        DEFAULT_FROM_EMAIL="Ops <ops@example.test>",
    ) == [
        "8 2700.0 1",
        "django.core.mail.backends.smtp.EmailBackend smtp.example 587 True mailer",
        "Ops <ops@example.test> | Ops <ops@example.test>",
    ]


# ---------------------------------------------------------------- password change


def test_marketer_pages_link_to_the_password_change_page(tenant_a, client_for):
    page = client_for(tenant_a.marketer, tenant_a).get("/campaigns/").content.decode()
    assert f'<a href="{reverse("password_change")}"' in page and ">Change password</a>" in page


def test_password_change_page_needs_a_signed_in_user():
    response = Client().get("/account/password/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/account/password/")


def test_password_change_needs_the_old_password_and_replaces_it(tenant_a, client_for):
    user = tenant_a.marketer
    client = client_for(user, tenant_a)
    elsewhere = client_for(user, tenant_a)  # the same person signed in on another device

    page = client.get("/account/password/")
    text = page.content.decode()
    assert page.status_code == 200 and text.count("<h1") == 1
    for field in ("id_old_password", "id_new_password1", "id_new_password2"):
        assert f'<label for="{field}">' in text

    # A wrong current password: refused, the error next to that field.
    refused = client.post("/account/password/", {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert refused.status_code == 200 and list(refused.context["form"].errors) == ["old_password"]
    field_block = re.search(r'<div class="field field-error">\s*<label for="id_old_password">.*?</div>', refused.content.decode(), re.S)
    assert field_block and "errorlist" in field_block.group(0)

    changed = client.post("/account/password/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert changed.status_code == 302 and changed["Location"] == reverse("password_change_done")
    done = client.get(changed["Location"])
    assert done.status_code == 200 and "Password changed" in done.content.decode()
    # This session stays signed in; the other device's is signed out.
    assert is_signed_in(client)
    assert elsewhere.get("/").status_code == 302 and not is_signed_in(elsewhere)

    old, old_client = sign_in(user.email, PASSWORD)
    assert old.status_code == 200 and not is_signed_in(old_client)
    new, new_client = sign_in(user.email, NEW_PASSWORD)
    assert new.status_code == 302 and is_signed_in(new_client)


def test_admin_password_change_still_uses_the_admin_pages(tenant_a, client_for):
    staff = tenant_a.staff
    client = client_for(staff, tenant_a)

    page = client.get("/admin/password_change/")
    names = [template.name for template in page.templates]
    assert page.status_code == 200 and "admin/base_site.html" in names and "base.html" not in names

    changed = client.post(
        "/admin/password_change/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert changed.status_code == 302 and changed["Location"] == "/admin/password_change/done/"
    done = client.get(changed["Location"])
    assert done.status_code == 200 and "admin/base_site.html" in [template.name for template in done.templates]

    response, admin_client = sign_in(staff.email, NEW_PASSWORD, path="/admin/login/")
    assert response.status_code == 302 and is_signed_in(admin_client)


# ---------------------------------------------------------------- password reset


def reset_link(message) -> str:
    """The path of the one link in a reset email."""
    links = re.findall(r"https?://\S+", message.body)
    assert len(links) == 1, message.body
    return urlparse(links[0]).path


def test_sign_in_page_links_to_password_reset():
    page = Client().get("/login/").content.decode()
    assert f'<a href="{reverse("password_reset")}">Forgot your password?</a>' in page


def test_password_reset_through_the_emailed_link(tenant_a, mailoutbox, settings):
    user = tenant_a.marketer
    browser = Client()

    # Step 1: ask for the link, typing the email in capitals (stored lower case).
    asked = browser.post("/account/password-reset/", {"email": user.email.upper()})
    assert asked.status_code == 302 and asked["Location"] == reverse("password_reset_done")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [user.email] and message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == "Reset your RaptorFlow password"
    link = reset_link(message)

    # Step 2: open the link (Django swaps the token for a session key) and choose a password.
    opened = browser.get(link)
    assert opened.status_code == 302
    form_page = browser.get(opened["Location"])
    assert form_page.status_code == 200 and form_page.context["validlink"]
    assert form_page.content.decode().count("<h1") == 1
    done = browser.post(opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    assert "Password set" in browser.get(done["Location"]).content.decode()

    # Step 3: the new password signs in, the old one no longer does.
    assert sign_in(user.email, NEW_PASSWORD)[0].status_code == 302
    assert sign_in(user.email, PASSWORD)[0].status_code == 200


def test_reset_link_works_only_once(tenant_a, mailoutbox):
    user = tenant_a.marketer
    Client().post("/account/password-reset/", {"email": user.email})
    link = reset_link(mailoutbox[0])
    first = Client()
    set_password_url = first.get(link)["Location"]
    first.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    # The same link again, in a new browser and in the one that used it: refused, nothing changes.
    again = Client().get(link)
    assert again.status_code == 200 and again.context["validlink"] is False
    assert "Link no longer valid" in again.content.decode()
    for client, url in ((Client(), link), (first, set_password_url)):
        refused = client.post(url, {"new_password1": "yet-another-pass-77", "new_password2": "yet-another-pass-77"})
        assert refused.status_code == 200 and refused.context["validlink"] is False
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_reset_answers_the_same_whether_or_not_the_email_has_an_account(tenant_a, mailoutbox):
    known = Client().post("/account/password-reset/", {"email": tenant_a.marketer.email}, follow=True)
    unknown = Client().post("/account/password-reset/", {"email": "nobody@example.test"}, follow=True)

    assert known.redirect_chain == unknown.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    assert "Check your email" in unknown.content.decode()
    # Only the existing account got mail.
    assert [message.to for message in mailoutbox] == [[tenant_a.marketer.email]]
