"""Generated bad requests on every route family: wrong types, missing fields, deep nesting, huge
values, odd unicode (lone surrogates too) and traversal names. Any 5xx, any error not in Google's
shape and any dropped connection fails. The budget is fixed and the run derandomized, so CI sees
the same requests every time."""

from __future__ import annotations

import json
import os
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

LOC = "projects/p/locations/us-central1"

NAMES = st.one_of(
    st.sampled_from(
        [
            "..",
            "%2e%2e",
            "%2E%2E%2F%2E%2E",
            "/etc/passwd",
            "a/../../b",
            "..\\..\\win",
            "ok-bucket",
            "x" * 300,
            "é文",
            "%FF%FE",
            "%00",
            "a%0D%0Ab",
            "~",
            "",
        ]
    ),
    st.text(max_size=12).map(lambda s: quote(s.encode("utf-8", "surrogatepass"), safe="")),
)

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["..", "/etc/passwd", "gs://b/../../x", "file:///etc/hostname", "x" * 5000, "\u0000\u007f"]),
)
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)  # fmt: skip

# (methods, path template, field names the real API reads)
FAMILIES = {
    "storage": [
        (["POST"], "/storage/v1/b?project=p", ["name", "location", "storageClass", "labels", "versioning"]),
        (["GET", "PATCH", "DELETE"], "/storage/v1/b/{n}", ["labels", "versioning", "cors"]),
        (["GET", "PUT"], "/storage/v1/b/{n}/iam", ["bindings", "etag", "version"]),
        (["GET"], "/storage/v1/b/{n}/o?matchGlob={n}&pageToken={n}&maxResults={n}&prefix={n}&delimiter={n}", []),
        (["GET", "PATCH", "PUT", "DELETE"], "/storage/v1/b/{n}/o/{n}", ["contentType", "metadata", "cacheControl"]),
        (["POST"], "/storage/v1/b/{n}/o/{n}/compose", ["sourceObjects", "destination"]),
        (["POST"], "/storage/v1/b/{n}/o/{n}/rewriteTo/b/{n}/o/{n}", ["contentType", "metadata"]),
        (["POST"], "/upload/storage/v1/b/{n}/o?uploadType=resumable&name={n}", ["name", "contentType", "metadata"]),
        (["POST"], "/upload/storage/v1/b/{n}/o?uploadType={n}&name={n}", ["name"]),
        (["PUT", "DELETE"], "/upload/storage/v1/b/{n}/o?uploadType=resumable&upload_id={n}", []),
        (["GET"], "/download/storage/v1/b/{n}/o/{n}?alt=media", []),
    ],
    "bigquery": [
        (["GET", "POST"], "/bigquery/v2/projects/{n}/datasets", ["datasetReference", "location", "labels"]),
        (["GET", "PATCH", "DELETE"], "/bigquery/v2/projects/p/datasets/{n}", ["description", "labels"]),
        (["GET", "POST"], "/bigquery/v2/projects/p/datasets/{n}/tables", ["tableReference", "schema"]),
        (["GET", "PATCH"], "/bigquery/v2/projects/p/datasets/{n}/tables/{n}", ["schema", "description"]),
        (["POST"], "/bigquery/v2/projects/p/datasets/{n}/tables/{n}/insertAll", ["rows", "skipInvalidRows"]),
        (["GET"], "/bigquery/v2/projects/p/datasets/{n}/tables/{n}/data?pageToken={n}&maxResults={n}", []),
        (["GET", "POST"], "/bigquery/v2/projects/{n}/jobs?pageToken={n}", ["jobReference", "configuration"]),
        (["GET"], "/bigquery/v2/projects/p/jobs/{n}", []),
        (["POST"], "/bigquery/v2/projects/p/queries", ["useLegacySql", "parameterMode", "queryParameters"]),
        (["GET"], "/bigquery/v2/projects/p/queries/{n}?pageToken={n}&timeoutMs={n}", []),
    ],
    "vertex": [
        (["POST"], f"/v1/{LOC}/publishers/google/models/{{n}}:generateContent", ["contents", "generationConfig"]),
        (["POST"], f"/v1/{LOC}/publishers/google/models/{{n}}:predict", ["instances", "parameters"]),
        (["GET"], f"/v1/{LOC}/models?pageToken={{n}}&pageSize={{n}}", []),
        (["GET", "POST"], f"/v1/{LOC}/models/{{n}}", ["instances"]),
        (["GET", "POST"], f"/v1/{LOC}/endpoints/{{n}}", ["instances", "parameters"]),
        (["GET", "POST"], f"/v1/{LOC}/tuningJobs", ["baseModel", "supervisedTuningSpec", "tunedModelDisplayName"]),
        (["GET", "POST"], f"/v1/{LOC}/tuningJobs/{{n}}", []),
        (
            ["GET", "POST"],
            f"/v1/{LOC}/pipelineJobs?pipelineJobId={{n}}",
            ["displayName", "pipelineSpec", "runtimeConfig"],
        ),
        (["GET", "POST", "DELETE"], f"/v1/{LOC}/pipelineJobs/{{n}}", []),
        (["GET", "POST"], "/emulator/v1/canned", ["responses"]),
    ],
    "kfp": [
        (["GET", "POST"], "/apis/v2beta1/runs", ["display_name", "pipeline_spec", "runtime_config"]),
        (["GET", "POST"], "/apis/v2beta1/runs/{n}", []),
        (["GET", "POST"], "/apis/v2beta1/experiments?filter={n}", ["display_name", "description", "namespace"]),
        (["GET"], "/apis/v2beta1/experiments/{n}", []),
        (["GET"], "/apis/v2beta1/pipelines/{n}", []),
    ],
}

