"""The second floor: pure functions over plain values, no database (this package never imports SQLAlchemy)."""
