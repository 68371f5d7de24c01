"""posloyalty: an offline-first loyalty terminal for retail chains."""

__version__ = "0.1.0"
