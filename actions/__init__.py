"""Rasa SDK custom actions. Thin: each one reads the tracker and calls into bot/."""
