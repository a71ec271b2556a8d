"""Context caches (`cachedContents`): create, get, list, update (TTL or expiry), delete, kept as
one JSON file each under `<data>/vertex/cachedContents/`. A `generateContent` naming a cache
reads its contents and system instruction before the request's (`features.prepare`)."""

from __future__ import annotations

import json
import re
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ...core.workspace import atomic_write_text
from ..server.errors import ApiError, bad_request, not_found, required
from .engine.base_model import canonical_base
from .tokens import count_response

DEFAULT_TTL = timedelta(hours=1)
_TTL = re.compile(r"^(\d+(?:\.\d+)?)s$")


def _stamp(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_time(value: Any, field: str) -> datetime:
    try:
        t = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(
            f"Invalid value at '{field}': {value!r} is not an RFC 3339 timestamp", location=field
        ) from None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _expiry(body: dict[str, Any], now: datetime) -> datetime | None:
    ttl, expire = body.get("ttl"), body.get("expireTime", body.get("expire_time"))
    if ttl is not None and expire is not None:
        raise bad_request("Set either ttl or expire_time, not both", location="ttl")
    if ttl is not None:
        m = _TTL.match(str(ttl))
        if not m:
            raise bad_request(f"Invalid value at 'ttl': {ttl!r} is not a duration like \"3600s\"", location="ttl")
        return now + timedelta(seconds=float(m.group(1)))
    if expire is not None:
        return _parse_time(expire, "expire_time")
    return None


class CachedContents:
    """The cache store of one emulator."""

    def __init__(self, root: Path):
        self.root = root
        self._lock = threading.Lock()

    def _path(self, ident: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{1,64}", ident):
            raise not_found(f"CachedContent {ident} not found.")
        return self.root / f"{ident}.json"

    def create(self, body: dict[str, Any], prefix: str) -> dict[str, Any]:
        from .features import prepare

        model = body.get("model")
        if not isinstance(model, str) or not model:
            raise required("model")
        if canonical_base(model) is None:
            raise not_found(f"Publisher Model `{model}` was not found or your project does not have access to it.")
        now = datetime.now(UTC)
        expires = _expiry(body, now) or now + DEFAULT_TTL
        if expires <= now:
            raise bad_request("Unable to create a cache that has already expired", location="ttl")
        if not body.get("contents") and not body.get("systemInstruction"):
            raise required("contents")
        flat, _ = prepare({"contents": [{"role": "user", "parts": [{"text": "-"}]}], **body}, model)
        system = body.get("systemInstruction") or {}
        system_text = "".join(p.get("text", "") for p in system.get("parts") or []) if isinstance(system, dict) else ""
        tokens = count_response(flat, system_text or None)["totalTokens"]
        ident = uuid.uuid4().hex[:16]
        record = {
            "name": f"{prefix}/cachedContents/{ident}",
            "displayName": body.get("displayName", ""),
            "model": model
            if model.startswith("projects/")
            else f"{prefix}/publishers/google/models/{canonical_base(model)}",
            "createTime": _stamp(now),
            "updateTime": _stamp(now),
            "expireTime": _stamp(expires),
            "usageMetadata": {"totalTokenCount": tokens, "textCount": len(body.get("contents") or [])},
            "_body": {k: body[k] for k in ("contents", "systemInstruction", "tools", "toolConfig") if k in body},
        }
        self.root.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self._path(ident), json.dumps(record))
        return _public(record)

    def _load(self, ident: str) -> dict[str, Any]:
        path = self._path(ident)
        if not path.is_file():
            raise not_found(f"CachedContent {ident} not found.")
        return json.loads(path.read_text(encoding="utf-8"))

    def get(self, ident: str) -> dict[str, Any]:
        return _public(self._load(ident))

    def list(self) -> list[dict[str, Any]]:
        if not self.root.is_dir():
            return []
        records = [json.loads(p.read_text(encoding="utf-8")) for p in self.root.glob("*.json")]
        return [_public(r) for r in sorted(records, key=lambda r: r["createTime"])]

    def update(self, ident: str, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            record = self._load(ident)
            now = datetime.now(UTC)
            expires = _expiry(body, now)
            if expires is None:
                raise bad_request("Only ttl or expire_time can be updated; send one", location="ttl")
            record["expireTime"], record["updateTime"] = _stamp(expires), _stamp(now)
            atomic_write_text(self._path(ident), json.dumps(record))
        return _public(record)

    def delete(self, ident: str) -> None:
        self._load(ident)
        self._path(ident).unlink(missing_ok=True)

    def for_request(self, name: Any) -> dict[str, Any]:
        """What `generateContent` with `cachedContent: name` reads: the cached request parts and
        their token count; 404 for an unknown cache, 400 for an expired one."""
        if not isinstance(name, str) or "cachedContents/" not in name:
            raise bad_request(f"Invalid cached_content {name!r}: expected projects/*/locations/*/cachedContents/*")
        ident = name.rsplit("/", 1)[-1]
        record = self._load(ident)
        if _parse_time(record["expireTime"], "expireTime") <= datetime.now(UTC):
            raise ApiError(400, f"Cached content {name} has expired.", status="FAILED_PRECONDITION")
        return {**record["_body"], "_tokens": record["usageMetadata"]["totalTokenCount"]}


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if not k.startswith("_")}
