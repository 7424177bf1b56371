"""Rasa input/output channel connectors. Every connector passes its input through
channels.core, the one place that cleans, bounds and rejects untrusted input."""
