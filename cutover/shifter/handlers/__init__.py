"""Thin Lambda handlers: parse the event, call logic and adapters, return a dict."""
