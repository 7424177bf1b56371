"""Where the project's own files are: the Rasa project root and the curated facts beside it."""
from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FACTS_DIR = PROJECT_ROOT / "facts"
MODEL_PATH = PROJECT_ROOT / "models" / "helpline.tar.gz"
