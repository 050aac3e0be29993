#!/usr/bin/env bash
# Installs what `npm run bench` drives beyond the test suite's own dependencies: the peers
# (redis-server for Redis Streams, nats-server for NATS JetStream) from Debian. kcat,
# confluent-kafka-python, and gcc with librdkafka-dev (for bench/tools/rdperf.c) come from
# scripts/ensure-test-deps.sh. Missing peers are reported as skipped by bench/peers.ts, so this is
# optional.
set -euo pipefail
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || missing+=(nats-server)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "bench peers need: ${missing[*]} (sudo apt-get install -y ${missing[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
# The Debian package starts a system redis on :6379; the bench starts its own, so stop that one.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then systemctl stop redis-server || true; fi
