
def database(variable: str, default: str) -> dict[str, Any]:
    """The database named by the URL in ``variable``, tuned for its engine.

    sqlite:///name.sqlite3 is relative to the project folder,
    sqlite:////absolute/path.sqlite3 is absolute; postgres(ql)://user:pass@host:port/db
    and mysql://user:pass@host:port/db name a server.
    """
    config = env.db_url(variable, default=default)
    options = config.setdefault("OPTIONS", {})
    vendor = config["ENGINE"].rsplit(".", 1)[-1]
    if vendor == "sqlite3":
        if config["NAME"] != ":memory:":
            config["NAME"] = str(BASE_DIR / config["NAME"])
        # writers queue up instead of failing with "database is locked"
        options.setdefault("transaction_mode", "IMMEDIATE")
        return config
    # Connections live for CONN_MAX_AGE seconds and are checked before reuse;
    # an unreachable server fails /health within 5 s instead of hanging it.
    config["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    config["CONN_HEALTH_CHECKS"] = True
    options.setdefault("connect_timeout", 5)
    if vendor == "mysql":
        # Django's advice for MySQL and MariaDB: refuse to truncate silently.
        options.setdefault("init_command", "SET sql_mode='STRICT_TRANS_TABLES'")
    return config


DATABASES = {
    "default": database("DATABASE_URL", "sqlite:///{{ project_name }}.sqlite3"),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
