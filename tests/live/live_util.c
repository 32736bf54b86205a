/* SPDX-License-Identifier: Apache-2.0 */
/* live_util.c - helpers shared by the live tests. The JSON part is no parser: falcod's alerts
 * are one flat object per line, and the tests only need to step over values. */
#include "tests/live/live_util.h"
#include "runtime/rt_bpf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
