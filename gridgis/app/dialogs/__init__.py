"""Dialogs of the desktop application; each takes its inputs as arguments."""
