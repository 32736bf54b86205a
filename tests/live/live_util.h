/* SPDX-License-Identifier: Apache-2.0 */
/* live_util.h - what the live tests share: failing with errno, copying programs, and the
 * little JSON reading needed to pick falcod's alerts apart. */
#ifndef LIVE_UTIL_H
#define LIVE_UTIL_H

/* Skips one JSON value starting at p (string, number, literal, object or array); returns the
 * byte after it. */
const char *live_json_skip(const char *p);
/* Skips spaces. */
const char *live_json_ws(const char *p);

/* Prints "FAIL: what: strerror(errno)" and exits 1. */
void live_die(const char *what) __attribute__((noreturn));
/* Copies a file (an executable: mode 0755); dies on failure. */
void live_copy_file(const char *from, const char *to);

#endif /* LIVE_UTIL_H */
