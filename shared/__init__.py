"""Cramp Check core: content, triage engine, free-text reader, dialogue and channel templates."""
