#!/usr/bin/env bash
# Print the path of a Python >= 3.12 (Django 6 needs it): PATH first, then pyenv's builds.
set -u
candidates=(python3.13 python3.12 python3)
for name in "${candidates[@]}"; do
  if command -v "$name" >/dev/null 2>&1; then
    path=$(command -v "$name")
    if "$path" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      echo "$path"; exit 0
    fi
  fi
done
for path in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python /usr/local/bin/python3.1[2-9]; do
  if [ -x "$path" ] && "$path" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    echo "$path"; exit 0
  fi
done
echo "Python 3.12 以上が見つかりません。Python 3.12 以上をインストールしてください。" >&2
exit 1
