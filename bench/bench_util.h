/* SPDX-License-Identifier: Apache-2.0 */
/* bench_util.h - what every benchmark needs: a monotonic clock and min/median/mean. */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

struct bench_stats {
	double min, median, mean;
};

/* Milliseconds on the monotonic clock. */
double bench_now_ms(void);
/* Milliseconds of CPU the calling thread has used: what a single-threaded loop costs, without
 * the time it waited while other work on a shared machine had the CPU. */
double bench_thread_cpu_ms(void);
/* Milliseconds of CPU all threads of the process have used. */
double bench_process_cpu_ms(void);
/* Sorts v in place. */
struct bench_stats bench_stats_of(double *v, int n);
/* "  WHAT  min X ms  median Y ms  mean Z ms", WHAT padded to width. */
void bench_print_stats(const char *what, int width, double *v, int n);

#endif /* BENCH_UTIL_H */
