/* SPDX-License-Identifier: Apache-2.0 */
/* fc_check.h - the type checker: fields against the registry, operators against types,
 * values against what the field can hold. Works on resolved ASTs (macros and lists
 * expanded); reports through the unit's sink in the current item context. */
#ifndef FC_CHECK_H
#define FC_CHECK_H

#include <stdbool.h>
#include "compiler/fc_ast.h"
struct fc_output_part;

struct fc_check_result {
	int errors;             /* errors reported (or suppressed as already reported) */
	bool unknown;           /* an unknown field or event type was found */
	const char *unknown_name; /* the first one, and where it is */
	struct fc_loc unknown_loc;
};

/* Checks a condition for event source src. With skip_unknown, an unknown field is not an
 * error: the caller turns it into Falco's LOAD_UNKNOWN_FIELD warning and skips the rule. */
struct fc_check_result fc_check_condition(struct fc_unit *u, struct fc_node *n, int src,
					  bool skip_unknown);

/* Checks one field expression (a field with its argument, or a transformer): used for
 * exception fields and output templates. Returns false after reporting. */
bool fc_check_expr(struct fc_unit *u, struct fc_expr *e, int src, bool rhs, bool report,
		   bool *unknown);

/* Splits "name[arg]" or "name" into a field expression at loc. NULL if it is not one. */
struct fc_expr *fc_expr_from_text(struct fc_unit *u, const char *text, size_t len,
				  const struct fc_loc *loc);

/* Output templates: literal text and %field, %field[arg], %(field) parts. */
bool fc_output_parse(struct fc_unit *u, const char *text, size_t len,
		     struct fc_loc (*map)(const void *ctx, size_t off, size_t end), const void *ctx,
		     int src, bool skip_unknown, bool *unknown, struct fc_output_part **parts,
		     size_t *nparts);

#endif /* FC_CHECK_H */
