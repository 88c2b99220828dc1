"""Production hashes passwords with bcrypt (SHA-256 pre-hash, so long passphrases count in full)."""

from django.contrib.auth.hashers import check_password, make_password

from tms_project import settings as production_settings


def test_bcrypt_is_the_production_hasher(settings):
    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS
    encoded = make_password("correct horse battery staple")
    assert encoded.startswith("bcrypt_sha256$$2b$12$")
    assert check_password("correct horse battery staple", encoded)
    assert not check_password("correct horse battery stapl", encoded)


def test_characters_beyond_bcrypts_72_bytes_still_matter(settings):
    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS
    base = "x" * 100
    encoded = make_password(base + "a")
    assert not check_password(base + "b", encoded)
