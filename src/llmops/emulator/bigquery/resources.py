"""BigQuery REST resources (datasets, tables) built from the engine's catalog, plus the REST-only
metadata the engine does not keep (labels set later, friendly names, view text, expirations),
stored in `<data>/bigquery/rest-metadata.json`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

from . import ddlopts, fieldopts
from .catalog import ms
from .encoding import schema_to_api

DATASET_FIELDS = (
    "description",
    "labels",
    "friendlyName",
    "defaultTableExpirationMs",
    "defaultPartitionExpirationMs",
    "access",
    "defaultCollation",
    "maxTimeTravelHours",
    "isCaseInsensitive",
    "storageBillingModel",
    "resourceTags",
    "defaultRoundingMode",
)
TABLE_FIELDS = (
    "description",
    "labels",
    "friendlyName",
    "expirationTime",
    "timePartitioning",
    "rangePartitioning",
    "clustering",
    "requirePartitionFilter",
    "encryptionConfiguration",
    "defaultCollation",
    "resourceTags",
    "tableConstraints",
    "defaultRoundingMode",
)


def etag(doc: dict[str, Any]) -> str:
    return hashlib.md5(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()[:16]


class RestMetadata:
    """Per dataset/table REST fields, dropped when the engine's object was recreated since."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self.version = 0
        """Moved by every change (a query cached before a change is run again after it)."""
        try:
            self._data: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            self._data = {}

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        tmp.write_text(json.dumps(self._data), encoding="utf-8")
        os.replace(tmp, self.path)

    def get(self, key: str, created: str) -> dict[str, Any]:
        with self._lock:
            doc = self._data.get(key)
        if not doc or doc.get("_created") != created:
            return {}
        return {k: v for k, v in doc.items() if not k.startswith("_")}

    def with_created(self, key: str) -> tuple[dict[str, Any], str]:
        """The fields stored under `key` and the creation time they were stored for ("" if none)."""
        with self._lock:
            doc = dict(self._data.get(key) or {})
        return {k: v for k, v in doc.items() if not k.startswith("_")}, str(doc.get("_created", ""))

    def update(self, key: str, created: str, fields: dict[str, Any], *, merge: bool = True) -> None:
        with self._lock:
            doc = self._data.get(key) if merge else None
            if not doc or doc.get("_created") != created:
                doc = {"_created": created}
            for k, v in fields.items():
                if k == "labels" and isinstance(v, dict):
                    # a label set to null is deleted, by tables/datasets.update as by patch
                    labels = {**doc["labels"], **v} if merge and isinstance(doc.get("labels"), dict) else v
                    doc["labels"] = {a: b for a, b in labels.items() if b is not None}
                elif v is None:
                    doc.pop(k, None)
                else:
                    doc[k] = v
            self._data[key] = doc
            self.version += 1
            self._save()

    def drop(self, key: str) -> None:
        with self._lock:
            prefix = key + "."
            for k in [k for k in self._data if k == key or k.startswith(prefix)]:
                del self._data[k]
            self.version += 1
            self._save()


def dataset_key(project: str, dataset: str) -> str:
    return f"dataset:{project}.{dataset}"


def table_key(project: str, dataset: str, table: str) -> str:
    return f"dataset:{project}.{dataset}.table:{table}"


def default_access() -> list[dict[str, str]]:
    return [
        {"role": "WRITER", "specialGroup": "projectWriters"},
        {"role": "OWNER", "specialGroup": "projectOwners"},
        {"role": "OWNER", "userByEmail": "emulator@llmops.local"},
        {"role": "READER", "specialGroup": "projectReaders"},
    ]


def dataset_resource(
    info: dict[str, Any], extra: dict[str, Any], base: str, ddl: dict[str, Any] | None = None
) -> dict[str, Any]:
    p, d = info["project"], info["dataset"]
    created = ms(info.get("created"))
    res: dict[str, Any] = {
        "kind": "bigquery#dataset",
        "id": f"{p}:{d}",
        "selfLink": f"{base}/bigquery/v2/projects/{p}/datasets/{d}",
        "datasetReference": {"projectId": p, "datasetId": d},
        "location": info.get("location") or "US",
        "creationTime": created,
        "lastModifiedTime": created,
        "access": default_access(),
        "type": "DEFAULT",
    }
    if info.get("labels"):
        res["labels"] = dict(info["labels"])
    if info.get("description"):
        res["description"] = info["description"]
    res.update(extra)
    ddlopts.apply(res, ddl or {})
    _omit_empty_labels(res)
    res["etag"] = etag(res)
    return res


def _omit_empty_labels(res: dict[str, Any]) -> None:
    """BigQuery leaves `labels` out of a resource that has none (after the last one is deleted too)."""
    if res.get("labels") == {}:
        del res["labels"]


