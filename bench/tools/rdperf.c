/*
 * rdperf: a librdkafka load generator for bench/broker.ts (issues 4 and 8). It exists because the
 * Python and kcat drivers of librdkafka cost more per record than librdkafka itself: here the work
 * per record outside librdkafka is one function call. Every mode prints one JSON line on stdout;
 * diagnostics go to stderr. Exit 0: the run completed; 1: setup failed (no JSON); 2: the run ended
 * with errors (the JSON's "error" says which).
 *
 *   rdperf produce --brokers H:P --topic T --size B --count N --acks A [--linger-ms 5]
 *                  [--batch-size 1000000] [--partition 0] [--partitions 1] [--payload fixed|text]
 *                  [--start-at-ns T] [--timeout-s 120] [-X key=value ...]
 *   rdperf consume --brokers H:P --topic T --count N [--partition 0] [--partitions 1]
 *                  [--fetch-max-bytes 52428800] [-X ...]
 *   rdperf e2e     --brokers H:P --topic T --rate-mbps R --size B --seconds S [--warmup-seconds 1]
 *
 * produce: N records of B bytes, no key, record i to partition P + i % N (--partition P,
 * --partitions N; explicit round-robin, because librdkafka's default partitioner sends null-key
 * records to one sticky partition at a time). The payload is handed to librdkafka without a copy:
 * "fixed" is one buffer of 'x' for every record; "text" gives record i its own window of a 16 MiB
 * pool of pseudo-words, so a compressor sees distinct records with text's redundancy. The clock
 * runs from the first produce call to the last delivery report; a metadata request connects to
 * the broker before it starts. With acks=0 a delivery report means only that the request was
 * written to the socket, so the clock runs on until the partitions' high watermarks have grown by
 * the records delivered (ListOffsets polled every ms; concurrent producers to the same partitions
 * make that end early). consume: the legacy simple consumer (no group) from offset 0 of
 * partitions P..P+N-1, all on one queue; the clock runs from consume_start to the N-th record.
 * Throughput lines carry startNs/endNs (CLOCK_MONOTONIC, shared by the machine's processes), so a
 * driver running several rdperf at once can time them together; --start-at-ns T (CLOCK_MONOTONIC)
 * makes produce connect first and start its clock at T, so they also start together.
 * e2e: a producer (acks=all, linger.ms=0) at a fixed rate and a consumer at the tail on its own
 * thread; each value starts with its CLOCK_MONOTONIC send time, read just before the produce call.
 * -X sets any librdkafka property; named flags and -X apply in order, after the mode's defaults.
 *
 * Build: cc -O2 -o rdperf bench/tools/rdperf.c -lrdkafka -lpthread
 */
#define _GNU_SOURCE
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_CONF 64

struct options {
  const char *mode, *brokers, *topic, *acks;
  const char *payload;
  long size, count;
  int partition, partitions;
  double rate_mbps, seconds, warmup_seconds, timeout_s;
  int64_t start_at_ns;
  const char *conf[MAX_CONF][2];
  int nconf;
};

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("rdperf: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The first error that ends a run, reported by librdkafka through error_cb or found by a mode. */
static char run_error[512];
static void set_error(const char *fmt, ...) {
  if (run_error[0]) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(run_error, sizeof run_error, fmt, ap);
  va_end(ap);
}

static void error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
  (void)rk, (void)opaque;
  fprintf(stderr, "rdperf: librdkafka: %s: %s\n", rd_kafka_err2name(err), reason);
  if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || err == RD_KAFKA_RESP_ERR__FATAL)
    set_error("%s: %s", rd_kafka_err2name(err), reason);
}

/* The settings each client got beyond librdkafka's defaults, printed in the JSON ("settings"). */
#define MAX_APPLIED 128
static struct {
  const char *client, *key, *value;
} applied[MAX_APPLIED];
static int napplied;

