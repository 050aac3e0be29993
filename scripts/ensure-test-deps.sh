#!/usr/bin/env bash
# Makes sure the system packages the test suite drives are present: kcat (librdkafka),
# kafka-python and confluent-kafka-python (Debian packages, visible to /usr/bin/python3),
# Apache ZooKeeper (for cluster tests), and a C compiler with librdkafka-dev (the bench's
# librdkafka load generator, bench/tools/rdperf.c, which the bench smoke test builds and runs).
# Installs them with apt-get when running as root.
set -euo pipefail
missing=()
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
/usr/bin/python3 -c 'import kafka' >/dev/null 2>&1 || missing+=(python3-kafka)
/usr/bin/python3 -c 'import confluent_kafka' >/dev/null 2>&1 || missing+=(python3-confluent-kafka)
[ -f /usr/share/java/zookeeper.jar ] || missing+=(zookeeper)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v cc >/dev/null 2>&1 || missing+=(gcc)
[ -f /usr/include/stdio.h ] || missing+=(libc6-dev)
[ -f /usr/include/librdkafka/rdkafka.h ] || missing+=(librdkafka-dev)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "The test suite needs these system packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing system packages for the test suite: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q "${missing[@]}"
