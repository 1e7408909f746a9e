# No database: the project keeps no state.
DATABASES: dict[str, dict[str, Any]] = {}
