"""The container's health check: GET /sante/ on the local gunicorn, as the load balancer would.

It names the first of ALLOWED_HOSTS (Django refuses unknown host names) and says HTTPS was
spoken to the proxy (the redirect to HTTPS exempts /sante/ anyway). Exit 0 when healthy.
"""

import os
import sys
import urllib.request

host = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip() or "localhost"
request = urllib.request.Request(
    f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/sante/",
    headers={"Host": host, "X-Forwarded-Proto": "https"},
)
try:
    with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310 — a fixed local URL
        sys.exit(0 if response.status == 200 else 1)
except OSError:
    sys.exit(1)
