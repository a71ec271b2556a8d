"""The emulator on a developer's workstation: refused cross-site and rebinding requests, the access
token, bounded work per request and validated metadata (issue 14's reproductions 3-6, 8 and 9).

Everything here talks to loopback only; a wide bind is exercised through the CLI with the server
class replaced, never by listening beyond this machine."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx
import pytest

from llmops.emulator.server.api import EmulatorConfig
from llmops.emulator.storage.api import StorageApi
from llmops.testing import start_emulator

TOKEN = "s3cret-token-for-tests-0123456789"
ORIGIN = "http://localhost:3000"
EVIL = "http://evil.example"


@pytest.fixture(autouse=True)
def still_serving(http):
    yield
    assert http.get("/").status_code == 200


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    """An emulator with an access token and one allowed web origin."""
    running = start_emulator(tmp_path_factory.mktemp("guarded"), token=TOKEN, allowed_origins=(ORIGIN,))
    yield running
    running.server.stop()


def _bucket_exists(http, name: str) -> bool:
    return http.get(f"/storage/v1/b/{name}").status_code == 200


# ------------------------------------------------------------------ 3: web pages cannot drive it


def test_cross_origin_text_plain_post_creates_nothing(http, google_error, unique):
    name = f"evil-{unique}"
    r = http.post(
        "/storage/v1/b?project=p",
        content=json.dumps({"name": name}),
        headers={"content-type": "text/plain", "origin": EVIL, "sec-fetch-site": "cross-site"},
    )
    assert r.status_code == 403 and google_error(r)["status"] == "PERMISSION_DENIED"
    assert "--allow-origin" in r.json()["error"]["message"]
    assert not _bucket_exists(http, name)


def test_cross_origin_pipeline_run_is_refused_and_runs_nothing(http, google_error):
    before = http.get("/apis/v2beta1/runs").json().get("total_size", 0)
    spec = {"pipelineInfo": {"name": "evil"}, "root": {"dag": {"tasks": {}}}, "schemaVersion": "2.1.0"}
    for headers in ({"origin": EVIL}, {"origin": "null"}, {"sec-fetch-site": "cross-site"}):
        r = http.post("/apis/v2beta1/runs", json={"display_name": "evil", "pipeline_spec": spec}, headers=headers)
        assert r.status_code == 403, headers
        google_error(r)
    assert http.get("/apis/v2beta1/runs").json().get("total_size", 0) == before


def test_simple_content_type_refused_even_without_origin(http, google_error, unique):
    for ctype in ("text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        r = http.post("/storage/v1/b?project=p", content=b'{"name": "x"}', headers={"content-type": ctype})
        assert r.status_code == 403 and "application/json" in google_error(r)["message"]


def test_a_text_put_is_served_since_browsers_preflight_every_put(http, unique):
    bucket = f"put-{unique}"
    assert http.post("/storage/v1/b?project=p", json={"name": bucket}).status_code == 200
    r = http.put(f"/{bucket}/note.txt", content=b"hi", headers={"content-type": "text/plain"})
    assert r.status_code == 200
    assert http.get(f"/{bucket}/note.txt").content == b"hi"


def test_media_upload_keeps_its_own_content_type(http, unique):
    """Uploads carry the object's bytes: a text/plain object is sent as text/plain."""
    http.post("/storage/v1/b?project=p", json={"name": f"media-{unique}"})
    r = http.post(
        f"/upload/storage/v1/b/media-{unique}/o?uploadType=media&name=notes.txt",
        content=b"hello",
        headers={"content-type": "text/plain"},
    )
    assert r.status_code == 200 and r.json()["contentType"] == "text/plain"


def test_dns_rebinding_host_is_refused(http, google_error, llmops_emulator):
    r = http.get("/storage/v1/b?project=p", headers={"host": f"evil.example:{llmops_emulator.port}"})
    assert r.status_code == 403 and "DNS rebinding" in google_error(r)["message"]
    for host in (f"localhost:{llmops_emulator.port}", f"127.0.0.1:{llmops_emulator.port}", "[::1]"):
        assert http.get("/", headers={"host": host}).status_code == 200, host


