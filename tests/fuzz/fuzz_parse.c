/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_parse.c - libFuzzer target for the condition parser.
 *
 * Each input is one condition string, parsed in a fresh unit. An accepted condition is printed
 * back with fc_ast_unparse() and parsed again; the two trees must be equal, or the printer and
 * the parser disagree and we abort() so libFuzzer keeps the input. Crashes, leaks and UB are
 * caught by the sanitizers. No checking or loading belongs here: that is fuzz_load.c. */
#include "compiler/fc.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return -1; /* keep it out of the corpus */
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	struct fc_unit *u = fc_unit_new(NULL);
	if (!u) {
		free(text);
		return 0;
	}
	struct fc_node *n = fc_parse_condition(u, text);
	if (n) {
		const char *printed = fc_ast_unparse(u, n);
		struct fc_node *again = fc_parse_condition(u, printed);
		if (!again || !fc_ast_equal(n, again)) {
			fprintf(stderr, "fuzz_parse: unparse round trip failed\n  input:   %s\n"
					"  printed: %s\n  reparse: %s\n",
				text, printed, again ? fc_ast_sexpr(u, again) : "(syntax error)");
			if (!again && fc_diag_list(u))
				fprintf(stderr, "  %s\n", fc_diag_first(u));
			abort();
		}
	}
	fc_unit_free(u);
	free(text);
	return 0;
}
