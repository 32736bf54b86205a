/* SPDX-License-Identifier: Apache-2.0 */
/* live_json.c - JSON skipping shared by the live tests (not a parser: falcod's alerts are one
 * flat object per line, and the tests only need to step over values). */
#include "tests/live/live_json.h"

#include <stdbool.h>

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
