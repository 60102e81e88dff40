"""Helpers for the course «Aprendizaje automático para audio»."""

__version__ = "0.1.0"