static void conf_set(rd_kafka_conf_t *conf, const char *client, const char *key, const char *value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key, value, err, sizeof err) != RD_KAFKA_CONF_OK) die("config %s=%s: %s", key, value, err);
  int i = 0;
  while (i < napplied && (strcmp(applied[i].client, client) || strcmp(applied[i].key, key))) i++;
  if (i == MAX_APPLIED) die("more than %d settings", MAX_APPLIED);
  if (i == napplied) napplied++;
  applied[i].client = client, applied[i].key = key, applied[i].value = value;
}

/* defaults is {key, value, ..., NULL}; the user's settings are applied after it, so they win. */
static rd_kafka_t *new_client(rd_kafka_type_t type, const struct options *o, const char **defaults,
                              void (*dr_cb)(rd_kafka_t *, const rd_kafka_message_t *, void *)) {
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  const char *client = type == RD_KAFKA_PRODUCER ? "producer" : "consumer";
  char err[512];
  if (rd_kafka_conf_set(conf, "bootstrap.servers", o->brokers, err, sizeof err) != RD_KAFKA_CONF_OK)
    die("bootstrap.servers=%s: %s", o->brokers, err);
  for (int i = 0; defaults[i]; i += 2) conf_set(conf, client, defaults[i], defaults[i + 1]);
  for (int i = 0; i < o->nconf; i++) conf_set(conf, client, o->conf[i][0], o->conf[i][1]);
  rd_kafka_conf_set_error_cb(conf, error_cb);
  if (dr_cb) rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
  rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof err);
  if (!rk) die("rd_kafka_new: %s", err);
  return rk;
}

/* Opens the topic and waits for its metadata: the broker is connected and the partition exists. */
static rd_kafka_topic_t *open_topic(rd_kafka_t *rk, const struct options *o) {
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->topic, NULL);
  if (!rkt) die("rd_kafka_topic_new %s: %s", o->topic, rd_kafka_err2str(rd_kafka_last_error()));
  const struct rd_kafka_metadata *md;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
  if (err) die("metadata for %s from %s: %s", o->topic, o->brokers, rd_kafka_err2str(err));
  int ok = md->topic_cnt == 1 && !md->topics[0].err && o->partition + o->partitions <= md->topics[0].partition_cnt;
  rd_kafka_resp_err_t terr = md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR_NO_ERROR;
  rd_kafka_metadata_destroy(md);
  if (!ok)
    die("topic %s partitions %d..%d not found: %s", o->topic, o->partition, o->partition + o->partitions - 1,
        rd_kafka_err2str(terr));
  return rkt;
}

static void print_json_string(const char *s) {
  if (!s || !*s) {
    fputs("null", stdout);
    return;
  }
  putchar('"');
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') printf("\\%c", *s);
    else if ((unsigned char)*s < 0x20) printf("\\u%04x", *s);
    else putchar(*s);
  }
  putchar('"');
}

static void print_settings(void) {
  const char *clients[] = {"producer", "consumer"};
  int printed = 0;
  fputs("\"settings\":{", stdout);
  for (int c = 0; c < 2; c++) {
    int n = 0;
    for (int i = 0; i < napplied; i++) {
      if (strcmp(applied[i].client, clients[c])) continue;
      if (n++ == 0) printf("%s\"%s\":{", printed++ ? "," : "", clients[c]);
      else putchar(',');
      print_json_string(applied[i].key);
      putchar(':');
      print_json_string(applied[i].value);
    }
    if (n) putchar('}');
  }
  putchar('}');
}

/* MBps counts payload bytes (values), as the bench's other rows do. clock names the clock's end. */
static void print_throughput(const char *mode, const struct options *o, long records, long bytes, int64_t start_ns,
                             int64_t end_ns, const char *clock, long errors) {
  double seconds = (end_ns - start_ns) / 1e9, s = seconds > 0 ? seconds : 1e-9;
  printf("{\"mode\":\"%s\",\"records\":%ld,\"bytes\":%ld,\"seconds\":%.6f,\"MBps\":%.3f,\"recordsPerSec\":%.1f,"
         "\"errors\":%ld,\"partitions\":%d,\"startNs\":%lld,\"endNs\":%lld,\"clockEnd\":\"%s\",",
         mode, records, bytes, seconds, bytes / 1e6 / s, records / s, errors, o->partitions, (long long)start_ns,
         (long long)end_ns, clock);
  print_settings();
  fputs(",\"error\":", stdout);
  print_json_string(run_error);
  puts("}");
}

