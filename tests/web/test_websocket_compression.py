"""Socket.IO connections are never compressed: a zlib context per spectator costs more
memory than everything else the connection needs (bench/README.md, live benchmark)."""

from app.realtime.compression import NoWebSocketCompression


def _seen(path: str) -> dict:
    seen = {}

    def inner(environ, start_response):
        seen.update(environ)
        return [b""]

    NoWebSocketCompression(inner)({"PATH_INFO": path,
                                   "HTTP_SEC_WEBSOCKET_EXTENSIONS": "permessage-deflate"},
                                  lambda *a: None)
    return seen


def test_the_deflate_offer_is_removed_on_the_socketio_path_only():
    assert "HTTP_SEC_WEBSOCKET_EXTENSIONS" not in _seen("/socket.io/")
    assert _seen("/other")["HTTP_SEC_WEBSOCKET_EXTENSIONS"] == "permessage-deflate"


def test_the_app_is_wrapped(app):
    assert isinstance(app.wsgi_app, NoWebSocketCompression)
