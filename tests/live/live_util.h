/* SPDX-License-Identifier: Apache-2.0 */
/* live_util.h - what the live tests share: checks, failing with errno, copying programs,
 * and the little JSON reading needed to pick falcod's alerts apart. */
#ifndef LIVE_UTIL_H
#define LIVE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Skips one JSON value starting at p (string, number, literal, object or array); returns the
 * byte after it. */
const char *live_json_skip(const char *p);
/* Skips spaces. */
const char *live_json_ws(const char *p);

/* The number of failed CHECKs; a test exits 1 when it is not 0. */
extern int live_failures;

/* Counts and prints a failed check (its place, the condition, a printf message); goes on. */
#define CHECK(cond, ...)                                                               \
	do {                                                                           \
		if (!(cond)) {                                                         \
			live_failures++;                                               \
			printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);         \
			printf(__VA_ARGS__);                                           \
			printf("\n");                                                  \
		}                                                                      \
	} while (0)

/* Loads the capture with opts (rt_bpf_open); prints why and exits 77 (ctest's skip) when
 * not root or without BTF/eBPF, prints the error and exits 1 on any other failure. */
struct rt_bpf;
struct rt_bpf_opts;
struct rt_bpf *live_bpf_open(const struct rt_bpf_opts *opts);

/* One alert line of falcod's JSON output: copies its rule to rule (cap bytes) and calls fn
 * for each member of its output_fields, in order, with the key and the raw JSON value (a
 * string keeps its quotes). False when the line has no rule or no output_fields object, a
 * member does not parse, or fn returns false. */
bool live_alert_parse(const char *line, char *rule, size_t cap,
		      bool (*fn)(void *ctx, const char *key, size_t klen, const char *val,
				 size_t vlen),
		      void *ctx);

/* Sleeps ms milliseconds. */
void live_msleep(int ms);
/* Prints "--- PATH" and the file (nothing when it cannot be read): falcod's stderr on a
 * failure. */
void live_show_file(const char *path);
/* Starts argv[0] with argv, its stdout and stderr to the files out and err; dies when it
 * cannot fork. */
pid_t live_spawn(char *const argv[], const char *out, const char *err);
/* Waits, up to timeout_ms, for the file ready to appear while process p runs (falcod's
 * --ready-file): false when p ended first or time ran out. */
bool live_wait_ready(pid_t p, const char *ready, int timeout_ms);

/* Writes a file (printf format); dies on failure. */
void live_write_file(const char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* What falcod printed on stderr at its end: "Prefilter: kept K, dropped D in the kernel" and
 * "dropped by the kernel (ring buffer full): N" (0 without the line). */
struct live_falcod_counts {
	unsigned long long pf_kept, pf_dropped, ring_drops;
};
/* Stops falcod p (SIGTERM, as a user would), waits for it and checks it exited 0; then reads
 * its counts from its stderr file err into c (may be NULL). what names the run. */
void live_stop_falcod(pid_t p, const char *err, const char *what,
		      struct live_falcod_counts *c);

/* Prints "FAIL: what: strerror(errno)" and exits 1. */
void live_die(const char *what) __attribute__((noreturn));
/* Copies a file (an executable: mode 0755); dies on failure. */
void live_copy_file(const char *from, const char *to);

#endif /* LIVE_UTIL_H */
