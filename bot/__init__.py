"""statusbot: HTTP status codes explained in Korean and English."""

__version__ = "0.1.0"
