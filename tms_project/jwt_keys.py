"""RS256 key material for access and refresh tokens.

The auth role signs with the private key; the tasks role verifies with the
public key alone and never holds the private one (DESIGN §1). Keys come from
files (Kubernetes Secret mounts) or from the environment; development makes a
pair once under .keys/ so a newcomer needs no set-up. No key is ever committed.
"""

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ImproperlyConfigured

KEY_BITS = 2048


def generate_private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_key_pem_of(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def write_key_pair(directory: Path) -> tuple[Path, Path]:
    """Write private.pem (mode 0600) and public.pem into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    private_pem = generate_private_key_pem()
    private_path, public_path = directory / "jwt-private.pem", directory / "jwt-public.pem"
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(private_pem)
    public_path.write_text(public_key_pem_of(private_pem))
    return private_path, public_path


def _read(env_value: str, env_file: str) -> str | None:
    if os.environ.get(env_value):
        return os.environ[env_value]
    path = os.environ.get(env_file)
    if path:
        try:
            return Path(path).read_text()
        except OSError as exc:
            raise ImproperlyConfigured(f"{env_file}={path} cannot be read: {exc.strerror}.") from exc
    return None


def load_keys(*, service: str, production: bool, dev_dir: Path) -> tuple[str | None, str]:
    """Return (private PEM or None, public PEM) for this role."""
    private_pem = _read("TMS_JWT_PRIVATE_KEY", "TMS_JWT_PRIVATE_KEY_FILE")
    public_pem = _read("TMS_JWT_PUBLIC_KEY", "TMS_JWT_PUBLIC_KEY_FILE")

    if service == "tasks":
        if private_pem:
            raise ImproperlyConfigured(
                "The tasks service must not hold the token signing key: give it only "
                "TMS_JWT_PUBLIC_KEY_FILE (or TMS_JWT_PUBLIC_KEY)."
            )
        if not public_pem and not production and (dev_dir / "jwt-public.pem").exists():
            public_pem = (dev_dir / "jwt-public.pem").read_text()
        if not public_pem:
            raise ImproperlyConfigured(
                "TMS_JWT_PUBLIC_KEY_FILE is not set: the tasks service verifies tokens with the "
                "auth service's public key (manage.py generate_jwt_keys makes a pair)."
            )
        return None, public_pem

    if not private_pem and not production:
        private_path = dev_dir / "jwt-private.pem"
        if not private_path.exists():
            write_key_pair(dev_dir)
        private_pem = private_path.read_text()
    if not private_pem:
        raise ImproperlyConfigured(
            "TMS_JWT_PRIVATE_KEY_FILE is not set: the auth service signs tokens with an RSA "
            "private key (manage.py generate_jwt_keys makes a pair)."
        )
    derived = public_key_pem_of(private_pem)
    if public_pem and public_pem.strip() != derived.strip():
        raise ImproperlyConfigured("TMS_JWT_PUBLIC_KEY does not belong to TMS_JWT_PRIVATE_KEY.")
    return private_pem, derived


def _read_optional(env_value: str, env_file: str) -> str | None:
    """Like _read, but a named file that does not exist is no key: the Secret holding a previous
    key is optional, and is mounted empty when it is absent."""
    if os.environ.get(env_value):
        return os.environ[env_value]
    path = os.environ.get(env_file)
    if path and Path(path).exists():
        return _read(env_value, env_file)
    return None


def load_previous_keys(*, service: str) -> tuple[str | None, str | None]:
    """Return (previous private PEM or None, previous public PEM or None): the pair before the last
    rotation, still accepted so that a rotation signs no one out (docs/operations.md).

    The auth service gets the previous private key (TMS_JWT_PREVIOUS_PRIVATE_KEY[_FILE]): it
    verifies refresh tokens signed with it, under either signing, and never signs with it. The
    other services get the previous public key (TMS_JWT_PREVIOUS_PUBLIC_KEY[_FILE]) alone.
    """
    private_pem = _read_optional("TMS_JWT_PREVIOUS_PRIVATE_KEY", "TMS_JWT_PREVIOUS_PRIVATE_KEY_FILE")
    public_pem = _read_optional("TMS_JWT_PREVIOUS_PUBLIC_KEY", "TMS_JWT_PREVIOUS_PUBLIC_KEY_FILE")
    if service == "tasks":
        if private_pem:
            raise ImproperlyConfigured(
                "The tasks service must not hold a signing key, not even the previous one: give it "
                "only TMS_JWT_PREVIOUS_PUBLIC_KEY_FILE."
            )
        return None, public_pem
    if not private_pem:
        if public_pem:
            raise ImproperlyConfigured(
                "The auth service reads the previous key pair from TMS_JWT_PREVIOUS_PRIVATE_KEY_FILE "
                "(refresh tokens signed with HMAC need the private half)."
            )
        return None, None
    try:
        derived = public_key_pem_of(private_pem)
    except ValueError as exc:
        raise ImproperlyConfigured("TMS_JWT_PREVIOUS_PRIVATE_KEY is not a PEM private key.") from exc
    if public_pem and public_pem.strip() != derived.strip():
        raise ImproperlyConfigured(
            "TMS_JWT_PREVIOUS_PUBLIC_KEY does not belong to TMS_JWT_PREVIOUS_PRIVATE_KEY."
        )
    return private_pem, derived