def test_same_origin_requests_pass(http, llmops_emulator):
    r = http.get("/", headers={"origin": llmops_emulator.endpoint, "sec-fetch-site": "same-origin"})
    assert r.status_code == 200
    assert r.headers["x-content-type-options"] == "nosniff"


def test_allowed_origin_passes_with_cors_headers(guarded):
    auth = {"authorization": f"Bearer {TOKEN}"}
    pre = httpx.options(
        f"{guarded.endpoint}/storage/v1/b",
        headers={"origin": ORIGIN, "access-control-request-method": "POST", "access-control-request-headers": "x"},
    )
    assert pre.status_code == 204 and pre.headers["access-control-allow-origin"] == ORIGIN
    r = httpx.get(f"{guarded.endpoint}/storage/v1/b?project=p", headers={"origin": ORIGIN, **auth})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == ORIGIN
    r = httpx.get(f"{guarded.endpoint}/storage/v1/b?project=p", headers={"origin": EVIL, **auth})
    assert r.status_code == 403


# ------------------------------------------------------------------ 4: the access token


def test_token_required_when_configured(guarded, google_error):
    url = f"{guarded.endpoint}/storage/v1/b?project=p"
    missing = httpx.get(url)
    assert missing.status_code == 401 and google_error(missing)["status"] == "UNAUTHENTICATED"
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert httpx.get(url, headers={"authorization": "Bearer wrong"}).status_code == 401
    assert httpx.post(f"{guarded.endpoint}/token").status_code == 401  # never hands the token out
    assert httpx.get(url, headers={"authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_google_client_passes_the_token_as_its_bearer_credential(guarded):
    import google.oauth2.credentials
    from google.api_core.client_options import ClientOptions
    from google.cloud import storage

    client = storage.Client(
        project="p",
        credentials=google.oauth2.credentials.Credentials(token=TOKEN),
        client_options=ClientOptions(api_endpoint=guarded.endpoint),
    )
    name = f"tok-{uuid.uuid4().hex[:8]}"
    client.create_bucket(name).blob("a.txt").upload_from_string("hi", content_type="text/plain")
    assert client.bucket(name).blob("a.txt").download_as_bytes() == b"hi"


def test_server_refuses_a_wide_bind_without_token(tmp_path):
    from llmops.core.errors import ConfigError
    from llmops.emulator.server.runner import EmulatorServer

    # Refused before any socket is opened.
    with pytest.raises(ConfigError, match="token"):
        EmulatorServer(EmulatorConfig(data_dir=tmp_path), host="0.0.0.0", port=0)


class _FakeServer:
    """Stands in for EmulatorServer so the CLI's wide-bind logic runs without listening anywhere."""

    seen: list[EmulatorConfig] = []

    def __init__(self, config, *, host, port):
        self.seen.append(config)
        self.port = 1
        self.endpoint = f"http://{host}:1"

    def run(self):
        pass


@pytest.fixture
def fake_server(monkeypatch):
    import llmops.emulator.server.runner as runner

    _FakeServer.seen = []
    monkeypatch.setattr(runner, "EmulatorServer", _FakeServer)
    return _FakeServer


def test_cli_wide_bind_generates_and_prints_a_token_once(cli, fake_server, tmp_path):
    result = cli("emulator", "start", "--host", "192.0.2.1", "--port", "9", "--data", str(tmp_path), "--json")
    assert result.code == 0, result.err
    token = fake_server.seen[0].token
    assert token and len(token) >= 32
    assert result.err.count(token) == 1 and token not in result.out
    json.loads(result.out)  # stdout holds only JSON
    assert "run code" in result.err and str(tmp_path) in result.err


def test_cli_token_and_origin_flags(cli, fake_server, tmp_path):
    result = cli(
        "emulator", "start", "--host", "192.0.2.1", "--port", "9", "--data", str(tmp_path),
        "--token", TOKEN, "--allow-origin", ORIGIN + "/",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert fake_server.seen[0].token == TOKEN and TOKEN not in result.err + result.out
    assert fake_server.seen[0].allowed_origins == (ORIGIN,)
    bad = cli("emulator", "start", "--allow-origin", "localhost:3000/app", "--data", str(tmp_path))
    assert bad.code == 1 and "web origin" in bad.err and "Traceback" not in bad.err
    short = cli("emulator", "start", "--token", "abc", "--data", str(tmp_path))
    assert short.code == 1 and "--token" in short.err


def test_cli_loopback_stays_token_free(cli, fake_server, tmp_path):
    result = cli("emulator", "start", "--port", "9", "--data", str(tmp_path))
    assert result.code == 0 and fake_server.seen[0].token is None and "access token" not in result.err


# ------------------------------------------------------------------ 5, 6: bounded work


@pytest.fixture
def bucket_name(http, unique):
    name = f"sec-{unique}"
    assert http.post("/storage/v1/b?project=p", json={"name": name}).status_code == 200
    return name


def _upload(http, bucket: str, name: str, data: bytes = b"x", ctype: str = "application/octet-stream"):
    return http.post(
        f"/upload/storage/v1/b/{bucket}/o", params={"uploadType": "media", "name": name},
        content=data, headers={"content-type": ctype},
    )  # fmt: skip


def test_many_double_stars_do_not_backtrack(http, bucket_name):
    _upload(http, bucket_name, "a" * 12)
    # Exponential backtracking took 19 s on this pattern; linear matching answers at once.
    r = http.get(f"/storage/v1/b/{bucket_name}/o", params={"matchGlob": "**" * 24 + "b"}, timeout=10)
    assert r.status_code == 200 and "items" not in r.json()
    r = http.get(f"/storage/v1/b/{bucket_name}/o", params={"matchGlob": "**" * 24 + "a"}, timeout=10)
    assert [i["name"] for i in r.json()["items"]] == ["a" * 12]


@pytest.mark.parametrize("pattern", ["[z-a]", "a{b", "[abc", "x\\"])
def test_malformed_match_glob_is_400(http, google_error, bucket_name, pattern):
    r = http.get(f"/storage/v1/b/{bucket_name}/o", params={"matchGlob": pattern})
    assert r.status_code == 400 and "matchGlob" in google_error(r)["message"]


BILLION_LAUGHS = b"""a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
"""


def _tree_size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) if root.exists() else 0


def test_yaml_alias_bomb_is_refused_and_grows_nothing(http, google_error, llmops_emulator):
    kfp_dir = llmops_emulator.data_dir / "kfp"
    before = _tree_size(kfp_dir)
    r = http.post("/apis/v2beta1/pipelines/upload", files={"uploadfile": ("bomb.yaml", BILLION_LAUGHS)})
    assert r.status_code == 400 and "aliases" in google_error(r)["message"]
    assert _tree_size(kfp_dir) == before


def test_body_over_the_limit_is_413(tmp_path_factory, google_error):
    small = start_emulator(tmp_path_factory.mktemp("tiny"), max_request_bytes=1024)
    try:
        r = httpx.post(f"{small.endpoint}/storage/v1/b?project=p", json={"name": "x" * 4096})
        assert r.status_code == 413 and google_error(r)["status"] == "OUT_OF_RANGE"
    finally:
        small.server.stop()


def test_slow_request_gets_a_deadline_answer(tmp_path_factory, google_error):
    running = start_emulator(tmp_path_factory.mktemp("deadline"), request_deadline_s=0.2)
    try:
        # A kfp run GET holds until the run ends (up to 4.5 s): past the deadline here.
        base = f"{running.endpoint}/apis/v2beta1"
        spec = {"pipelineInfo": {"name": "p"}, "root": {"dag": {"tasks": {}}}, "schemaVersion": "2.1.0"}
        run = httpx.post(f"{base}/runs", json={"display_name": "d", "pipeline_spec": spec}, timeout=30).json()
        r = httpx.get(f"{base}/runs/{run['run_id']}", timeout=30)
        assert r.status_code in (200, 504)
        if r.status_code == 504:
            assert google_error(r)["status"] == "DEADLINE_EXCEEDED"
        assert httpx.get(f"{running.endpoint}/").status_code == 200
    finally:
        running.server.stop()


# ------------------------------------------------------------------ 8: metadata stays downloadable


@pytest.mark.parametrize(
    "patch",
    [
        {"contentType": 5},
        {"contentType": "text/plain\r\nX-Evil: 1"},
        {"contentDisposition": ["a"]},
        {"cacheControl": "no-cache\x00"},
        {"contentLanguage": {"a": 1}},
        {"contentEncoding": "gzip\n"},
        {"metadata": {"k": {"nested": 1}}},
        {"metadata": {"k": "v\x07"}},
        {"metadata": {"": "v"}},
        {"metadata": {"k": "v" * 9000}},
        {"temporaryHold": "yes"},
    ],
)
def test_bad_object_metadata_is_400_and_the_object_downloads(http, google_error, bucket_name, patch):
    assert _upload(http, bucket_name, "doc.txt", b"body", "text/plain").status_code == 200
    r = http.patch(f"/storage/v1/b/{bucket_name}/o/doc.txt", json=patch)
    assert r.status_code == 400, r.text
    google_error(r)
    media = http.get(f"/storage/v1/b/{bucket_name}/o/doc.txt", params={"alt": "media"})
    assert media.status_code == 200 and media.content == b"body" and media.headers["content-type"] == "text/plain"


def test_bad_metadata_refused_on_upload_too(http, bucket_name):
    meta = {"name": "m.txt", "contentDisposition": "attachment\r\n"}
    body = (
        b'--B\r\ncontent-type: application/json\r\n\r\n' + json.dumps(meta).encode()
        + b"\r\n--B\r\ncontent-type: text/plain\r\n\r\nhi\r\n--B--\r\n"
    )  # fmt: skip
    r = http.post(
        f"/upload/storage/v1/b/{bucket_name}/o?uploadType=multipart",
        content=body,
        headers={"content-type": "multipart/related; boundary=B"},
    )
    assert r.status_code == 400
    assert http.get(f"/storage/v1/b/{bucket_name}/o/m.txt").status_code == 404


def test_object_stored_with_bad_metadata_still_downloads(http, llmops_emulator, bucket_name):
    """Metadata written before validation existed must not break downloads."""
    assert _upload(http, bucket_name, "old.bin", b"legacy").status_code == 200
    store = llmops_emulator.server.app.state.emulator.api(StorageApi).store
    with store._lock:
        doc, _ = store._current(bucket_name, "old.bin")
        rec = store._record(bucket_name, "old.bin")
        bad = {**doc, "contentType": "text/plain\r\nX: y", "contentDisposition": 7, "cacheControl": "max-age=1\x00"}
        store._put_record(bad, rec[1], rec[2])
    r = http.get(f"/download/storage/v1/b/{bucket_name}/o/old.bin", params={"alt": "media"})
    assert r.status_code == 200 and r.content == b"legacy"
    assert r.headers["content-type"] == "application/octet-stream" and "cache-control" not in r.headers


# ------------------------------------------------------------------ 9: 4xx, never 500


DEEP = b"[" * 10_000 + b"]" * 10_000
DEEP_OBJECT = b'{"a":' * 10_000 + b"1" + b"}" * 10_000

DEEP_ROUTES = [
    ("POST", "/storage/v1/b?project=p"),
    ("PATCH", "/storage/v1/b/some-bucket"),
    ("PUT", "/storage/v1/b/some-bucket/iam"),
    ("POST", "/upload/storage/v1/b/some-bucket/o?uploadType=resumable"),
    ("POST", "/bigquery/v2/projects/p/datasets"),
    ("POST", "/bigquery/v2/projects/p/queries"),
    ("POST", "/bigquery/v2/projects/p/jobs"),
    ("POST", "/v1/projects/p/locations/us-central1/publishers/google/models/gemini-1.5-flash:generateContent"),
    ("POST", "/v1/projects/p/locations/us-central1/pipelineJobs"),
    ("POST", "/v1/projects/p/locations/us-central1/tuningJobs"),
    ("POST", "/apis/v2beta1/runs"),
    ("POST", "/apis/v2beta1/experiments"),
    ("POST", "/emulator/v1/canned"),
]


@pytest.mark.parametrize(("method", "path"), DEEP_ROUTES)
def test_deeply_nested_json_is_400_everywhere(http, google_error, method, path):
    for body in (DEEP, DEEP_OBJECT):
        r = http.request(method, path, content=body, headers={"content-type": "application/json"})
        assert r.status_code == 400, (path, r.text[:200])
        google_error(r)


@pytest.mark.parametrize(("method", "path"), DEEP_ROUTES)
def test_lone_surrogates_are_400(http, google_error, method, path):
    r = http.request(method, path, content=b'{"name": "a\\ud800b"}', headers={"content-type": "application/json"})
    assert r.status_code in (400, 404), (path, r.text[:200])
    google_error(r)


def test_name_segment_over_255_bytes_works_and_over_1024_is_400_without_paths(
    http, google_error, llmops_emulator, bucket_name
):
    long_segment = "d/" + "x" * 300
    assert _upload(http, bucket_name, long_segment, b"long").status_code == 200
    got = http.get(f"/storage/v1/b/{bucket_name}/o/{long_segment.replace('/', '%2F')}", params={"alt": "media"})
    assert got.content == b"long"
    r = _upload(http, bucket_name, "y" * 1025)
    assert r.status_code == 400
    assert str(llmops_emulator.data_dir) not in google_error(r)["message"]


def test_invalid_utf8_in_upload_path_is_400(http, google_error):
    r = http.post("/upload/storage/v1/b/%FF%FE/o?uploadType=media&name=x", content=b"x")
    assert r.status_code == 400
    google_error(r)
    r = http.get("/storage/v1/b/ok-bucket/o/%C3%28")
    assert r.status_code == 400


def test_unsafe_value_echoed_into_a_header_is_400_not_a_dropped_connection(http, google_error):
    for project in ("p%0D%0AX-Evil:%201", "%E6%96%87"):
        r = http.post(
            f"/upload/bigquery/v2/projects/{project}/jobs?uploadType=resumable",
            json={
                "configuration": {"load": {"destinationTable": {"projectId": "p", "datasetId": "d", "tableId": "t"}}}
            },
        )
        assert r.status_code in (400, 404), r.text
        google_error(r)
        assert "x-evil" not in r.headers


def test_bad_content_length_is_answered_and_the_server_keeps_serving(llmops_emulator):
    """uvicorn (httptools) answers an unparsable Content-Length itself, before the app: a plain-text 400."""
    import socket

    with socket.create_connection(("127.0.0.1", llmops_emulator.port), timeout=10) as s:
        s.sendall(b"POST /storage/v1/b?project=p HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\n")
        answer = s.recv(4096)
    assert answer.startswith(b"HTTP/1.1 400")


def test_wrong_json_types_and_page_tokens_are_400(http, google_error, bucket_name):
    cases = [
        ("POST", "/storage/v1/b?project=p", {"name": 5}),
        ("POST", f"/storage/v1/b/{bucket_name}/o/x/compose", {"sourceObjects": [{"name": 5}]}),
        ("POST", "/apis/v2beta1/runs", {"pipeline_version_reference": "x", "pipeline_spec": None}),
        ("POST", "/apis/v2beta1/runs", {"runtime_config": {"parameters": [1]}}),
        ("POST", "/apis/v2beta1/experiments", {"display_name": "e", "description": 5}),
    ]
    for method, path, body in cases:
        r = http.request(method, path, json=body)
        assert r.status_code == 400, (path, body, r.text[:200])
        google_error(r)
    for token in ("e30=", "WzFd", "eyJhZnRlciI6IDV9", "%%%"):
        r = http.get("/storage/v1/b", params={"project": "p", "pageToken": token})
        assert r.status_code == 400, token
        r = http.get(f"/storage/v1/b/{bucket_name}/o", params={"pageToken": token})
        assert r.status_code == 400, token


def test_api_errors_carry_the_problem_not_the_cli_hint(http, google_error):
    r = http.get("/storage/v1/b/no-such-bucket-here/o")
    assert r.status_code == 404
    message = google_error(r)["message"]
    assert message == "The specified bucket does not exist: no-such-bucket-here"


def test_unknown_query_parameter_type_is_400(http, google_error):
    body = {
        "query": "SELECT @x AS x",
        "useLegacySql": False,
        "parameterMode": "NAMED",
        "queryParameters": [
            {"name": "x", "parameterType": {"type": "INT64) ; SELECT 1 --"}, "parameterValue": {"value": "1"}}
        ],
    }
    r = http.post("/bigquery/v2/projects/p/queries", json=body)
    assert r.status_code == 400 and "not a BigQuery type" in google_error(r)["message"]
