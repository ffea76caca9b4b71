"""Standard Webhooks signing, and the encryption of signing secrets at rest.

A secret is ``whsec_`` + base64 of 32 random bytes; the HMAC key is those bytes (the
base64 decoded), and a message is signed as ``v1,<base64 HMAC-SHA256 of
"{webhook-id}.{webhook-timestamp}.{body}">`` (https://www.standardwebhooks.com), so any
Standard Webhooks library verifies it.

Secrets are stored encrypted (Fernet) with a key derived from SECRET_KEY: the portal must
sign with the secret, so it cannot keep a hash, but a leaked dump alone is not enough.
Keys derived from SECRET_KEY_FALLBACKS still decrypt, so SECRET_KEY can be rotated.
"""

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings

PREFIX = "whsec_"
SECRET_BYTES = 32


def secret_generate() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_`` secret (its base64-decoded bytes)."""
    return base64.b64decode(secret.removeprefix(PREFIX))


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(secrets_: list[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """``webhook-signature``: one ``v1,…`` per secret, space-separated (rotation overlap)."""
    return " ".join(signature(secret, msg_id, timestamp, body) for secret in secrets_)


def _fernet(key_material: str) -> Fernet:
    digest = hashlib.sha256(b"meshportal.webhooks.secret:" + key_material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _cipher() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(key) for key in keys])


def encrypt(secret: str) -> str:
    return _cipher().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    return _cipher().decrypt(token.encode()).decode()
