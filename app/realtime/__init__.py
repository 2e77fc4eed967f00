"""Socket.IO adapters: namespaces, rooms, and the one publisher."""

from app.extensions import socketio

_registered = False


def register_namespaces() -> None:
    """Namespaces live on the one SocketIO object, registered once per process and before
    `socketio.init_app`: each init_app (each app, as in tests) attaches them to its server."""
    global _registered
    if _registered:
        return
    _registered = True
    from app.realtime.judge import JudgeNamespace
    from app.realtime.live import LiveNamespace
    from app.realtime.staff import StaffNamespace

    socketio.on_namespace(JudgeNamespace("/judge"))
    socketio.on_namespace(StaffNamespace("/staff"))
    socketio.on_namespace(LiveNamespace("/live"))
