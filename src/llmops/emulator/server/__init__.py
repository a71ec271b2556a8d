"""llmops.emulator.server."""
