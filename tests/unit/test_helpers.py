"""The test tiers' own rules for a missing tool: a skip on a developer's machine, a failure under CI."""

from __future__ import annotations

import pytest

from tests.helpers import need_linters, skip_or_fail


def test_a_missing_linter_skips_when_nothing_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STACKSTART_REQUIRE", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no-such-linter not installed"):
        need_linters("sh", "no-such-linter")


def test_a_missing_linter_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STACKSTART_REQUIRE", "flask")
    with pytest.raises(pytest.fail.Exception, match=r"no-such-linter not installed.*STACKSTART_REQUIRE"):
        need_linters("no-such-linter")


def test_installed_linters_let_the_test_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STACKSTART_REQUIRE", "flask")
    need_linters("sh")
    need_linters()


def test_a_framework_requirement_only_fails_for_that_framework(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STACKSTART_REQUIRE", "flask")
    with pytest.raises(pytest.skip.Exception):
        skip_or_fail("django: missing something", required=False)
    with pytest.raises(pytest.fail.Exception):
        skip_or_fail("flask: missing something", required=True)
