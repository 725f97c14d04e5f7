"""In-memory stand-ins for the shifter's ports (cutover/shifter/ports.py) that behave like
the service for what the steps rely on; nothing here replaces our own code."""
