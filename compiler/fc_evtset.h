/* SPDX-License-Identifier: Apache-2.0 */
/* fc_evtset.h - sets of event types, and the event types a checked condition may match.
 * For each node the analysis gives the types on which it may be true (t) and may be false
 * (f): evt.type checks narrow them, any other check may go either way, `not` swaps them. */
#ifndef FC_EVTSET_H
#define FC_EVTSET_H

#include <stdbool.h>
#include <stdint.h>
#include "compiler/fc_ast.h"
#include "compiler/fc_evttypes.h"

#define FC_EVTSET_WORDS ((FC_EVT_COUNT + 63) / 64)
struct fc_evtset {
	uint64_t w[FC_EVTSET_WORDS];
};

void fc_evtset_all(struct fc_evtset *s);
unsigned fc_evtset_count(const struct fc_evtset *s);
bool fc_evtset_has(const struct fc_evtset *s, int e);
/* n must be type checked (evt.type fields resolved). */
void fc_evtset_of(const struct fc_node *n, struct fc_evtset *t, struct fc_evtset *f);

#endif /* FC_EVTSET_H */
