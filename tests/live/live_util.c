/* SPDX-License-Identifier: Apache-2.0 */
/* live_util.c - helpers shared by the live tests. The JSON part is no parser: falcod's alerts
 * are one flat object per line, and the tests only need to step over values. */
#include "tests/live/live_util.h"
#include "runtime/rt_bpf.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int live_failures;

void live_die(const char *what)
{
	printf("FAIL: %s: %s\n", what, strerror(errno));
	exit(1);
}

struct rt_bpf *live_bpf_open(const struct rt_bpf_opts *opts)
{
	static char err[16384];
	struct rt_bpf *b;
	int rc = rt_bpf_open(&b, opts, err, sizeof(err));
	if (rc == -EPERM || rc == -ENOTSUP) {
		printf("SKIP: %s\n", err);
		exit(77);
	}
	if (rc < 0) {
		printf("FAIL: rt_bpf_open: %s\n", err);
		exit(1);
	}
	return b;
}

bool live_alert_parse(const char *line, char *rule, size_t cap,
		      bool (*fn)(void *ctx, const char *key, size_t klen, const char *val,
				 size_t vlen),
		      void *ctx)
{
	const char *p = strstr(line, "\"rule\":\"");
	if (!p)
		return false;
	p += 8;
	snprintf(rule, cap, "%.*s", (int)strcspn(p, "\""), p);
	p = strstr(line, "\"output_fields\":");
	if (!p || *(p = live_json_ws(p + 16)) != '{')
		return false;
	p = live_json_ws(p + 1);
	while (*p == '"') {
		const char *k = p + 1;
		size_t kl = strcspn(k, "\"");
		p = live_json_ws(k + kl + 1);
		if (*p != ':')
			return false;
		p = live_json_ws(p + 1);
		const char *v = p;
		p = live_json_skip(p);
		if (!fn(ctx, k, kl, v, (size_t)(p - v)))
			return false;
		p = live_json_ws(p);
		if (*p == ',')
			p = live_json_ws(p + 1);
	}
	return true;
}

void live_msleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

void live_show_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	if (!f)
		return;
	printf("--- %s\n", path);
	while (fgets(line, sizeof(line), f))
		fputs(line, stdout);
	fclose(f);
}

pid_t live_spawn(char *const argv[], const char *out, const char *err)
{
	pid_t p = fork();
	if (p < 0)
		live_die("fork");
	if (p == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(o, 1);
		dup2(e, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	return p;
}

bool live_wait_ready(pid_t p, const char *ready, int timeout_ms)
{
	for (int waited = 0; waited < timeout_ms; waited += 50) {
		if (access(ready, F_OK) == 0)
			return true;
		if (waitpid(p, NULL, WNOHANG) == p)
			return false;
		live_msleep(50);
	}
	return access(ready, F_OK) == 0;
}

void live_write_file(const char *path, const char *fmt, ...)
{
	FILE *f = fopen(path, "w");
	if (!f)
		live_die(path);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	if (fclose(f) != 0)
		live_die(path);
}

void live_stop_falcod(pid_t p, const char *err, const char *what,
		      struct live_falcod_counts *c)
{
	kill(p, SIGTERM);
	int st;
	waitpid(p, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "falcod (%s) exit status %d", what, st);
	struct live_falcod_counts n = { 0 };
	FILE *f = fopen(err, "r");
	char line[1024];
	while (f && fgets(line, sizeof(line), f)) {
		const char *q = strstr(line, "Prefilter: kept ");
		if (q) {
			n.pf_kept = strtoull(q + 16, NULL, 10);
			if ((q = strstr(q, ", dropped ")))
				n.pf_dropped = strtoull(q + 10, NULL, 10);
		}
		if ((q = strstr(line, "dropped by the kernel (ring buffer full): ")))
			n.ring_drops = strtoull(q + 42, NULL, 10);
	}
	if (f)
		fclose(f);
	if (c)
		*c = n;
}

void live_copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (in < 0 || out < 0)
		live_die(from);
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			live_die(to);
	close(in);
	close(out);
}

const char *live_json_skip(const char *p)
{
	if (*p == '"') {
		for (p++; *p && *p != '"'; p++)
			if (*p == '\\' && p[1])
				p++;
		return *p ? p + 1 : p;
	}
	if (*p == '{' || *p == '[') {
		int depth = 0;
		bool str = false;
		for (; *p; p++) {
			if (str) {
				if (*p == '\\' && p[1])
					p++;
				else if (*p == '"')
					str = false;
			} else if (*p == '"') {
				str = true;
			} else if (*p == '{' || *p == '[') {
				depth++;
			} else if ((*p == '}' || *p == ']') && --depth == 0) {
				return p + 1;
			}
		}
		return p;
	}
	while (*p && *p != ',' && *p != '}' && *p != ']')
		p++;
	return p;
}

const char *live_json_ws(const char *p)
{
	while (*p == ' ')
		p++;
	return p;
}
