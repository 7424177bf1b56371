import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_without_a_trained_model_triage_says_so_and_exits_2(tmp_path):
    env = dict(os.environ, HELPLINE_MODEL=str(tmp_path / "none.tar.gz"), PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-m", "bot", "triage"], input="cuu em\n", capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert result.returncode == 2
    assert "No trained model" in result.stderr and "make train" in result.stderr
    assert result.stdout == ""
