"""Declarative form and checklist definitions (versioned data files) and their validator."""
