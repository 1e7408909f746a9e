"""Wheel build hook: ship the template history bundle inside the wheel.

See src/stackstart/history.py: the bundle holds every past release's template
(from releases.bundle) plus this release's, tagged ``v<version>``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class TemplateHistoryHook(BuildHookInterface):  # type: ignore[misc]
    """Builds ``stackstart/_template/templates.bundle`` for non-editable wheels."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return  # an editable install builds the bundle on first use instead
        root = Path(self.root)
        sys.path.insert(0, str(root / "src"))
        try:
            from stackstart import history
        finally:
            sys.path.pop(0)
        out = Path(tempfile.mkdtemp(prefix="stackstart-wheel-")) / history.BUNDLE_NAME
        history.build_bundle(out, root=root)
        build_data["force_include"][str(out)] = f"stackstart/_template/{history.BUNDLE_NAME}"
