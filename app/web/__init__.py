"""Thin blueprints, one package per feature."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from app.web.api import bp as api_bp
    from app.web.auth import bp as auth_bp
    from app.web.organiser import bp as organiser_bp
    from app.web.public import bp as public_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(organiser_bp, url_prefix="/organiser")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