/* ---- produce ---- */

static struct {
  long delivered, failed;
  int64_t last_ns;
} dr;

static void produce_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk, (void)opaque;
  if (m->err) {
    if (!dr.failed++) set_error("delivery failed: %s", rd_kafka_err2str(m->err));
  } else {
    dr.delivered++;
  }
  dr.last_ns = now_ns();
}

/* The value a client was given for key, or NULL (librdkafka's default). */
static const char *applied_value(const char *client, const char *key) {
  for (int i = 0; i < napplied; i++)
    if (!strcmp(applied[i].client, client) && !strcmp(applied[i].key, key)) return applied[i].value;
  return NULL;
}

/* Sum of the high watermarks of the run's partitions, or -1 (and the run's error) if one fails. */
static long high_watermarks(rd_kafka_t *rk, const struct options *o) {
  long sum = 0;
  for (int p = o->partition; p < o->partition + o->partitions; p++) {
    int64_t low, high;
    rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(rk, o->topic, p, &low, &high, 5000);
    if (err) {
      set_error("high watermark of %s-%d: %s", o->topic, p, rd_kafka_err2str(err));
      return -1;
    }
    sum += (long)high;
  }
  return sum;
}

static uint64_t xorshift64(uint64_t *s) {
  *s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
  return *s;
}

/* len bytes of words (2 to 9 lowercase letters, from a fixed dictionary of 256) separated by
 * spaces, the same on every run: compressible like text (lz4 -1 leaves 44%), not like a run of
 * one byte. */
static void fill_text(char *buf, size_t len) {
  uint64_t s = 0x9e3779b97f4a7c15ull;
  char words[256][9];
  int lengths[256];
  for (int w = 0; w < 256; w++) {
    lengths[w] = 2 + (int)(xorshift64(&s) % 8);
    for (int c = 0; c < lengths[w]; c++) words[w][c] = (char)('a' + xorshift64(&s) % 26);
  }
  size_t i = 0;
  while (i < len) {
    int w = (int)(xorshift64(&s) % 256);
    for (int c = 0; c < lengths[w] && i < len; c++) buf[i++] = words[w][c];
    if (i < len) buf[i++] = ' ';
  }
}

