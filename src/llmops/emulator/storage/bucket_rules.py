"""Bucket settings Cloud Storage fills in or enforces: the retention policy's effective time and
lock, object holds and retention on delete, turbo replication's `rpo`, dual-region placement and
Autoclass' terminal storage class."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from . import store  # store imports this module: names are looked up at call time

_AUTOCLASS_TERMINAL = ("NEARLINE", "ARCHIVE")
_MAX_RETENTION_S = 3_155_760_000  # 100 years, Cloud Storage's limit


def settle(doc: dict[str, Any], before: dict[str, Any] | None) -> None:
    """Fill the fields Cloud Storage derives after a bucket is created (`before` None) or changed;
    refuse what a locked retention policy forbids."""
    now = store.rfc3339(time.time())
    old_policy = (before or {}).get("retentionPolicy") or {}
    policy = doc.get("retentionPolicy")
    if old_policy.get("isLocked"):
        period = int((policy or {}).get("retentionPeriod") or 0)
        if period < int(old_policy.get("retentionPeriod") or 0):
            raise store.StorageError(
                "The retention policy of this bucket is locked: it cannot be removed or shortened",
                reason="forbidden",
                fix="a locked retention policy can only be lengthened",
            )
        doc["retentionPolicy"] = {**old_policy, "retentionPeriod": str(period)}
    elif isinstance(policy, dict):
        try:
            period = int(policy.get("retentionPeriod"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            period = -1
        if not 0 < period <= _MAX_RETENTION_S:
            raise store.StorageError(
                f"retentionPolicy.retentionPeriod must be 1 to {_MAX_RETENTION_S} seconds, got "
                f"{policy.get('retentionPeriod')!r}",
                fix="send the retention period in seconds",
            )
        same = old_policy.get("retentionPeriod") == str(period)
        doc["retentionPolicy"] = {
            "retentionPeriod": str(period),
            "effectiveTime": old_policy.get("effectiveTime") if same and old_policy.get("effectiveTime") else now,
        }
    placement = doc.get("customPlacementConfig")
    if before is None and isinstance(placement, dict) and placement.get("dataLocations"):
        doc["locationType"] = "dual-region"
    if doc.get("locationType") in ("multi-region", "dual-region"):
        doc.setdefault("rpo", "DEFAULT")
    autoclass = doc.get("autoclass")
    if isinstance(autoclass, dict):
        old = (before or {}).get("autoclass") or {}
        enabled = bool(autoclass.get("enabled"))
        terminal = autoclass.get("terminalStorageClass") or old.get("terminalStorageClass") or "NEARLINE"
        if terminal not in _AUTOCLASS_TERMINAL:
            raise store.StorageError(
                f"autoclass.terminalStorageClass must be NEARLINE or ARCHIVE, got {terminal!r}",
                fix="use NEARLINE or ARCHIVE",
            )
        out = {"enabled": enabled, "toggleTime": old.get("toggleTime") or now}
        if bool(old.get("enabled")) != enabled:
            out["toggleTime"] = now
        if enabled:
            out["terminalStorageClass"] = terminal
            changed = terminal != old.get("terminalStorageClass")
            out["terminalStorageClassUpdateTime"] = now if changed else old.get("terminalStorageClassUpdateTime") or now
        doc["autoclass"] = out


def lock_retention(doc: dict[str, Any], metageneration: str | None) -> None:
    """Lock the bucket's retention policy (`ifMetagenerationMatch` is required, as at Google)."""
    if metageneration is None:
        raise store.StorageError(
            "Required parameter is missing: ifMetagenerationMatch",
            reason="required",
            fix="pass the bucket's current metageneration (bucket.lock_retention_policy() does)",
        )
    if metageneration != doc["metageneration"]:
        raise store.StorageError(
            "Precondition Failed: the bucket's metageneration does not match",
            reason="conditionNotMet",
            fix="reload the bucket and lock again",
        )
    policy = doc.get("retentionPolicy")
    if not policy:
        raise store.StorageError(
            f"Bucket {doc['name']} has no retention policy to lock", fix="set a retention policy first"
        )
    doc["retentionPolicy"] = {**policy, "isLocked": True}


def stamp_new_object(bucket: dict[str, Any], obj: dict[str, Any], given: dict[str, Any]) -> None:
    """A new object takes the bucket's default event-based hold and its retention expiration."""
    if bucket.get("defaultEventBasedHold") and given.get("eventBasedHold") is None:
        obj["eventBasedHold"] = True
    period = int((bucket.get("retentionPolicy") or {}).get("retentionPeriod") or 0)
    if period:
        created = datetime.fromisoformat(obj["timeCreated"].replace("Z", "+00:00")).timestamp()
        obj["retentionExpirationTime"] = store.rfc3339(created + period)


def check_deletable(bucket: dict[str, Any], obj: dict[str, Any]) -> None:
    """Refuse to delete an object under a hold or within the bucket's retention period."""
    where = f"{obj['bucket']}/{obj['name']}"
    for field, kind, attr in (
        ("temporaryHold", "Temporary", "temporary_hold"),
        ("eventBasedHold", "Event-Based", "event_based_hold"),
    ):
        if obj.get(field):
            raise store.StorageError(
                f"Object '{where}' is under active {kind} hold and cannot be deleted, overwritten or archived "
                "until hold is removed",
                reason="forbidden",
                fix=f"release the hold first (blob.{attr} = False; blob.patch())",
            )
    period = int((bucket.get("retentionPolicy") or {}).get("retentionPeriod") or 0)
    if period:
        created = datetime.fromisoformat(obj["timeCreated"].replace("Z", "+00:00")).timestamp()
        if time.time() < created + period:
            raise store.StorageError(
                f"Object '{where}' is subject to bucket's retention policy or object retention and cannot be "
                f"deleted or overwritten until {store.rfc3339(created + period)}",
                reason="forbidden",
                fix="wait until the retention period ends, or shorten an unlocked retention policy",
            )
