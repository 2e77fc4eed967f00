"""No per-message deflate on the Socket.IO endpoint.

Browsers offer `permessage-deflate`, and the websocket server accepts it. Each compressed
connection then keeps two zlib contexts, about 100 KiB, which is more than everything
else a spectator costs the server, and our messages are small deltas that deflate hardly
shrinks. Removing the offer before the handshake keeps connections plain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


class NoWebSocketCompression:
    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]],
                 path: str = "/socket.io") -> None:
        self.wsgi_app = wsgi_app
        self.path = path

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(self.path):
            environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return self.wsgi_app(environ, start_response)
