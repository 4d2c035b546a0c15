"""The application's settings, with the floors mounted (``bench.urls``) and a
``Server-Timing`` header (``bench.middleware``) on every response.

Everything else — middleware, sessions, database, templates — is the application's own,
read from the environment the harness sets (DEBUG=0, DATABASE_URL, AXES_ENABLED=0).
"""

from shakyo.settings import *  # noqa: F403
from shakyo.settings import MIDDLEWARE

ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.middleware.ServerTimingMiddleware", *MIDDLEWARE]
