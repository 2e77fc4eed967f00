"""The /staff namespace: the chief judge's console and the supervisor's read-only view
receive marks, panel statuses and locks live. Read-only for clients."""

from __future__ import annotations

from typing import Any

from flask_socketio import Namespace


class StaffNamespace(Namespace):
    def on_connect(self, auth: Any = None) -> bool:
        return False  # filled in by the chief console work: refuse until it exists
