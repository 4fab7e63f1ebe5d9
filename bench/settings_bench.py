"""Settings of the load bench: production settings, plus one bare view (`bench/urls.py`).

The bare view is served by the same gunicorn, the same workers and the same middleware as the
client pages, so their throughputs compare; production URLs (`config.urls`) stay unchanged.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
