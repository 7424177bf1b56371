"""The helpline's own package: settings, NLU components, facts, stores, the runner and CLI."""
