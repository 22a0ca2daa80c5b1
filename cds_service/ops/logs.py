"""One JSON object per log line, with hookInstance and service id, and no patient data.

The formatter writes the time, level, logger, message and the record's ``extra`` fields;
inside a hook call it adds ``hookInstance`` and ``service``. An exception is logged by its
type and stack frames only: exception messages can quote request values, so they are left out.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

from cds_service.hookcall import current as current_call

# Attributes every LogRecord has; anything else came from `extra`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
HANDLER_NAME = "cds-json"


class RequestContextFilter(logging.Filter):
    """Adds hookInstance and service id of the current hook call to each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Never drops a record; only annotates it."""
        call = current_call()
        if call is not None:
            for attr, value in (("hookInstance", call.instance), ("service", call.service)):
                if value is not None and not hasattr(record, attr):
                    setattr(record, attr, value)
        return True


class JsonFormatter(logging.Formatter):
    """Formats a record as one line of JSON."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON object on one line."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            kind, _value, tb = record.exc_info
            entry["exc_type"] = kind.__name__
            entry["stack"] = [
                f"{frame.filename}:{frame.lineno} {frame.name}"
                for frame in traceback.extract_tb(tb)
            ]
        return json.dumps(entry, default=str, ensure_ascii=False)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at emit time (test runners swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        """Emit to the current stderr."""
        self.stream = sys.stderr
        super().emit(record)


def install_json_logging(level: str, logger_name: str = "cds_service") -> logging.Handler:
    """Give the service's loggers one JSON handler on stderr (idempotent across apps)."""
    logger = logging.getLogger(logger_name)
    logger.setLevel(level.upper())
    for handler in list(logger.handlers):
        if handler.get_name() == HANDLER_NAME:
            logger.removeHandler(handler)
    handler = StderrHandler(sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    logger.addHandler(handler)
    return handler