def dataset_list_item(res: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {k: res[k] for k in ("kind", "id", "datasetReference", "location") if k in res}
    if res.get("labels"):
        item["labels"] = res["labels"]
    if res.get("friendlyName"):
        item["friendlyName"] = res["friendlyName"]
    return item


def table_resource(info: dict[str, Any], extra: dict[str, Any], base: str, location: str) -> dict[str, Any]:
    p, d, t = info["project"], info["dataset"], info["table"]
    created = ms(info.get("created"))
    kind = (info.get("features") or {}).get("type") or info.get("type") or "TABLE"
    res: dict[str, Any] = {
        "kind": "bigquery#table",
        "id": f"{p}:{d}.{t}",
        "selfLink": f"{base}/bigquery/v2/projects/{p}/datasets/{d}/tables/{t}",
        "tableReference": {"projectId": p, "datasetId": d, "tableId": t},
        "schema": {"fields": _fields(info)},
        "numRows": str(info.get("num_rows") or 0),
        "numBytes": str(info.get("num_bytes") or 0),
        "numLongTermBytes": "0",
        "creationTime": created,
        "lastModifiedTime": created,
        "type": kind,
        "location": location,
    }
    if info.get("description"):
        res["description"] = info["description"]
    view_query = extra.pop("viewQuery", None)
    if kind == "VIEW":
        res["view"] = {"query": view_query or "", "useLegacySql": False}
        for k in ("numRows", "numBytes", "numLongTermBytes"):  # a view holds no rows (BigQuery leaves them out)
            del res[k]
    refresh = extra.pop("mviewRefresh", None)
    ddl = dict((info.get("features") or {}).get("ddl_fields") or {})
    ddl_refresh = ddl.pop("mviewRefresh", None)  # DDL's refresh options, over those REST set before them
    res.update(extra)
    res.update(feature_fields(info))
    if "materializedView" in res:
        res["materializedView"].update({**(refresh or {}), **(ddl_refresh or {})})
    ddlopts.apply(res, ddl)
    _omit_empty_labels(res)
    # a materialized view is always fresh (lastRefreshTime is now): the etag leaves it out to stay stable
    stable = res
    if "materializedView" in res:
        stable = {**res, "materializedView": {**res["materializedView"], "lastRefreshTime": ""}}
    res["etag"] = etag(stable)
    return res


def _fields(info: dict[str, Any]) -> list[dict[str, Any]]:
    fields = schema_to_api(info.get("schema") or [])
    fieldopts.merge(fields, (info.get("features") or {}).get("field_options") or {})
    return fields


def table_list_item(info: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    p, d, t = info["project"], info["dataset"], info["table"]
    item: dict[str, Any] = {
        "kind": "bigquery#table",
        "id": f"{p}:{d}.{t}",
        "tableReference": {"projectId": p, "datasetId": d, "tableId": t},
        "type": info.get("type") or "TABLE",
        "creationTime": ms(info.get("created")),
    }
    shown = {**extra, **((info.get("features") or {}).get("ddl_fields") or {})}
    for k in ("labels", "friendlyName", "expirationTime", "timePartitioning", "clustering"):
        if shown.get(k):
            item[k] = shown[k]
    features = feature_fields(info)
    for k in ("type", "expirationTime"):
        if k in features:
            item[k] = features[k]
    if item["type"] == "VIEW":
        item["view"] = {"useLegacySql": False}
    return item


def feature_fields(info: dict[str, Any]) -> dict[str, Any]:
    """The tables resource fields of a snapshot, clone, materialized view or expiring table."""
    f = info.get("features") or {}
    out: dict[str, Any] = {}
    if f.get("type"):
        out["type"] = f["type"]
    if f.get("expires"):
        out["expirationTime"] = ms(f["expires"])
    base = str(f.get("base") or "")
    if base.count(".") >= 2:
        p, d, t = base.rsplit(".", 2)
        ref = {"projectId": p, "datasetId": d, "tableId": t}
        at = dt.datetime.fromtimestamp(int(ms(f["snapshot_time"])) / 1000, dt.UTC)
        stamp = at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        if f.get("kind") == "SNAPSHOT":
            out["snapshotDefinition"] = {"baseTableReference": ref, "snapshotTime": stamp}
        elif f.get("kind") == "CLONE":
            out["cloneDefinition"] = {"baseTableReference": ref, "cloneTime": stamp}
    if f.get("kind") == "MATERIALIZED_VIEW":
        out["materializedView"] = {
            "query": f.get("mview_query") or "",
            "enableRefresh": True,
            "refreshIntervalMs": "1800000",
            "lastRefreshTime": ms(dt.datetime.now(dt.UTC)),
        }
    return out
