#!/usr/bin/env bash
# Installs the REC.IO data services: the five release binaries, the systemd units and, only if
# there is none yet, /etc/recio/services.json. Safe to run again (upgrades binaries and units,
# never touches an existing config or credential).
#
# Usage: deploy/install.sh [--prefix DIR] [--no-build] [--bin-dir DIR] [--config FILE]
#   --prefix DIR   install under DIR instead of / (a staging root; no systemctl call then)
#   --no-build     do not run `swift build`; take the binaries from --bin-dir or .build/release
#   --bin-dir DIR  where the built binaries are (default: swift build's release bin path)
#   --config FILE  the services.json to install if absent (default: config/services.json)
#
# Binaries are built by scripts/build-release (--static-swift-stdlib), so the host needs only libpq5,
# libsqlite3-0, libsystemd0 and libstdc++6 (glibc >= 2.36 for their packed relocations). After a first install, put the secrets in /etc/recio/credentials/ (pgpassword,
# kalshi-private-key; root-only, loaded by systemd through LoadCredential=) and enable:
#   systemctl enable --now recio.target recio-btc-price-watchdog.service \
#     recio-kalshi-api-watchdog.service recio-kalshi-historical-ingest.service recio-live-data-analysis.service
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

prefix=/
build=yes
bin_dir=
config="$repo/config/services.json"
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
    --prefix=*) prefix=${1#*=}; shift ;;
    --no-build) build=no; shift ;;
    --bin-dir) bin_dir=${2:?--bin-dir needs a directory}; shift 2 ;;
    --bin-dir=*) bin_dir=${1#*=}; shift ;;
    --config) config=${2:?--config needs a file}; shift 2 ;;
    --config=*) config=${1#*=}; shift ;;
    -h|--help) sed -n '2,17s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown argument: $1 (see --help)" >&2; exit 64 ;;
  esac
done

binaries=(btc-price-watchdog kalshi-api-watchdog kalshi-historical-ingest live-data-analysis recioctl)
credentials=(pgpassword kalshi-private-key)
prefix=${prefix%/}
root=${prefix:-/}

if [ "$build" = yes ]; then
  "$repo/scripts/build-release"
fi
if [ -z "$bin_dir" ]; then
  if [ "$build" = yes ]; then
    bin_dir=$("$repo/scripts/build-release" --show-bin-path)
  else
    bin_dir="$repo/.build/release"
  fi
fi
for binary in "${binaries[@]}"; do
  [ -x "$bin_dir/$binary" ] || { echo "install.sh: $bin_dir/$binary is missing or not executable (build first, or pass --bin-dir)" >&2; exit 66; }
done

# Replaces $2 with $1 atomically (copy beside it, then rename), so a running daemon's binary is
# never half-written and "text file busy" cannot happen.
install_file() {
  local source=$1 target=$2 mode=$3
  install -m "$mode" "$source" "$target.new.$$"
  mv -f "$target.new.$$" "$target"
}

install -d -m 0755 "$prefix/usr/local/bin" "$prefix/etc/systemd/system" "$prefix/etc/recio"
for binary in "${binaries[@]}"; do
  install_file "$bin_dir/$binary" "$prefix/usr/local/bin/$binary" 0755
done
echo "installed ${#binaries[@]} binaries in $root/usr/local/bin" | sed 's|//|/|g'

for unit in "$repo"/deploy/systemd/*.service "$repo"/deploy/systemd/*.target; do
  install_file "$unit" "$prefix/etc/systemd/system/$(basename "$unit")" 0644
done
echo "installed units in $root/etc/systemd/system" | sed 's|//|/|g'

# The config is the operator's once it exists: never overwrite it. World-readable because the
# services run as a dynamic user; it holds no secrets (those are credentials, below).
if [ -e "$prefix/etc/recio/services.json" ]; then
  echo "kept existing $root/etc/recio/services.json" | sed 's|//|/|g'
elif [ -f "$config" ]; then
  install -m 0644 "$config" "$prefix/etc/recio/services.json"
  echo "installed $root/etc/recio/services.json from $(basename "$config")" | sed 's|//|/|g'
else
  echo "install.sh: warning: no $config to install; write $root/etc/recio/services.json before starting the services" | sed 's|//|/|g' >&2
fi

# Credentials: root-only directory; systemd reads them (LoadCredential=) and hands the services
# private copies. Empty placeholders keep units from failing to start before the operator fills
# them in; an empty file is never overwritten later, nor is a filled one.
install -d -m 0700 "$prefix/etc/recio/credentials"
chmod 0700 "$prefix/etc/recio/credentials"
for credential in "${credentials[@]}"; do
  file="$prefix/etc/recio/credentials/$credential"
  if [ ! -e "$file" ]; then
    (umask 077 && : > "$file")
    echo "created empty $root/etc/recio/credentials/$credential: put the secret there" | sed 's|//|/|g'
  fi
done

if [ -z "$prefix" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
  systemctl daemon-reload
  echo "systemctl daemon-reload done"
fi
