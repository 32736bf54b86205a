/* SPDX-License-Identifier: Apache-2.0 */
/* bench_util.c - clock and statistics shared by the benchmarks. */
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

double bench_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

double bench_thread_cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

double bench_process_cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

struct bench_stats bench_stats_of(double *v, int n)
{
	struct bench_stats s = { 0 };
	double sum = 0;
	qsort(v, (size_t)n, sizeof(*v), bench_cmp_double);
	for (int i = 0; i < n; i++)
		sum += v[i];
	s.min = v[0];
	s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	s.mean = sum / n;
	return s;
}

void bench_print_stats(const char *what, int width, double *v, int n)
{
	struct bench_stats s = bench_stats_of(v, n);
	printf("  %-*s min %7.2f ms  median %7.2f ms  mean %7.2f ms\n", width, what, s.min,
	       s.median, s.mean);
}
