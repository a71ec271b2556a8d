"""llmops.emulator.engines."""
