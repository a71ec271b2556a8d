"""V4 signed URLs: Google's canonical request, verified with RSA-SHA256 against registered keys.

A signed URL is signed with a service account's private key, which the emulator never sees.
Its public key is registered instead (`POST /emulator/v1/signing-keys` with `clientEmail` and
`publicKeyPem`; the pytest plugin's `signing_credentials` fixture does it), kept in the data
folder, and a URL whose `X-Goog-Credential` names that account is checked as Cloud Storage
checks it: the signature over the canonical request (403 `SignatureDoesNotMatch` when any part
was changed), the date and `X-Goog-Expires` (400 `ExpiredToken` once past, as Cloud Storage answers).
"""

from __future__ import annotations

import binascii
import hashlib
import json
import re
import threading
import time
from calendar import timegm
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ...core.workspace import atomic_path
from ..server.errors import ApiError, bad_request

ALGORITHM = "GOOG4-RSA-SHA256"
MAX_EXPIRES_S = 7 * 24 * 3600
"""Cloud Storage refuses V4 URLs valid for more than 7 days."""
_CLOCK_SKEW_S = 15 * 60
_EMAIL_RE = re.compile(r"^[^\s/@]{1,128}@[^\s/@]{1,255}$")
_DATE_RE = re.compile(r"^\d{8}T\d{6}Z$")
_MAX_KEYS = 1000
_MAX_PEM_CHARS = 16 * 1024


class SignedUrlError(ApiError):
    """A signed URL Cloud Storage would refuse; `xml_code` is its XML API error code."""

    def __init__(self, code: int, xml_code: str, message: str):
        super().__init__(code, message, "forbidden" if code == 403 else "invalid")
        self.xml_code = xml_code


