#!/usr/bin/env bash
# What `make test` needs outside the venv, set up on a fresh Debian machine (as root):
# Debian's Chromium and ChromeDriver (browser tests), CJK fonts (their screenshots),
# PostgreSQL and Redis running on 127.0.0.1. Installs what is missing where apt can, starts
# what is installed but down, and otherwise stops with one line naming the missing piece.
set -uo pipefail

PG_HOST=127.0.0.1
PG_PORT=5432
REDIS_PORT=6379
apt_updated=0

say() { echo "make test: $*" >&2; }

apt_install() {
  # apt_install PACKAGE...: install Debian packages if we may (root and apt present).
  if ! command -v apt-get >/dev/null 2>&1; then
    return 1
  fi
  if [ "$(id -u)" != 0 ]; then
    return 1
  fi
  if [ "$apt_updated" = 0 ]; then
    apt-get update -q >/dev/null 2>&1 || return 1
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1
}

need_package() {
  # need_package COMMAND-OR-FILE PACKAGE...: make sure it exists, installing the packages.
  local probe=$1
  shift
  if command -v "$probe" >/dev/null 2>&1 || [ -e "$probe" ]; then
    return 0
  fi
  say "installing $* (apt)"
  if apt_install "$@" && { command -v "$probe" >/dev/null 2>&1 || [ -e "$probe" ]; }; then
    return 0
  fi
  say "missing: $probe (Debian package(s): $*); install it and run make test again"
  exit 1
}

# Browser tests: Debian's Chromium and its driver; fonts for Chinese text in screenshots.
need_package chromium chromium
need_package chromedriver chromium-driver
need_package /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc fonts-noto-cjk

# PostgreSQL: use the one answering on 127.0.0.1:5432; else start (or install) Debian's.
pg_up() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null; }
need_package pg_isready postgresql-client
if ! pg_up; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    say "installing postgresql (apt)"
    apt_install postgresql || { say "missing: PostgreSQL server (Debian package postgresql)"; exit 1; }
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n1)
  conf=/etc/postgresql/$version/main
  # Tests connect as postgres over TCP without a password (a throwaway test cluster).
  if ! grep -q "^host all all 127.0.0.1/32 trust" "$conf/pg_hba.conf" 2>/dev/null; then
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$conf/pg_hba.conf" 2>/dev/null || true
  fi
  say "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  pg_up || { say "PostgreSQL $version did not start on $PG_HOST:$PG_PORT (see /var/log/postgresql)"; exit 1; }
fi
if ! psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d test -Atqc "SELECT 1" >/dev/null 2>&1; then
  psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -qc "CREATE DATABASE test" >/dev/null 2>&1 ||
    { say "PostgreSQL on $PG_HOST:$PG_PORT: cannot reach or create database 'test' as postgres without a password"; exit 1; }
fi

# Redis: use the one answering on 127.0.0.1:6379; else start (or install) Debian's.
redis_up() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }
need_package redis-server redis-server
if ! redis_up; then
  say "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/test.log >/dev/null 2>&1 || true
  for _ in $(seq 1 20); do redis_up && break; sleep 0.5; done
  redis_up || { say "Redis did not start on 127.0.0.1:$REDIS_PORT (see /var/log/redis/test.log)"; exit 1; }
fi
exit 0
