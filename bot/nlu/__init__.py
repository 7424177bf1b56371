"""Custom Rasa NLU graph components (referenced from config.yml by module path)."""
