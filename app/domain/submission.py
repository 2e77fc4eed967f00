"""The shape of a mark submission (socket `submit_mark` and `POST /api/v1/marks`).

Checked here, before anything is looked up, so every adapter refuses the same bad
payloads with the same code.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

MAX_REASON = 1000


class SubmissionError(ValueError):
    def __init__(self, code: str, field: str | None = None) -> None:
        super().__init__(f"{code}: {field}")
        self.code = code
        self.field = field


@dataclass(frozen=True)
class Submission:
    client_id: str
    competitor_id: int
    aspect_id: int
    raw_value: object  # `score` for J or `value` for M; checked against the aspect later
    expected_version: int | None
    device_id: str
    tablet_time: datetime | None
    reason: str


def _positive_int(payload: dict[str, Any], key: str) -> int:
    value = payload.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SubmissionError("invalid", key)
    return value


def parse_submission(payload: object) -> Submission:
    """A Submission, or SubmissionError('invalid', field) naming what is wrong."""
    if not isinstance(payload, dict):
        raise SubmissionError("invalid", None)
    client_id = payload.get("client_id")
    try:
        client_id = str(uuid.UUID(str(client_id))) if isinstance(client_id, str) else None
    except ValueError:
        client_id = None
    if client_id is None:
        raise SubmissionError("invalid", "client_id")
    has_score, has_value = "score" in payload, "value" in payload
    if has_score == has_value:  # exactly one of them
        raise SubmissionError("invalid", "score")
    expected = payload.get("expected_version")
    if expected is not None and (isinstance(expected, bool) or not isinstance(expected, int)
                                 or expected < 0):
        raise SubmissionError("invalid", "expected_version")
    device = payload.get("device_id", "")
    if not isinstance(device, str) or len(device) > 100:
        raise SubmissionError("invalid", "device_id")
    reason = payload.get("reason", "")
    if not isinstance(reason, str) or len(reason) > MAX_REASON:
        raise SubmissionError("invalid", "reason")
    return Submission(
        client_id=client_id,
        competitor_id=_positive_int(payload, "competitor_id"),
        aspect_id=_positive_int(payload, "aspect_id"),
        raw_value=payload["score"] if has_score else payload["value"],
        expected_version=expected,
        device_id=device,
        tablet_time=_tablet_time(payload.get("tablet_time")),
        reason=reason,
    )


def _tablet_time(value: object) -> datetime | None:
    """The tablet's clock (ISO 8601), kept for the audit; it never orders anything."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise SubmissionError("invalid", "tablet_time")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise SubmissionError("invalid", "tablet_time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
