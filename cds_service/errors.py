"""One error shape: typed exceptions mapped to an HTTP status and a FHIR OperationOutcome body."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class ServiceError(Exception):
    """Base for errors the API answers with a JSON OperationOutcome."""

    status = 500
    code = "exception"  # FHIR issue-type code
    headers: tuple[tuple[str, str], ...] = ()

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class BadRequest(ServiceError):
    status = 400
    code = "invalid"


class NotFound(ServiceError):
    status = 404
    code = "not-found"


class Unauthorized(ServiceError):
    status = 401
    code = "login"
    # RFC 6750 section 3: a 401 from a bearer-token resource names the scheme.
    headers = (("WWW-Authenticate", "Bearer"),)


class UnsupportedMediaType(ServiceError):
    status = 415
    code = "not-supported"


class PreconditionFailed(ServiceError):
    status = 412
    code = "not-found"


class ServiceUnavailable(ServiceError):
    """A resource the answer needs (the database) is busy or down; the caller may retry."""

    status = 503
    code = "transient"
    headers = (("Retry-After", "5"),)


def operation_outcome(code: str, message: str, details: list[str] | None = None) -> dict[str, Any]:
    """A FHIR R4 OperationOutcome with one issue for the message and one per detail."""
    issues: list[dict[str, Any]] = [
        {"severity": "error", "code": code, "diagnostics": message},
    ]
    issues.extend({"severity": "error", "code": code, "diagnostics": d} for d in details or [])
    return {"resourceType": "OperationOutcome", "issue": issues}


def error_response(
    status: int, code: str, message: str, details: list[str] | None = None
) -> Response:
    """JSON error response with the right status."""
    response = jsonify(operation_outcome(code, message, details))
    response.status_code = status
    return response


_HTTP_CODES = {400: "invalid", 404: "not-found", 405: "not-supported", 413: "too-long"}


def register_error_handlers(app: Flask) -> None:
    """Every 4xx/5xx leaves as JSON: never an HTML page or a stack trace."""

    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError) -> Response:
        response = error_response(exc.status, exc.code, exc.message, exc.details)
        response.headers.extend(exc.headers)
        return response

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        message = exc.name if status != 413 else "Request body too large"
        response = error_response(status, _HTTP_CODES.get(status, "exception"), message)
        if status == 405 and exc.get_response().headers.get("Allow"):
            response.headers["Allow"] = exc.get_response().headers["Allow"]
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        # Log the type only: exception text can carry request values (patient data).
        log.error("unhandled error: %s", type(exc).__name__, exc_info=app.debug)
        return error_response(500, "exception", "Internal error")
