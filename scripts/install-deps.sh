#!/usr/bin/env bash
# Debian packages the build and the test suites need (nothing compiles: Node and its
# SQLite come from .venv), Chromium (galata UI tests), Slurm + munge + slurmdbd + MariaDB
# (real-Slurm tests with accounting, scripts/slurm-up), RabbitMQ (the broker tests and
# development use, scripts/rabbitmq-up), GNU parallel (benchmark baseline), GNU time (the
# job wrapper's peak-memory measure off the local backend).
# Installs only what is missing, so a second run is instant. Without root it lists what is
# missing and leaves it to the suites to fail.
set -euo pipefail

pkgs=(make chromium slurm-wlm munge slurmdbd mariadb-server rabbitmq-server parallel time)
# Debian's own python3 needs python3-venv for `python3 -m venv`; other builds bring ensurepip.
if ! python3 -c 'import ensurepip' >/dev/null 2>&1; then pkgs+=(python3-venv); fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: Debian packages present (${pkgs[*]})"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: WARNING: missing Debian packages: ${missing[*]}" >&2
  echo "install-deps: run as root: apt-get install -y ${missing[*]}" >&2
  [ "${BULKRUN_DEPS_STRICT:-0}" = 1 ] && exit 1
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Serialized with any other apt user on the machine (dpkg allows one at a time).
exec 9>/tmp/apt.lock
flock 9
apt-get update -qq
# MariaDB's, slurmdbd's and RabbitMQ's packages would start system daemons; scripts/slurm-up
# and scripts/rabbitmq-up run their own. policy-rc.d 101 ("do not start") for this install
# only, where none is set.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}"
