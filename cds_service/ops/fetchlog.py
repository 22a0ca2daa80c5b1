"""A requests session that notes the outcome of every FHIR request (for metrics, no URLs)."""

from __future__ import annotations

from typing import Any

import requests


class CountingSession(requests.Session):
    """Records one outcome per request: "ok", "http_<status class>", or the error kind."""

    def __init__(self) -> None:
        super().__init__()
        self.outcomes: list[str] = []

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        """Send the request and note how it ended; exceptions propagate unchanged."""
        try:
            response = super().request(*args, **kwargs)
        except requests.Timeout:
            self.outcomes.append("timeout")
            raise
        except requests.ConnectionError:
            self.outcomes.append("connection_error")
            raise
        except Exception:
            self.outcomes.append("error")
            raise
        status = response.status_code
        self.outcomes.append("ok" if 200 <= status < 300 else f"http_{status // 100}xx")
        return response
