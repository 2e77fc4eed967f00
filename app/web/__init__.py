"""Thin blueprints, one package per feature."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from app.web.api import bp as api_bp
    from app.web.auth import bp as auth_bp
    from app.web.certificates import bp as certificates_bp
    from app.web.chief import bp as chief_bp
    from app.web.judging import bp as judging_bp
    from app.web.live import bp as live_bp
    from app.web.organiser import bp as organiser_bp
    from app.web.public import bp as public_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(organiser_bp, url_prefix="/organiser")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(judging_bp, url_prefix="/judge")
    app.register_blueprint(chief_bp, url_prefix="/chief")
    app.register_blueprint(live_bp, url_prefix="/c")
    app.register_blueprint(certificates_bp, url_prefix="/certificates")