SPECIAL_BODIES = [
    b"[" * 5000 + b"]" * 5000,
    b'{"a":' * 3000 + b"1" + b"}" * 3000,
    b'{"name": "\\ud800", "displayName": "\\udfff"}',
    b'{"name": "' + b"x" * 200_000 + b'"}',
    b"\xff\xfe not utf-8",
    b"[1, 2, 3]",
    b'"just a string"',
    b"null",
    b'{"name": 1e999}',
    b"",
]


@st.composite
def requests_for(draw, family: str):
    methods, template, fields = draw(st.sampled_from(FAMILIES[family]))
    method = draw(st.sampled_from(methods))
    path = template
    while "{n}" in path:
        path = path.replace("{n}", draw(NAMES), 1)
    body: bytes | None = None
    if method != "GET":
        kind = draw(st.integers(0, 2))
        if kind == 0:
            body = draw(st.sampled_from(SPECIAL_BODIES))
        else:
            keys = st.sampled_from(fields) if fields and kind == 1 else st.text(max_size=8)
            obj = draw(st.dictionaries(keys, VALUES, max_size=4))
            body = json.dumps(obj).encode()
    return method, path, body


def _check(client: httpx.Client, method: str, path: str, body: bytes | None) -> None:
    headers = {"content-type": "application/json"} if body is not None else {}
    response = client.request(method, path, content=body, headers=headers)
    assert response.status_code < 500, (method, path, (body or b"")[:200], response.text[:500])
    if response.status_code >= 400 and method != "HEAD":
        error = response.json()["error"]
        assert error["code"] == response.status_code and error["message"] and error["status"]


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_generated_bad_requests_never_5xx(llmops_emulator, family):
    with httpx.Client(base_url=llmops_emulator.endpoint, timeout=30) as client:

        @settings(
            max_examples=int(os.environ.get("LLMOPS_FUZZ_EXAMPLES", "60")),
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(requests_for(family))
        def run(request: tuple[str, str, bytes | None]) -> None:
            _check(client, *request)

        run()
        assert client.get("/").status_code == 200
