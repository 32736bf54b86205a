/* SPDX-License-Identifier: Apache-2.0 */
/* fc_evttypes.c - the event type table expanded from fc_evttypes.def, and lookups by name.
 *
 * The table is constant data laid out at compile time; the .def keeps each of its two groups
 * (syscalls, then the rest) sorted, so a lookup is two binary searches and needs no index
 * built at run time. Deciding what an unknown name means for a rule is the type checker's
 * business, not this file's. */
#include "compiler/fc_evttypes.h"

#include <string.h>

struct fc_evt_entry {
	const char *name;
	unsigned char len;
	unsigned char flags;
};

static const struct fc_evt_entry fc_evts[FC_EVT_COUNT] = {
#define FC_EVT(name, flags) { #name, sizeof(#name) - 1, (flags) },
#include "compiler/fc_evttypes.def"
#undef FC_EVT
};

const char *fc_evttype_name(enum fc_evttype t)
{
	if ((unsigned)t >= FC_EVT_COUNT)
		return NULL;
	return fc_evts[t].name;
}

unsigned fc_evttype_flags(enum fc_evttype t)
{
	if ((unsigned)t >= FC_EVT_COUNT)
		return 0;
	return fc_evts[t].flags;
}

/* strcmp order between name[0..len) and e->name, without needing a NUL in name. */
static int fc_evt_cmp(const char *name, size_t len, const struct fc_evt_entry *e)
{
	size_t n = len < e->len ? len : e->len;
	int r = memcmp(name, e->name, n);
	if (r)
		return r;
	return (len > e->len) - (len < e->len);
}

/* Index of name in the sorted range [lo, hi) of fc_evts, or -1. */
static int fc_evt_search(const char *name, size_t len, int lo, int hi)
{
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		int r = fc_evt_cmp(name, len, &fc_evts[mid]);
		if (r == 0)
			return mid;
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

int fc_evttype_lookup(const char *name, size_t len)
{
	if (!name || len == 0)
		return -1;
	int i = fc_evt_search(name, len, 0, FC_EVT_NSYSCALL);
	if (i < 0)
		i = fc_evt_search(name, len, FC_EVT_NSYSCALL, FC_EVT_COUNT);
	return i;
}
