"""gunicorn's settings for this project; gunicorn reads ./gunicorn.conf.py itself.

Options on the command line win over these. gunicorn also reads
WEB_CONCURRENCY (number of worker processes, default 1) from the environment.
"""

# Whether a request came over HTTPS, and from whom, is Django's business and
# only with BEHIND_PROXY=true (settings.py). Left to its defaults, gunicorn
# would believe X-Forwarded-Proto from any client on 127.0.0.1.
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}

# The access log is Django's: one line per request on stdout (settings.LOGGING).
accesslog = None

# After SIGTERM, requests in flight get this many seconds to finish.
graceful_timeout = 10

# No control socket (gunicorn >= 25.1 would make one under $HOME/.gunicorn).
control_socket_disable = True
