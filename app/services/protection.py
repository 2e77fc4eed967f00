"""Protected personal ID numbers: a keyed hash to match people, an encrypted copy, the
last four characters for display. The clear number is never stored.

Keys come from ID_NUMBER_KEY, or are derived from SECRET_KEY. Changing the key makes
stored hashes unmatchable, so production sets ID_NUMBER_KEY once and keeps it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from app.domain.identity import validate_id_number


@dataclass(frozen=True)
class ProtectedId:
    id_hash: str
    id_cipher: str
    id_last4: str


def _derive(purpose: bytes) -> bytes:
    secret = current_app.config.get("ID_NUMBER_KEY") or current_app.config["SECRET_KEY"]
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"saiping-id", info=purpose).derive(
        str(secret).encode()
    )


def id_hash(number: str) -> str:
    """The keyed hash of an already validated, normalised number."""
    return hmac.new(_derive(b"hash"), number.encode(), hashlib.sha256).hexdigest()


def protect(raw: str) -> ProtectedId:
    """Validate (raises IdNumberError) and protect an ID number."""
    number = validate_id_number(raw)
    fernet = Fernet(base64.urlsafe_b64encode(_derive(b"encrypt")))
    return ProtectedId(
        id_hash=id_hash(number),
        id_cipher=fernet.encrypt(number.encode()).decode(),
        id_last4=number[-4:],
    )


def reveal(cipher: str) -> str:
    """The clear number, for the authority's export only (a later issue)."""
    fernet = Fernet(base64.urlsafe_b64encode(_derive(b"encrypt")))
    return fernet.decrypt(cipher.encode()).decode()
