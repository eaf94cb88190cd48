"""Widgets of the tome TUI, one per module."""
