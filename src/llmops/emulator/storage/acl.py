"""Access control lists of buckets and objects: validated, stored and returned, never enforced.

The emulator has one user, so an ACL changes nothing about who may read what; it is kept as
Cloud Storage keeps it so that code which sets and reads ACLs (`blob.make_public()`,
`bucket.acl.reload()`, `predefinedAcl=publicRead`) sees what it wrote.
"""

from __future__ import annotations

import re
from typing import Any

from ...core.errors import LlmopsError

MAX_ENTRIES = 100
_ROLES = {"OWNER", "READER", "WRITER"}
_ENTITY_RE = re.compile(r"^(allUsers|allAuthenticatedUsers|(user|group|domain|project)-[^\s\x00-\x1f\x7f]{1,254})$")

PREDEFINED_OBJECT_ACLS = (
    "authenticatedRead",
    "bucketOwnerFullControl",
    "bucketOwnerRead",
    "private",
    "projectPrivate",
    "publicRead",
)
PREDEFINED_BUCKET_ACLS = ("authenticatedRead", "private", "projectPrivate", "publicRead", "publicReadWrite")


class AclError(LlmopsError):
    """An ACL Cloud Storage would refuse."""

    reason = "invalid"


def validate_acl(value: Any, *, field: str = "acl", bucket_level: bool = False) -> list[dict[str, str]]:
    """The entries of an ACL as stored: `{entity, role}` (plus `entityId`/`email`/`domain` if given)."""
    if not isinstance(value, list):
        raise AclError(f"{field} must be a list of {{entity, role}}", fix=f"send {field} as [{{entity, role}}]")
    if len(value) > MAX_ENTRIES:
        raise AclError(f"{field} has {len(value)} entries; the limit is {MAX_ENTRIES}", fix="use fewer entries")
    roles = _ROLES if bucket_level else {"OWNER", "READER"}
    out = []
    for entry in value:
        if not isinstance(entry, dict):
            raise AclError(f"each {field} entry must be an object", fix="send {entity, role}")
        entity, role = entry.get("entity"), entry.get("role")
        if not isinstance(entity, str) or not _ENTITY_RE.match(entity):
            raise AclError(
                f"Invalid {field} entity {str(entity)[:80]!r}",
                fix="use allUsers, allAuthenticatedUsers, user-EMAIL, group-EMAIL, domain-DOMAIN or project-TEAM-ID",
            )
        if role not in roles:
            raise AclError(f"Invalid {field} role {str(role)[:20]!r}", fix=f"use one of {', '.join(sorted(roles))}")
        clean = {"entity": entity, "role": role}
        for key in ("email", "domain", "entityId"):
            if isinstance(entry.get(key), str) and len(entry[key]) <= 256:
                clean[key] = entry[key]
        out.append(clean)
    return out


def predefined_acl(name: str, project: str | None, *, bucket_level: bool = False) -> list[dict[str, str]]:
    """The entries Cloud Storage writes for a `predefinedAcl` name."""
    allowed = PREDEFINED_BUCKET_ACLS if bucket_level else PREDEFINED_OBJECT_ACLS
    if name not in allowed:
        raise AclError(f"Invalid predefined ACL {name[:40]!r}", fix=f"use one of {', '.join(allowed)}")
    p = project or "_"
    owner = {"entity": f"project-owners-{p}", "role": "OWNER"}
    extra: dict[str, list[dict[str, str]]] = {
        "private": [],
        "projectPrivate": [
            {"entity": f"project-editors-{p}", "role": "OWNER" if not bucket_level else "WRITER"},
            {"entity": f"project-viewers-{p}", "role": "READER"},
        ],
        "publicRead": [{"entity": "allUsers", "role": "READER"}],
        "publicReadWrite": [{"entity": "allUsers", "role": "WRITER"}],
        "authenticatedRead": [{"entity": "allAuthenticatedUsers", "role": "READER"}],
        "bucketOwnerRead": [{"entity": f"project-owners-{p}", "role": "READER"}],
        "bucketOwnerFullControl": [],
    }
    return [owner, *extra[name]]


def default_acl(project: str | None) -> list[dict[str, str]]:
    """A new bucket's or object's ACL (`projectPrivate`)."""
    return predefined_acl("projectPrivate", project)


def acl_resource(entries: list[dict[str, str]], kind: str, **ids: str) -> dict[str, Any]:
    """`{kind, items}` as `GET .../acl` answers."""
    return {
        "kind": f"storage#{kind}s",
        "items": [{"kind": f"storage#{kind}", **ids, **e, "etag": "CAE="} for e in entries],
    }
