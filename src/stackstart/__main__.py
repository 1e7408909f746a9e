"""`python -m stackstart`."""

from __future__ import annotations

from stackstart.cli import main

if __name__ == "__main__":
    main()