static int run_produce(const struct options *o) {
  const char *defaults[] = {"acks", o->acks, "linger.ms", "5", "batch.size", "1000000",
                            "queue.buffering.max.messages", "2000000", "queue.buffering.max.kbytes", "2097152",
                            "compression.type", "none", "enable.idempotence", "false", NULL};
  rd_kafka_t *rk = new_client(RD_KAFKA_PRODUCER, o, defaults, produce_dr);
  rd_kafka_topic_t *rkt = open_topic(rk, o);
  const char *acks = applied_value("producer", "acks");
  int acks0 = acks && !strcmp(acks, "0");
  long hwm0 = acks0 ? high_watermarks(rk, o) : 0;
  int text = !strcmp(o->payload, "text");
  size_t pool_len = text ? (size_t)(o->size > 8 << 20 ? 2 * o->size : 16 << 20) : (size_t)o->size;
  char *pool = malloc(pool_len);
  if (!pool) die("out of memory");
  if (text) fill_text(pool, pool_len);
  else memset(pool, 'x', pool_len);
  size_t windows = pool_len - o->size + 1; /* distinct payload offsets; 1 for "fixed" */
  if (o->start_at_ns > now_ns()) {
    struct timespec ts = {o->start_at_ns / 1000000000, o->start_at_ns % 1000000000};
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
  }
  int64_t t0 = now_ns(), deadline = t0 + (int64_t)(o->timeout_s * 1e9);
  long sent = 0;
  while (sent < o->count && !run_error[0]) {
    int32_t partition = o->partition + (int32_t)(sent % o->partitions);
    char *value = pool + (size_t)sent * o->size % windows;
    /* msgflags 0: librdkafka keeps the pointer, no copy and no free; the pool outlives the run. */
    if (rd_kafka_produce(rkt, partition, 0, value, o->size, NULL, 0, NULL) == 0) {
      if ((++sent & 1023) == 0) rd_kafka_poll(rk, 0);
      continue;
    }
    rd_kafka_resp_err_t err = rd_kafka_last_error();
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      set_error("produce: %s", rd_kafka_err2str(err));
      break;
    }
    rd_kafka_poll(rk, 1); /* the local queue is full: serve delivery reports until it drains */
    if (now_ns() > deadline) set_error("timed out after %ld of %ld records queued", sent, o->count);
  }
  int left_ms = (int)((deadline - now_ns()) / 1000000);
  if (rd_kafka_flush(rk, left_ms > 0 ? left_ms : 0) != RD_KAFKA_RESP_ERR_NO_ERROR)
    set_error("%d records not delivered within %.0f s", rd_kafka_outq_len(rk), o->timeout_s);
  long undelivered = o->count - dr.delivered - dr.failed;
  int64_t t1 = dr.last_ns ? dr.last_ns : now_ns();
  if (acks0 && !run_error[0]) {
    long held;
    while ((held = high_watermarks(rk, o)) >= 0 && held - hwm0 < dr.delivered) {
      if (now_ns() > deadline) {
        set_error("the high watermarks hold %ld of %ld records after %.0f s", held - hwm0, dr.delivered, o->timeout_s);
        break;
      }
      struct timespec ts = {0, 1000000};
      nanosleep(&ts, NULL);
    }
    t1 = now_ns();
  }
  print_throughput("produce", o, dr.delivered, dr.delivered * o->size, t0, t1,
                   acks0 ? "high watermark" : "last delivery report", dr.failed + undelivered);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  free(pool);
  return run_error[0] ? 2 : 0;
}

/* ---- consume ---- */

static struct {
  long records, bytes, errors;
  int64_t last_ns;
} cs;

static void consume_cb(rd_kafka_message_t *m, void *opaque) {
  long count = *(long *)opaque;
  if (m->err) {
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return;
    cs.errors++;
    set_error("consume: %s", rd_kafka_message_errstr(m));
    return;
  }
  if (cs.records >= count) return;
  cs.bytes += (long)m->len;
  if (++cs.records == count) cs.last_ns = now_ns();
}

static int run_consume(const struct options *o) {
  const char *defaults[] = {"fetch.max.bytes", "52428800", "max.partition.fetch.bytes", "8388608",
                            "receive.message.max.bytes", "1000000000", "queued.max.messages.kbytes", "2097151",
                            "queued.min.messages", "10000000", "fetch.wait.max.ms", "100", "enable.auto.commit",
                            "false", "enable.partition.eof", "false", "auto.offset.reset", "error", NULL};
  rd_kafka_t *rk = new_client(RD_KAFKA_CONSUMER, o, defaults, NULL);
  rd_kafka_topic_t *rkt = open_topic(rk, o);
  long count = o->count;
  rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
  int64_t t0 = now_ns(), deadline = t0 + (int64_t)(o->timeout_s * 1e9);
  for (int p = o->partition; p < o->partition + o->partitions; p++)
    if (rd_kafka_consume_start_queue(rkt, p, RD_KAFKA_OFFSET_BEGINNING, queue) == -1)
      die("consume_start %s-%d: %s", o->topic, p, rd_kafka_err2str(rd_kafka_last_error()));
  while (cs.records < count && !run_error[0]) {
    if (rd_kafka_consume_callback_queue(queue, 100, consume_cb, &count) == -1)
      set_error("consume_callback: %s", rd_kafka_err2str(rd_kafka_last_error()));
    rd_kafka_poll(rk, 0); /* serves error_cb */
    if (now_ns() > deadline) set_error("read %ld of %ld records in %.0f s", cs.records, count, o->timeout_s);
  }
  int64_t t1 = cs.records == count ? cs.last_ns : now_ns();
  for (int p = o->partition; p < o->partition + o->partitions; p++) rd_kafka_consume_stop(rkt, p);
  rd_kafka_queue_destroy(queue);
  print_throughput("consume", o, cs.records, cs.bytes, t0, t1, "last record", cs.errors + (count - cs.records));
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  return run_error[0] ? 2 : 0;
}

