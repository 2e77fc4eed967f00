"""Pure domain rules: no Flask, no SQLAlchemy, no I/O, no clock (a test enforces it)."""
