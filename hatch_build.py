"""Wheel build hook: ship the template history bundle inside the wheel.

See src/stackstart/history.py: the bundle holds every past release's template
(from releases.bundle) plus this release's, tagged ``v<version>``. The build
refuses the release mistakes of docs/updating.md (a released template changed
without a version bump, a tagged release missing from releases.bundle): such a
wheel would give users a history that disagrees with their projects.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def bundle_for_wheel(root: Path, outdir: Path) -> Path:
    """Check the checkout's release history, then build the bundle the wheel ships; return its path."""
    sys.path.insert(0, str(root / "src"))
    try:
        from stackstart import history
    finally:
        sys.path.remove(str(root / "src"))
    problems = history.release_problems(root)
    if problems:
        raise RuntimeError("refusing to build the wheel: " + "; ".join(problems))
    out = outdir / history.BUNDLE_NAME
    history.build_bundle(out, root=root, version=history.checkout_version(root), past=history.releases_of(root))
    return out


class TemplateHistoryHook(BuildHookInterface):  # type: ignore[misc]
    """Builds ``stackstart/_template/templates.bundle`` for non-editable wheels."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return  # an editable install builds the bundle on first use instead
        out = bundle_for_wheel(Path(self.root), Path(tempfile.mkdtemp(prefix="stackstart-wheel-")))
        build_data["force_include"][str(out)] = f"stackstart/_template/{out.name}"
