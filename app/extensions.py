"""Unbound extension instances; `create_app` binds them to an app."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from app.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
socketio = SocketIO()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
# Nothing is limited by default: only the routes that name a limit (login) are.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
