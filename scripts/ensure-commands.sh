#!/usr/bin/env bash
# Make sure these commands exist (Debian package named like the command): installs
# them with apt when running as root, otherwise says what to install.
# Usage: scripts/ensure-commands.sh wrk nginx
set -euo pipefail

missing=()
for command in "$@"; do
  command -v "$command" >/dev/null 2>&1 || [ -x "/usr/sbin/$command" ] || missing+=("$command")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian's nginx package starts a server on :80; TMS starts its own.
  if [[ " ${missing[*]} " == *" nginx "* ]] && command -v service >/dev/null 2>&1; then
    service nginx stop >/dev/null 2>&1 || true
  fi
else
  echo "This needs ${missing[*]} (Debian/Ubuntu: sudo apt-get install ${missing[*]})." >&2
  exit 1
fi
