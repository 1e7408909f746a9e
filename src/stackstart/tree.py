"""The one file lister: what a rendered or existing project holds, as git would see its paths."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["list_files"]


def list_files(root: Path) -> list[str]:
    """Every file and symlink below ``root``: POSIX relative paths, sorted.

    The top-level ``.git`` is skipped; a symlink to a folder is listed as itself and never entered
    (the way git stores it), so nothing outside ``root`` is ever read through it.
    """
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        if here == root:
            dirs[:] = [d for d in dirs if d != ".git"]
        linked = [d for d in dirs if (here / d).is_symlink()]
        found += [(here / name).relative_to(root).as_posix() for name in files + linked]
    return sorted(found)
