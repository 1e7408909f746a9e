"""The schemathesis step: a real schemathesis run against the reference server, conforming or broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from stackstart import contract, fuzz
from tests.unit.contract_server import admin_user, main_config, production_config, serve

needs_schemathesis = pytest.mark.skipif(not fuzz.available(), reason="schemathesis is not installed")


def _fuzz(tmp_path: Path, *broken: str, phases: tuple[str, ...] = ()) -> fuzz.FuzzResult:
    """The checker first (its answers count for reachability, as in verify), then schemathesis."""
    observed: list[tuple[str, str, int]] = []
    with serve(production_config()) as (url, state):
        contract.run_production(
            url, database=True, auth=True, admin=False, admin_credentials=admin_user(state), observed=observed
        )
    with serve(main_config(*broken)) as (url, state):
        contract.run_contract(url, project_name="shop", database=True, auth=True, admin=False, observed=observed)
        return fuzz.run_schemathesis(url, tmp_path, auth=True, observed=observed, max_examples=5, phases=phases)


@needs_schemathesis
def test_a_conforming_server_passes_schemathesis(tmp_path: Path) -> None:
    result = _fuzz(tmp_path)
    assert result.status == "passed", result.summary
    assert result.operations == 8
    assert result.checks > 1000
    assert result.failures == []
    assert result.unreached == []
    assert "8 operations tested" in result.summary


@needs_schemathesis
@pytest.mark.parametrize(
    ("broken", "finding"),
    [
        ("bad_id", "GET /api/items/{item_id}: not_a_server_error"),
        ("openapi_wrong_schema", "GET /api/items/{item_id}: response_schema_conformance"),
        ("openapi_teapot", "GET /api/items → 418"),
    ],
)
def test_schemathesis_fails_a_broken_server(tmp_path: Path, broken: str, finding: str) -> None:
    """Each finding surfaces in the fuzzing phase alone (a fifth of a run of every phase, as verify and the
    conforming server's test run): the coverage phase alone takes ~17 s here."""
    result = _fuzz(tmp_path, broken, phases=("fuzzing",))
    assert result.status == "failed"
    assert finding in result.failures + result.unreached, result.summary


def test_without_schemathesis_the_step_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fuzz, "available", lambda: False)
    result = fuzz.run_schemathesis("http://127.0.0.1:9", tmp_path, auth=True)
    assert (result.status, result.summary) == (
        "skipped",
        "schemathesis is not installed (pip install 'stackstart[verify]')",
    )


@needs_schemathesis
def test_a_document_without_api_operations_is_skipped(tmp_path: Path) -> None:
    with serve(main_config("openapi_empty")) as (url, _state):
        result = fuzz.run_schemathesis(url, tmp_path, auth=False)
    assert result.status == "skipped", result.summary


def test_a_missing_document_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fuzz, "available", lambda: True)
    with serve(main_config("openapi_missing")) as (url, _state):
        result = fuzz.run_schemathesis(url, tmp_path, auth=False)
    assert result.status == "failed"
    assert result.summary == "GET /openapi.json answered 404, not an OpenAPI document"


@needs_schemathesis
def test_phases_are_passed_to_schemathesis(tmp_path: Path) -> None:
    with serve(main_config()) as (url, _state):
        result = fuzz.run_schemathesis(url, tmp_path, auth=False, max_examples=1, phases=("examples",))
    log = (tmp_path / "schemathesis.log").read_text()
    for phase in ("Coverage", "Fuzzing", "Stateful"):
        assert f"{phase} (disabled)" in log, log
    assert "Examples (disabled)" not in log
    assert result.checks == 0  # the document has no examples: nothing to check in that phase
