/* SPDX-License-Identifier: Apache-2.0 */
/* fc_unit.h - the inside of struct fc_unit, shared by the compiler's own files only.
 * Programs use fc.h; they never see these members. */
#ifndef FC_UNIT_H
#define FC_UNIT_H

#include <stdarg.h>
#include "compiler/fc.h"

struct fc_chunk;

struct fc_unit {
	struct fc_options opts;
	struct fc_chunk *chunks;
	const char **interned;
	size_t ninterned, interned_cap;
	struct fc_diag *diags, **diag_tail;
	unsigned ndiags[3];
	const char *ctx_type, *ctx_name; /* Falco item context of following diagnostics */
	char *first_buf;                 /* fc_diag_first's rendering */
};

char *fc_arena_vprintf(struct fc_unit *u, const char *fmt, va_list ap);
/* A location spanning file bytes [off, end) of s. */
struct fc_loc fc_loc_at(const struct fc_src *s, unsigned off, unsigned end);

#endif /* FC_UNIT_H */
