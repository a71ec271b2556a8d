"""Fixtures for the emulator server tests: the llmops pytest plugin's emulator and clients.

The fixtures (`llmops_emulator`, `bigquery_client`, ...) come from the `pytest11` entry point
`llmops.testing`, as they do in a user's project: one emulator for the whole test session."""

from __future__ import annotations

import uuid

import httpx
import pytest


@pytest.fixture
def http(llmops_emulator):
    """A raw HTTP client on the emulator, for requests the Google clients never send."""
    with httpx.Client(base_url=llmops_emulator.endpoint, timeout=30) as client:
        yield client


@pytest.fixture
def unique():
    """A short unique suffix for dataset and bucket names (the emulator lives for the session)."""
    return uuid.uuid4().hex[:10]


@pytest.fixture
def dataset(bigquery_client, unique):
    """A fresh dataset, deleted with its tables afterwards."""
    ds = bigquery_client.create_dataset(f"ds_{unique}")
    yield ds
    bigquery_client.delete_dataset(ds, delete_contents=True, not_found_ok=True)


@pytest.fixture
def bucket(storage_client, unique):
    """A fresh bucket."""
    return storage_client.create_bucket(f"bucket-{unique}")


def _google_error(response: httpx.Response) -> dict:
    body = response.json()
    err = body["error"]
    assert err["code"] == response.status_code
    assert isinstance(err["message"], str) and err["message"]
    assert isinstance(err["status"], str) and err["status"]
    assert err["errors"] and err["errors"][0]["reason"]
    return err


@pytest.fixture
def google_error():
    """Checks a response is Google's error shape and returns its `error` object."""
    return _google_error
