"""A group consumer driven by the compat tests (run with /usr/bin/python3).

argv[1] is a JSON config: client ("confluent" = confluent-kafka/librdkafka, "kafka-python"),
bootstrap, group, topics, assignor ("range" | "roundrobin"), sessionTimeoutMs, heartbeatMs and an
optional instanceId (static membership, confluent only).
It commits every record synchronously after printing it, and reports on stdout as JSON lines:
  {"event": "assigned", "partitions": [[topic, partition], ...]}
  {"event": "revoked", "partitions": [...]}
  {"event": "record", "topic": t, "partition": p, "offset": o, "value": v}
  {"event": "closed"}
A line "close" on stdin closes the consumer cleanly (leaving the group) and exits.
"""
import json
import sys
import threading

cfg = json.loads(sys.argv[1])
closing = threading.Event()


def out(**kw):
    sys.stdout.write(json.dumps(kw) + "\n")
    sys.stdout.flush()


def watch_stdin():
    for line in sys.stdin:
        if line.strip() == "close":
            closing.set()
            return
    closing.set()


threading.Thread(target=watch_stdin, daemon=True).start()


def run_confluent():
    from confluent_kafka import Consumer

    conf = {
        "bootstrap.servers": cfg["bootstrap"],
        "group.id": cfg["group"],
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "session.timeout.ms": cfg["sessionTimeoutMs"],
        "heartbeat.interval.ms": cfg["heartbeatMs"],
        "partition.assignment.strategy": cfg["assignor"],
        "topic.metadata.refresh.interval.ms": 1000,
    }
    if cfg.get("instanceId"):
        conf["group.instance.id"] = cfg["instanceId"]
    c = Consumer(conf)

    def on_assign(consumer, parts):
        out(event="assigned", partitions=[[p.topic, p.partition] for p in parts])

    def on_revoke(consumer, parts):
        out(event="revoked", partitions=[[p.topic, p.partition] for p in parts])

    c.subscribe(cfg["topics"], on_assign=on_assign, on_revoke=on_revoke)
    while not closing.is_set():
        m = c.poll(0.05)
        if m is None or m.error():
            continue
        out(event="record", topic=m.topic(), partition=m.partition(), offset=m.offset(), value=m.value().decode())
        try:
            c.commit(message=m, asynchronous=False)
        except Exception as e:  # a rebalance in progress: the record may be redelivered
            out(event="commit-failed", error=str(e))
    c.close()
    out(event="closed")


def run_kafka_python():
    from kafka import ConsumerRebalanceListener, KafkaConsumer
    from kafka.coordinator.assignors.range import RangePartitionAssignor
    from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
    from kafka.structs import OffsetAndMetadata

    assignor = {"range": RangePartitionAssignor, "roundrobin": RoundRobinPartitionAssignor}[cfg["assignor"]]
    c = KafkaConsumer(
        bootstrap_servers=cfg["bootstrap"],
        group_id=cfg["group"],
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=cfg["sessionTimeoutMs"],
        heartbeat_interval_ms=cfg["heartbeatMs"],
        partition_assignment_strategy=[assignor],
        metadata_max_age_ms=1000,
    )

    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            out(event="revoked", partitions=[[p.topic, p.partition] for p in revoked])

        def on_partitions_assigned(self, assigned):
            out(event="assigned", partitions=[[p.topic, p.partition] for p in assigned])

    c.subscribe(cfg["topics"], listener=Listener())
    while not closing.is_set():
        batches = c.poll(timeout_ms=50)
        for tp, msgs in batches.items():
            for m in msgs:
                out(event="record", topic=m.topic, partition=m.partition, offset=m.offset, value=m.value.decode())
                try:
                    c.commit({tp: OffsetAndMetadata(m.offset + 1, None)})
                except Exception as e:  # a rebalance in progress: the record may be redelivered
                    out(event="commit-failed", error=str(e))
    c.close()
    out(event="closed")


if cfg["client"] == "confluent":
    run_confluent()
else:
    run_kafka_python()
