"""What every process needs to run: settings, Redis, Rasa's stores, masking of identifiers."""
