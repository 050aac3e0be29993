#!/usr/bin/env python3
"""Load generator for bench/broker.ts: confluent-kafka-python (librdkafka) producer, consumer and
produce-to-consume latency. Prints one JSON object on stdout. Started by the bench with
/usr/bin/python3; every mode is bounded by --count and --timeout.

  bench-confluent.py produce  BOOTSTRAP TOPIC --count N --size B --acks A
  bench-confluent.py consume  BOOTSTRAP TOPIC --count N
  bench-confluent.py e2e      BOOTSTRAP TOPIC --rate MBPS --size B --seconds S
"""
import argparse
import json
import struct
import sys
import threading
import time

from confluent_kafka import OFFSET_BEGINNING, OFFSET_END, Consumer, Producer, TopicPartition

p = argparse.ArgumentParser()
p.add_argument("mode", choices=["produce", "consume", "e2e"])
p.add_argument("bootstrap")
p.add_argument("topic")
p.add_argument("--count", type=int, default=100000)
p.add_argument("--size", type=int, default=1024)
p.add_argument("--acks", default="1")
p.add_argument("--rate", type=float, default=10.0)
p.add_argument("--seconds", type=float, default=10.0)
p.add_argument("--timeout", type=float, default=120.0)
a = p.parse_args()


def produce():
    # Batching settings as a throughput-minded user would set them (Kafka's own perf-test style).
    prod = Producer({
        "bootstrap.servers": a.bootstrap, "acks": a.acks, "linger.ms": 5, "batch.size": 1000000,
        "queue.buffering.max.messages": 2000000, "queue.buffering.max.kbytes": 2097152,
        "compression.type": "none", "enable.idempotence": False,
    })
    value = b"x" * a.size
    errors = [0]

    def on_delivery(err, msg):
        if err is not None:
            errors[0] += 1

    t0 = time.perf_counter()
    for _ in range(a.count):
        while True:
            try:
                prod.produce(a.topic, value, callback=on_delivery)
                break
            except BufferError:
                prod.poll(0.001)
    left = prod.flush(a.timeout)
    sec = time.perf_counter() - t0
    print(json.dumps({"count": a.count, "seconds": sec, "errors": errors[0], "undelivered": left}))


def consume():
    cons = Consumer({
        "bootstrap.servers": a.bootstrap, "group.id": "bench", "enable.auto.commit": False,
        "fetch.max.bytes": 52428800, "max.partition.fetch.bytes": 8388608, "fetch.wait.max.ms": 100,
        "queued.min.messages": 1000000,
    })
    md = cons.list_topics(a.topic, timeout=10)
    parts = list(md.topics[a.topic].partitions.keys())
    cons.assign([TopicPartition(a.topic, pt, OFFSET_BEGINNING) for pt in parts])
    n = 0
    nbytes = 0
    t0 = time.perf_counter()
    deadline = t0 + a.timeout
    while n < a.count and time.perf_counter() < deadline:
        # consume(n, t) waits until n messages or t: ask for no more than are left.
        for m in cons.consume(min(10000, a.count - n), 0.5):
            if m.error() is None:
                n += 1
                nbytes += len(m.value())
    sec = time.perf_counter() - t0
    cons.close()
    # At the deadline with fewer than --count: the caller compares count with what it asked for.
    print(json.dumps({"count": n, "bytes": nbytes, "seconds": sec}))


def e2e():
    # Fixed-rate producer (acks=all, no linger) and a consumer in the same process; each value
    # carries its send time, so latency = receive time - send time on the same clock.
    cons = Consumer({
        "bootstrap.servers": a.bootstrap, "group.id": "bench-e2e", "enable.auto.commit": False,
        "fetch.wait.max.ms": 100, "fetch.min.bytes": 1,
    })
    cons.assign([TopicPartition(a.topic, 0, OFFSET_END)])  # the bench creates the topic first
    prod = Producer({"bootstrap.servers": a.bootstrap, "acks": "all", "linger.ms": 0, "enable.idempotence": False})
    lat = []
    done = threading.Event()
    primed = threading.Event()
    total = int(a.rate * 1e6 / a.size * a.seconds)

    def consumer_loop():
        while not done.is_set() or len(lat) < total:
            # poll() returns at the first message; consume(n, 0) then drains what is already here
            # (consume(n, t) would hold messages back until n arrived, adding latency of its own).
            m = cons.poll(0.05)
            if m is None:
                continue
            for m in [m] + cons.consume(1000, 0):
                if m.error() is None:
                    now = time.perf_counter()
                    sent_at = struct.unpack(">d", m.value()[:8])[0]
                    if sent_at == 0.0:
                        primed.set()
                    else:
                        lat.append(now - sent_at)
            if done.is_set() and time.perf_counter() > stop_at:
                break

    stop_at = time.perf_counter() + a.seconds + 10
    th = threading.Thread(target=consumer_loop)
    th.start()
    # librdkafka's consumer takes a second or more to reach its first fetch: send primers (send
    # time 0, not measured) until one comes back, so the clock starts with the consumer at the tail.
    primer = struct.pack(">d", 0.0) + b"p" * (a.size - 8)
    deadline = time.perf_counter() + 20
    while not primed.is_set() and time.perf_counter() < deadline:
        prod.produce(a.topic, primer)
        prod.poll(0.1)
    pad = b"x" * (a.size - 8)
    interval = a.size / (a.rate * 1e6)
    t0 = time.perf_counter()
    for i in range(total):
        due = t0 + i * interval
        while True:
            now = time.perf_counter()
            if now >= due:
                break
            if due - now > 0.0005:
                prod.poll(0)
                time.sleep(0.0002)
        prod.produce(a.topic, struct.pack(">d", time.perf_counter()) + pad)
        if i % 64 == 0:
            prod.poll(0)
    undelivered = prod.flush(30)
    send_sec = time.perf_counter() - t0
    # The consumer gives up 10 s after the flush: records not seen by then count as lost
    # (received < sent), and the caller flags the row.
    stop_at = time.perf_counter() + 10
    done.set()
    th.join()
    cons.close()
    print(json.dumps({"sent": total, "received": len(lat), "undelivered": undelivered, "sendSeconds": send_sec,
                      "latencyMs": [x * 1000 for x in lat]}))


{"produce": produce, "consume": consume, "e2e": e2e}[a.mode]()
sys.stdout.flush()
