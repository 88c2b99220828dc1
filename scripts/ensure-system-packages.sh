#!/usr/bin/env bash
# Make sure the system packages TMS builds against are present.
# Installs them with apt when running as root; otherwise names what to install
# (TMS_INSTALL_PACKAGES=0: only names them, even as root).
set -euo pipefail

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "TMS needs Python 3.11 or newer as '$python' (set PYTHON=/path/to/python3.11)." >&2
  exit 1
fi

missing=()
pkg-config --version >/dev/null 2>&1 || missing+=(pkg-config)
# mysqlclient compiles against the MariaDB/MySQL client library.
if ! pkg-config --exists libmariadb 2>/dev/null && ! pkg-config --exists mysqlclient 2>/dev/null; then
  missing+=(libmariadb-dev)
fi
"$python" -c 'import sysconfig, os, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
  || missing+=(python3-dev)
command -v cc >/dev/null 2>&1 || missing+=(gcc)

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "${TMS_INSTALL_PACKAGES:-1}" != 0 ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "TMS needs these system packages first: ${missing[*]} (Debian/Ubuntu: sudo apt-get install ${missing[*]})." >&2
  exit 1
fi
