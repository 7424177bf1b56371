#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter, or explains how to get one and exits 1.
# Rasa 3.6 supports Python 3.8-3.10 only; it refuses 3.11.
set -u
is_310() { [ -n "$1" ] && [ -x "$1" ] && "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; }

candidates=()
[ -n "${PYTHON310:-}" ] && candidates+=("$PYTHON310")
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
command -v pyenv >/dev/null 2>&1 && pyenv_root="$(pyenv root 2>/dev/null || echo "$pyenv_root")"
for dir in $(ls -d "$pyenv_root"/versions/3.10* 2>/dev/null | sort -rV); do
  candidates+=("$dir/bin/python3.10")
done
if command -v uv >/dev/null 2>&1; then
  found=$(uv python find 3.10 2>/dev/null) && candidates+=("$found")
fi

for python in "${candidates[@]}"; do
  # pyenv shims resolve to the real interpreter, which stays valid when the shell's version changes
  real=$("$python" -c 'import sys; print(sys.executable)' 2>/dev/null) || continue
  if is_310 "$real"; then echo "$real"; exit 0; fi
done

cat >&2 <<'MSG'
No Python 3.10 found. Rasa 3.6 needs Python 3.10 (it refuses 3.11 and newer).
Looked at: $PYTHON310, python3.10 on PATH, pyenv versions, `uv python find 3.10`.
Get one with any of:
  pyenv install 3.10            (then run make again)
  uv python install 3.10
  sudo apt-get install python3.10 python3.10-venv   (where your distribution has it)
or point PYTHON310 at an interpreter: PYTHON310=/path/to/python3.10 make test
MSG
exit 1
