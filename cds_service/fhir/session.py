"""An HTTP session for FHIR reads, made on first use, that notes every request's outcome.

Most hook calls carry complete prefetch and never reach the FHIR server, so the underlying
``requests.Session`` (two adapters and their connection pools) is built only when the first
request goes out. Outcomes are kept for the metrics, never URLs.
"""

from __future__ import annotations

from typing import Any

import requests


class CountingSession:
    """Records one outcome per request: "ok", "http_<status class>", or the error kind."""

    def __init__(self) -> None:
        self.outcomes: list[str] = []
        self._session: requests.Session | None = None

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        """GET through the session (made now if this is the first request)."""
        return self.request("GET", url, **kwargs)

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Send the request and note how it ended; exceptions propagate unchanged."""
        if self._session is None:
            self._session = requests.Session()
        try:
            response = self._session.request(method, url, **kwargs)
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

    @property
    def opened(self) -> bool:
        """True once a request has been sent."""
        return self._session is not None

    def close(self) -> None:
        """Close the connections, if any were opened."""
        if self._session is not None:
            self._session.close()

    def __enter__(self) -> CountingSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


HttpSession = requests.Session | CountingSession  # what FhirClient sends its GETs through
