"""Entry point: `flask --app wsgi …` and WSGI servers import `app` from here."""

import os

if os.environ.get("SOCKETIO_ASYNC_MODE") == "gevent":
    # gevent's greenlets need the blocking parts of the standard library (sockets, locks,
    # time.sleep) patched before the app, SQLAlchemy or Socket.IO create any of them, so
    # this comes before importing the app (app.config checks the setting's value).
    from gevent import monkey

    monkey.patch_all()

from app import create_app

app = create_app()
