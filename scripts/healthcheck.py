"""Container health check: GET /health/ on this container's gunicorn; exit 0 when it answers 200.

Sends a Host the settings allow and X-Forwarded-Proto: https, so that production's ALLOWED_HOSTS and
HTTPS redirect (SECURE_PROXY_SSL_HEADER) treat the probe like a request through the front end.
"""

import os
import sys
import urllib.request


def main() -> int:
    """Probe the liveness endpoint and report the outcome as an exit status."""
    hosts = [h.strip().lstrip(".") for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",")]
    host = next((h for h in hosts if h and h != "*"), "localhost")
    request = urllib.request.Request(
        f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/health/",
        headers={"Host": host, "X-Forwarded-Proto": "https"},
    )
    try:
        with urllib.request.urlopen(request, timeout=4) as response:
            return 0 if response.status == 200 else 1
    except OSError as error:
        print(f"health check failed: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