class SigningKeys:
    """Public keys of the service accounts whose signed URLs the emulator accepts."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._keys: dict[str, list[str]] = {}
        if path.is_file():
            try:
                loaded = json.loads(path.read_text())
                self._keys = {str(k): [str(p) for p in v] for k, v in loaded.items()}
            except (ValueError, AttributeError, TypeError):
                self._keys = {}

    def register(self, client_email: Any, public_key_pem: Any) -> dict[str, Any]:
        """Accept URLs signed by `client_email` with the private half of `public_key_pem`."""
        if not isinstance(client_email, str) or not _EMAIL_RE.match(client_email):
            raise bad_request("clientEmail must be a service account e-mail address", location="clientEmail")
        if not isinstance(public_key_pem, str) or len(public_key_pem) > _MAX_PEM_CHARS:
            raise bad_request("publicKeyPem must be a PEM public key (at most 16 KB)", location="publicKeyPem")
        try:
            key = serialization.load_pem_public_key(public_key_pem.encode("ascii"))
        except (ValueError, UnicodeEncodeError, TypeError):
            raise bad_request("publicKeyPem is not a PEM-encoded public key", location="publicKeyPem") from None
        if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 1024:
            raise bad_request("publicKeyPem must be an RSA key of 1024 bits or more", location="publicKeyPem")
        with self._lock:
            keys = self._keys.setdefault(client_email, [])
            if public_key_pem not in keys:
                if sum(len(v) for v in self._keys.values()) >= _MAX_KEYS:
                    raise ApiError(429, f"At most {_MAX_KEYS} signing keys can be registered", "rateLimitExceeded")
                keys.append(public_key_pem)
            self._save()
        return {"clientEmail": client_email, "keys": len(keys)}

    def accounts(self) -> list[str]:
        with self._lock:
            return sorted(self._keys)

    def public_keys(self, client_email: str) -> list[rsa.RSAPublicKey]:
        with self._lock:
            pems = list(self._keys.get(client_email, ()))
        out = []
        for pem in pems:
            key = serialization.load_pem_public_key(pem.encode("ascii"))
            if isinstance(key, rsa.RSAPublicKey):
                out.append(key)
        return out

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(self.path) as tmp:
            Path(tmp).write_text(json.dumps(self._keys))


def is_signed(query_string: str) -> bool:
    """Whether a query string carries a V4 or V2 signature."""
    lowered = query_string.lower()
    return "x-goog-signature=" in lowered or "x-goog-algorithm=" in lowered or "signature=" in lowered


def verify_v4(
    keys: SigningKeys,
    method: str,
    raw_path: str,
    query_string: str,
    headers: dict[str, str],
    *,
    now: float | None = None,
) -> str:
    """Check a V4-signed request; return the signing account or raise SignedUrlError."""
    params = parse_qsl(query_string, keep_blank_values=True)
    found = {k.lower(): v for k, v in params}
    if "x-goog-algorithm" not in found and "signature" in found:
        raise SignedUrlError(
            400, "InvalidArgument", "V2 signed URLs are not served by the emulator; sign with version='v4'"
        )
    for name in ("x-goog-algorithm", "x-goog-credential", "x-goog-date", "x-goog-expires", "x-goog-signedheaders"):
        if not found.get(name):
            raise SignedUrlError(400, "InvalidArgument", f"Missing {name} in the signed URL")
    if found["x-goog-algorithm"] != ALGORITHM:
        raise SignedUrlError(400, "InvalidArgument", f"Unsupported X-Goog-Algorithm; use {ALGORITHM}")
    signature_hex = found.get("x-goog-signature", "")
    try:
        signature = binascii.unhexlify(signature_hex)
    except (binascii.Error, ValueError):
        raise SignedUrlError(403, "SignatureDoesNotMatch", "X-Goog-Signature is not hexadecimal") from None
    credential = found["x-goog-credential"]
    cred = credential.split("/")
    if len(cred) != 5 or cred[3] != "storage" or cred[4] != "goog4_request":
        raise SignedUrlError(400, "AuthorizationQueryParametersError", "X-Goog-Credential is malformed")
    email, datestamp = cred[0], cred[1]
    stamp = found["x-goog-date"]
    if not _DATE_RE.match(stamp) or stamp[:8] != datestamp:
        raise SignedUrlError(400, "AuthorizationQueryParametersError", "X-Goog-Date is malformed")
    try:
        expires = int(found["x-goog-expires"])
        signed_at = timegm(time.strptime(stamp, "%Y%m%dT%H%M%SZ"))
    except ValueError:
        raise SignedUrlError(
            400, "AuthorizationQueryParametersError", "X-Goog-Expires or X-Goog-Date is invalid"
        ) from None
    if not 1 <= expires <= MAX_EXPIRES_S:
        raise SignedUrlError(
            400, "AuthorizationQueryParametersError", f"X-Goog-Expires must be between 1 and {MAX_EXPIRES_S} seconds"
        )
    now = time.time() if now is None else now
    if signed_at > now + _CLOCK_SKEW_S:
        raise SignedUrlError(400, "InvalidArgument", "The signed URL's X-Goog-Date is in the future")
    if now > signed_at + expires:
        raise SignedUrlError(400, "ExpiredToken", f"Invalid argument. Request has expired: {signed_at + expires}")
    public_keys = keys.public_keys(email)
    if not public_keys:
        raise SignedUrlError(
            403,
            "SignatureDoesNotMatch",
            f"No signing key is registered with the emulator for {email}; POST its public key to /emulator/v1/signing-keys",
        )
    signed_names = found["x-goog-signedheaders"].split(";")
    if "host" not in signed_names:
        raise SignedUrlError(400, "AuthorizationQueryParametersError", "X-Goog-SignedHeaders must include host")
    canonical_headers = ""
    for name in signed_names:
        value = headers.get(name)
        if value is None:
            raise SignedUrlError(403, "SignatureDoesNotMatch", f"The signed header {name[:64]!r} is missing")
        canonical_headers += f"{name}:{' '.join(value.split())}\n"
    query = "&".join(
        sorted(f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in params if k.lower() != "x-goog-signature")
    )
    payload = headers.get("x-goog-content-sha256", "UNSIGNED-PAYLOAD")
    resource = quote(unquote(raw_path), safe="/~")
    canonical = "\n".join([method, resource, query, canonical_headers, found["x-goog-signedheaders"], payload])
    to_sign = "\n".join(
        [ALGORITHM, stamp, credential.split("/", 1)[1], hashlib.sha256(canonical.encode("utf-8")).hexdigest()]
    )
    for key in public_keys:
        try:
            key.verify(signature, to_sign.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
            return email
        except InvalidSignature:
            continue
    raise SignedUrlError(
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. "
        "Check your Google secret key and signing method.",
    )
