"""The helpline's own package, by concern: understanding/ (her text), nlu/ (Rasa's components
over it), facts/, replies/, runtime/, cases/, escalation/, console/, connectors.py (composition)
and cli/ (the command line). docs/architecture.md says which may import which."""
