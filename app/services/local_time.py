"""The event's clock as people read it. Times are stored in UTC; screens, forms, sheets
and certificates use the event's time zone (DISPLAY_TIMEZONE, Asia/Shanghai unless
configured)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

from app.models.base import utcnow


def display_zone() -> ZoneInfo:
    return ZoneInfo(str(current_app.config.get("DISPLAY_TIMEZONE", "Asia/Shanghai")))


def local_time(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time as the event reads it; "" for none."""
    return moment.astimezone(display_zone()).strftime(fmt) if moment else ""


def today() -> date:
    """The event's day: a batch issued at 07:00 in Shanghai is that day, not the UTC day
    before."""
    return utcnow().astimezone(display_zone()).date()
