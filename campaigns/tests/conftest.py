import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Each tenant fixture creates four users; the production hasher would make this suite minutes long.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
