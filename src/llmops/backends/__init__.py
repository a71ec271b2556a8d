"""Backends: implementations of the core interfaces, each registered by a plugin."""
