"""Understanding her text: folding, language, places, intents and their meaning, the safety net, triage."""
