/* SPDX-License-Identifier: Apache-2.0 */
/* live_util.h - what the live tests share: checks, failing with errno, copying programs,
 * and the little JSON reading needed to pick falcod's alerts apart. */
#ifndef LIVE_UTIL_H
#define LIVE_UTIL_H

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

/* Prints "FAIL: what: strerror(errno)" and exits 1. */
void live_die(const char *what) __attribute__((noreturn));
/* Copies a file (an executable: mode 0755); dies on failure. */
void live_copy_file(const char *from, const char *to);

#endif /* LIVE_UTIL_H */
