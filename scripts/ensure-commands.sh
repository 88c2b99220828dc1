#!/usr/bin/env bash
# Make sure the system programs a make target needs exist: installs their Debian packages with apt
# when running as root, otherwise stops and names the packages to install.
#
# Usage: scripts/ensure-commands.sh [--unless-answering URL] COMMAND[|OTHER]...
#   COMMAND|OTHER      either program will do (mariadb-dump|mysqldump)
#   --unless-answering nothing is needed when a server already answers at URL's host and port
#                      (mysql://root@127.0.0.1:3306, redis://127.0.0.1:6379/3): make stack starts
#                      MariaDB or Redis only when none is running
# TMS_INSTALL_PACKAGES=0 never installs, even as root: the packages are only named.
set -euo pipefail

# The Debian package of each program (a program not listed is its own package).
package_of() {
  case $1 in
    mariadb | mariadb-dump) echo mariadb-client ;;
    mariadbd | mariadb-install-db) echo mariadb-server ;;
    mysql | mysqldump) echo default-mysql-client ;;
    kubectl) echo "" ;; # not in Debian at a version that builds the overlays
    *) echo "$1" ;;
  esac
}

# Whether something accepts connections at URL's host and port.
answers() {
  local address=${1#*://}
  address=${address%%/*}
  address=${address##*@}
  local host=${address%:*} port=${address##*:}
  if [ "$host" = "$address" ]; then # no port in the URL: the scheme's
    case $1 in redis:*) port=6379 ;; *) port=3306 ;; esac
  fi
  host=${host#[}
  host=${host%]}
  if command -v timeout >/dev/null 2>&1; then
    timeout 3 "$BASH" -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null
  else
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
  fi
}

# Found on PATH, or in the sbin folders a non-root PATH lacks (nginx, mariadbd live there).
present() {
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]
}

if [ "${1:-}" = "--unless-answering" ]; then
  if answers "$2"; then
    exit 0
  fi
  shift 2
fi

missing=() packages=() unpackaged=()
for wanted in "$@"; do
  found=""
  IFS='|' read -r -a choices <<<"$wanted"
  for choice in "${choices[@]}"; do
    if present "$choice"; then
      found=$choice
      break
    fi
  done
  [ -n "$found" ] && continue
  missing+=("${wanted//|/ or }")
  package=$(package_of "${choices[0]}")
  if [ -n "$package" ]; then
    packages+=("$package")
  else
    unpackaged+=("${choices[0]}")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ ${#unpackaged[@]} -eq 0 ] && [ "${TMS_INSTALL_PACKAGES:-1}" != 0 ] && [ "$EUID" -eq 0 ] &&
  command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${packages[*]} (for ${missing[*]})"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  # Debian's nginx package starts a server on :80; TMS starts its own.
  if [[ " ${packages[*]} " == *" nginx "* ]] && command -v service >/dev/null 2>&1; then
    service nginx stop >/dev/null 2>&1 || true
  fi
  exit 0
fi

{
  echo "This needs ${missing[*]}, which this machine lacks."
  if [ ${#packages[@]} -gt 0 ]; then
    echo "  Debian/Ubuntu: sudo apt-get install ${packages[*]}"
  fi
  for program in "${unpackaged[@]}"; do
    case $program in
      kubectl)
        echo "  kubectl 1.27 or newer (its built-in kustomize renders k8s/): https://kubernetes.io/docs/tasks/tools/"
        echo "  (Debian's kubernetes-client is too old for these overlays)"
        ;;
    esac
  done
} >&2
exit 1
