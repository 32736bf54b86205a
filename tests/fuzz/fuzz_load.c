/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_load.c - libFuzzer target for the rules loader.
 *
 * Each input is one rules file, added as an in-memory source (nothing touches the disk),
 * loaded, resolved and type checked; every diagnostic is then rendered to /dev/null so the
 * caret and position code runs too. Only the sanitizers judge: the loader must reject bad
 * YAML with diagnostics, never crash, leak or hang. */
#include "compiler/fc.h"
#include "compiler/fc_rules.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 256 * 1024)
		return -1;
	struct fc_unit *u = fc_unit_new(NULL);
	if (!u)
		return 0;
	const struct fc_src *src = fc_src_add(u, "fuzz.yaml", (const char *)data, size);
	if (src) {
		struct fc_ruleset *rs = fc_arena_alloc(u, sizeof(*rs));
		fc_rules_load_file(u, rs, src);
		fc_rules_resolve(u, rs);
		for (const struct fc_diag *d = fc_diag_list(u); d; d = d->next) {
			fc_diag_render(u, d, devnull, false);
			fc_diag_render(u, d, devnull, true);
		}
	}
	fc_unit_free(u);
	return 0;
}