/* ---- e2e ---- */

enum { PRIMER = 0, WARMUP = 1, MEASURED = 2 };
struct stamp {
  int64_t sent_ns;
  int32_t kind;
};

static struct {
  rd_kafka_topic_t *rkt;
  int partition, stop, primed;
  long received, capacity, warmup_received;
  int64_t *latency_ns;
} e2e;

static void e2e_cb(rd_kafka_message_t *m, void *opaque) {
  (void)opaque;
  int64_t now = now_ns();
  struct stamp s;
  if (m->err || m->len < sizeof s) return;
  memcpy(&s, m->payload, sizeof s);
  if (s.kind == PRIMER) __atomic_store_n(&e2e.primed, 1, __ATOMIC_RELEASE);
  else if (s.kind == WARMUP) e2e.warmup_received++;
  else if (e2e.received < e2e.capacity) {
    e2e.latency_ns[e2e.received] = now - s.sent_ns;
    __atomic_store_n(&e2e.received, e2e.received + 1, __ATOMIC_RELEASE);
  }
}

static void *e2e_consumer(void *arg) {
  rd_kafka_t *rk = arg;
  while (!__atomic_load_n(&e2e.stop, __ATOMIC_ACQUIRE)) {
    if (rd_kafka_consume_callback(e2e.rkt, e2e.partition, 50, e2e_cb, NULL) == -1)
      set_error("consume_callback: %s", rd_kafka_err2str(rd_kafka_last_error()));
    rd_kafka_poll(rk, 0); /* serves error_cb */
  }
  return NULL;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* Nearest rank, as HdrHistogram reports it: the smallest value with at least p% at or below it. */
static double pct_ms(const int64_t *sorted, long n, double p) {
  long rank = (long)(p / 100.0 * n + 0.999999);
  return sorted[rank < 1 ? 0 : rank - 1] / 1e6;
}

static void produce_stamped(rd_kafka_t *rk, rd_kafka_topic_t *rkt, const struct options *o, char *buf, int kind,
                            long *errors) {
  struct stamp s = {now_ns(), kind};
  memcpy(buf, &s, sizeof s);
  while (rd_kafka_produce(rkt, o->partition, RD_KAFKA_MSG_F_COPY, buf, o->size, NULL, 0, NULL) == -1) {
    if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      if (!(*errors)++) set_error("produce: %s", rd_kafka_err2str(rd_kafka_last_error()));
      return;
    }
    rd_kafka_poll(rk, 1);
  }
}

