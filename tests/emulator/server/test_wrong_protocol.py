"""Clients speaking TLS, HTTP/2 or gRPC to the plain-HTTP emulator get a hint at once, on either
HTTP parser, and a Vertex call on a wrong path is answered with the base URL that works."""

import logging
import socket
import ssl

import httpx
import pytest
from google import genai
from google.genai import errors, types

from llmops.core.errors import ConfigError
from llmops.emulator.server.api import EmulatorConfig
from llmops.emulator.server.runner import EmulatorServer
from llmops.emulator.server.sniff import H2_PREFACE, HINT, HTTP_ENV, Sniffing
from llmops.testing import start_emulator


def _address(endpoint):
    host, port = endpoint.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def test_tls_handshake_is_refused_at_once_with_a_logged_hint(llmops_emulator, caplog):
    caplog.set_level(logging.WARNING, logger="llmops.emulator")
    context = ssl.create_default_context()
    with socket.create_connection(_address(llmops_emulator.endpoint), timeout=10) as raw:
        with pytest.raises(ssl.SSLError, match="PROTOCOL_VERSION"):
            context.wrap_socket(raw, server_hostname="localhost")
    assert any("TLS handshake" in r.message and HINT in r.message for r in caplog.records)


def test_http2_preface_gets_a_goaway_carrying_the_hint(llmops_emulator):
    with socket.create_connection(_address(llmops_emulator.endpoint), timeout=10) as s:
        s.sendall(H2_PREFACE)
        data = b""
        while chunk := s.recv(4096):
            data += chunk
    assert data[3:4] == b"\x04" and b"\x07" in data[9:13]  # SETTINGS, then GOAWAY
    assert data.endswith(HINT.encode())
    assert httpx.get(f"{llmops_emulator.endpoint}/").status_code == 200  # still serving


def _goaway_hint(endpoint):
    with socket.create_connection(_address(endpoint), timeout=10) as s:
        s.sendall(H2_PREFACE)
        data = b""
        while chunk := s.recv(4096):
            data += chunk
    return data


def test_the_emulator_parses_http_with_httptools(llmops_emulator):
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    protocol = llmops_emulator.server.server.config.http
    assert issubclass(protocol, HttpToolsProtocol) and issubclass(protocol, Sniffing)


def test_the_h11_parser_still_refuses_tls_and_http2(tmp_path, monkeypatch):
    from uvicorn.protocols.http.h11_impl import H11Protocol

    monkeypatch.setenv(HTTP_ENV, "h11")
    running = start_emulator(tmp_path)
    try:
        assert issubclass(running.server.server.config.http, H11Protocol)
        assert _goaway_hint(running.endpoint).endswith(HINT.encode())
        with socket.create_connection(_address(running.endpoint), timeout=10) as raw:
            with pytest.raises(ssl.SSLError, match="PROTOCOL_VERSION"):
                ssl.create_default_context().wrap_socket(raw, server_hostname="localhost")
        assert httpx.get(f"{running.endpoint}/").status_code == 200
    finally:
        running.server.stop()


def test_an_unknown_http_parser_is_a_config_error_before_any_port_is_bound(tmp_path, monkeypatch):
    monkeypatch.setenv(HTTP_ENV, "spdy")
    with pytest.raises(ConfigError, match=HTTP_ENV) as err:
        EmulatorServer(EmulatorConfig(data_dir=tmp_path), port=0)
    assert "httptools or h11" in err.value.fix


def test_genai_without_project_and_location_gets_the_set_up_that_works(llmops_emulator):
    client = genai.Client(vertexai=True, http_options=types.HttpOptions(base_url=llmops_emulator.endpoint))
    with pytest.raises(errors.ClientError) as err:
        client.models.generate_content(model="gemini-2.5-flash", contents="hi")
    assert err.value.code == 404
    assert f"base_url='{llmops_emulator.endpoint}'" in err.value.message and "project=" in err.value.message


def test_vertex_call_under_a_wrong_base_path_names_the_right_base_url(llmops_emulator):
    r = httpx.post(f"{llmops_emulator.endpoint}/vertex/v1/models/gemini:generateContent", json={})
    assert r.status_code == 404
    assert f"base_url='{llmops_emulator.endpoint}'" in r.json()["error"]["message"]


def test_forwarded_headers_do_not_rewrite_the_scheme_of_the_urls_it_hands_out(llmops_emulator):
    # No proxy sits in front of an emulator: a local client's X-Forwarded-Proto must not turn the
    # resumable upload URL (or mediaLink, selfLink) into an https:// one nothing listens on.
    endpoint = llmops_emulator.endpoint
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    with httpx.Client(base_url=endpoint) as http:
        assert http.post("/storage/v1/b", params={"project": "p"}, json={"name": "fwd-bucket"}).status_code == 200
        started = http.post(
            "/upload/storage/v1/b/fwd-bucket/o",
            params={"uploadType": "resumable", "name": "a.txt"},
            json={},
            headers=headers,
        )
    assert started.status_code == 200, started.text
    assert started.headers["location"].startswith(f"{endpoint}/upload/storage/v1/b/fwd-bucket/o?")
