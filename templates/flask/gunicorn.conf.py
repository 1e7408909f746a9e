"""gunicorn's settings; gunicorn reads ./gunicorn.conf.py when started from here.

The command line (README: `gunicorn --bind ... PACKAGE.wsgi:app`) adds the rest.
"""

import os

# Workers: WEB_CONCURRENCY (gunicorn's own variable), 1 by default. Each worker
# keeps its own rate-limit counters (see README, "Rate limits").
workers = int(os.environ.get("WEB_CONCURRENCY") or "1")
# Proxy headers are trusted by the application itself, and only when
# BEHIND_PROXY=true (werkzeug's ProxyFix): gunicorn must not trust any, or a
# client on 127.0.0.1 could claim HTTPS with X-Forwarded-Proto.
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}
# Longest request line (method, path and query string) accepted: gunicorn's
# maximum, so that long but valid queries reach the application.
limit_request_line = 8190
# The application writes one access line per request itself.
accesslog = None
# On SIGTERM, requests in flight get this long to finish.
graceful_timeout = 10