static int run_e2e(const struct options *o) {
  if (o->size < (long)sizeof(struct stamp)) die("--size must be at least %zu for the send time", sizeof(struct stamp));
  const char *cdefaults[] = {"fetch.wait.max.ms", "100", "enable.auto.commit", "false", "socket.nagle.disable",
                             "true", NULL};
  const char *pdefaults[] = {"acks", "all", "linger.ms", "0", "enable.idempotence", "false",
                             "socket.nagle.disable", "true", NULL};
  rd_kafka_t *crk = new_client(RD_KAFKA_CONSUMER, o, cdefaults, NULL);
  rd_kafka_t *prk = new_client(RD_KAFKA_PRODUCER, o, pdefaults, produce_dr);
  e2e.rkt = open_topic(crk, o);
  e2e.partition = o->partition;
  rd_kafka_topic_t *prkt = open_topic(prk, o);
  double per_sec = o->rate_mbps * 1e6 / o->size;
  long warmup = (long)(per_sec * o->warmup_seconds), measured = (long)(per_sec * o->seconds);
  e2e.capacity = measured;
  e2e.latency_ns = malloc(sizeof(int64_t) * (measured > 0 ? measured : 1));
  char *buf = calloc(1, o->size);
  if (!e2e.latency_ns || !buf) die("out of memory");
  memset(buf + sizeof(struct stamp), 'x', o->size - sizeof(struct stamp));
  if (rd_kafka_consume_start(e2e.rkt, o->partition, RD_KAFKA_OFFSET_END) == -1)
    die("consume_start: %s", rd_kafka_err2str(rd_kafka_last_error()));
  pthread_t th;
  if (pthread_create(&th, NULL, e2e_consumer, crk)) die("pthread_create failed");

  long errors = 0, sent = 0;
  /* The consumer's first fetch takes a while (ListOffsets, then Fetch): send primers, not
   * measured, until one comes back, so the clock starts with the consumer at the tail. */
  int64_t primer_deadline = now_ns() + 20 * (int64_t)1000000000;
  while (!__atomic_load_n(&e2e.primed, __ATOMIC_ACQUIRE) && now_ns() < primer_deadline && !run_error[0]) {
    produce_stamped(prk, prkt, o, buf, PRIMER, &errors);
    rd_kafka_poll(prk, 100);
  }
  if (!e2e.primed) set_error("the consumer saw no primer record within 20 s");
  double interval_ns = 1e9 / per_sec;
  int64_t t0 = now_ns();
  /* Hard stop: 2 s of slack for a load generator that falls behind its schedule. */
  int64_t send_deadline = t0 + (int64_t)((o->warmup_seconds + o->seconds + 2) * 1e9);
  for (long i = 0; i < warmup + measured && !run_error[0]; i++) {
    int64_t due = t0 + (int64_t)(i * interval_ns);
    rd_kafka_poll(prk, 0);
    if (due > now_ns()) {
      struct timespec ts = {due / 1000000000, due % 1000000000};
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    }
    if (now_ns() > send_deadline) {
      set_error("the producer fell behind its schedule: %ld of %ld sent", i, warmup + measured);
      break;
    }
    produce_stamped(prk, prkt, o, buf, i < warmup ? WARMUP : MEASURED, &errors);
    if (i >= warmup) sent++;
  }
  double send_seconds = (now_ns() - t0) / 1e9;
  if (rd_kafka_flush(prk, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR)
    set_error("%d records not delivered within 10 s", rd_kafka_outq_len(prk));
  int64_t drain_deadline = now_ns() + 5 * (int64_t)1000000000;
  while (__atomic_load_n(&e2e.received, __ATOMIC_ACQUIRE) < sent && now_ns() < drain_deadline) {
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
  }
  __atomic_store_n(&e2e.stop, 1, __ATOMIC_RELEASE);
  pthread_join(th, NULL);
  long n = e2e.received;
  if (n < sent) set_error("received %ld of %ld measured records", n, sent);
  qsort(e2e.latency_ns, n, sizeof(int64_t), cmp_i64);
  double sum = 0;
  for (long i = 0; i < n; i++) sum += e2e.latency_ns[i];
  printf("{\"mode\":\"e2e\",\"rateMBps\":%g,\"size\":%ld,\"sent\":%ld,\"received\":%ld,\"warmupSent\":%ld,"
         "\"sendSeconds\":%.3f,\"produceErrors\":%ld,\"deliveryErrors\":%ld,\"latency\":",
         o->rate_mbps, o->size, sent, n, warmup, send_seconds, errors, dr.failed);
  if (n > 0)
    printf("{\"count\":%ld,\"meanMs\":%.3f,\"p50Ms\":%.3f,\"p90Ms\":%.3f,\"p99Ms\":%.3f,\"p999Ms\":%.3f,"
           "\"maxMs\":%.3f}",
           n, sum / n / 1e6, pct_ms(e2e.latency_ns, n, 50), pct_ms(e2e.latency_ns, n, 90),
           pct_ms(e2e.latency_ns, n, 99), pct_ms(e2e.latency_ns, n, 99.9), e2e.latency_ns[n - 1] / 1e6);
  else
    fputs("null", stdout);
  putchar(',');
  print_settings();
  fputs(",\"error\":", stdout);
  print_json_string(run_error);
  puts("}");
  rd_kafka_consume_stop(e2e.rkt, o->partition);
  rd_kafka_topic_destroy(e2e.rkt);
  rd_kafka_topic_destroy(prkt);
  rd_kafka_destroy(prk);
  rd_kafka_destroy(crk);
  free(buf);
  free(e2e.latency_ns);
  return run_error[0] ? 2 : 0;
}

/* ---- arguments ---- */

static void add_conf(struct options *o, const char *key, const char *value) {
  if (o->nconf == MAX_CONF) die("more than %d -X settings", MAX_CONF);
  o->conf[o->nconf][0] = key;
  o->conf[o->nconf++][1] = value;
}

static double number(const char *flag, const char *v) {
  char *end;
  double d = strtod(v, &end);
  if (*v == '\0' || *end != '\0' || d < 0) die("%s wants a non-negative number, not '%s'", flag, v);
  return d;
}

int main(int argc, char **argv) {
  struct options o = {.acks = "1", .payload = "fixed", .size = 1024, .count = 0, .partitions = 1, .rate_mbps = 10,
                      .seconds = 10, .warmup_seconds = 1, .timeout_s = 120};
  if (argc < 2) die("usage: rdperf produce|consume|e2e --brokers H:P --topic T [options] (see bench/tools/rdperf.c)");
  o.mode = argv[1];
  for (int i = 2; i < argc; i++) {
    const char *f = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) die("%s needs a value", f);
    i++;
    if (!strcmp(f, "--brokers")) o.brokers = v;
    else if (!strcmp(f, "--topic")) o.topic = v;
    else if (!strcmp(f, "--acks")) o.acks = v;
    else if (!strcmp(f, "--size")) o.size = (long)number(f, v);
    else if (!strcmp(f, "--count")) o.count = (long)number(f, v);
    else if (!strcmp(f, "--partition")) o.partition = (int)number(f, v);
    else if (!strcmp(f, "--partitions")) o.partitions = (int)number(f, v);
    else if (!strcmp(f, "--payload")) o.payload = v;
    else if (!strcmp(f, "--rate-mbps")) o.rate_mbps = number(f, v);
    else if (!strcmp(f, "--seconds")) o.seconds = number(f, v);
    else if (!strcmp(f, "--warmup-seconds")) o.warmup_seconds = number(f, v);
    else if (!strcmp(f, "--timeout-s")) o.timeout_s = number(f, v);
    else if (!strcmp(f, "--start-at-ns")) o.start_at_ns = (int64_t)number(f, v);
    else if (!strcmp(f, "--linger-ms")) add_conf(&o, "linger.ms", v);
    else if (!strcmp(f, "--batch-size")) add_conf(&o, "batch.size", v);
    else if (!strcmp(f, "--fetch-max-bytes")) add_conf(&o, "fetch.max.bytes", v);
    else if (!strcmp(f, "-X")) {
      char *eq = strchr(v, '=');
      if (!eq) die("-X wants key=value, not '%s'", v);
      *eq = '\0';
      add_conf(&o, v, eq + 1);
    } else die("unknown option %s", f);
  }
  if (!o.brokers || !o.topic) die("--brokers and --topic are required");
  if (o.size < 1) die("--size must be at least 1");
  if (o.partitions < 1) die("--partitions must be at least 1");
  if (strcmp(o.payload, "fixed") && strcmp(o.payload, "text")) die("--payload is fixed or text, not '%s'", o.payload);
  if (!strcmp(o.mode, "produce") || !strcmp(o.mode, "consume")) {
    if (o.count < 1) die("%s needs --count N (N >= 1)", o.mode);
    return o.mode[0] == 'p' ? run_produce(&o) : run_consume(&o);
  }
  if (!strcmp(o.mode, "e2e")) {
    if (o.rate_mbps <= 0 || o.seconds <= 0) die("e2e needs --rate-mbps > 0 and --seconds > 0");
    if (o.partitions != 1) die("e2e uses one partition (--partition P)");
    return run_e2e(&o);
  }
  die("unknown mode '%s' (produce, consume or e2e)", o.mode);
}
