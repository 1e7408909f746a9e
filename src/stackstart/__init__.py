"""stackstart: starter repositories for seven backend frameworks, kept up to date."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
