/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_scap.c - libFuzzer target for the .scap reader (runtime/rt_scap.c).
 *
 * Each input is a capture in memory, plain or gzip-compressed: its state is loaded into a
 * fresh rt_state and every event is read and decoded again by rt_event_decode. The reader
 * must reject bad input with an error, never crash, leak or hang; every record it returns
 * must decode (a record that does not is a bug in the converter, so it aborts). */
#include "runtime/rt_scap.h"

#include <stdio.h>
#include <stdlib.h>

#include "bpf/fk_shared.h"
#include "runtime/rt_event.h"
#include "runtime/rt_state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	if (size > 4 * 1024 * 1024)
		return -1;
	struct rt_scap *r = rt_scap_open_mem(data, size, err, sizeof(err));
	if (!r)
		return 0;
	struct rt_state *s = rt_state_new();
	if (rt_scap_load_state(r, s, err, sizeof(err)) == 0) {
		const struct fk_event_hdr *h;
		while (rt_scap_next(r, &h, err, sizeof(err)) == 1) {
			struct rt_event ev;
			if (rt_event_decode(&ev, h, h->len, err, sizeof(err)) < 0) {
				fprintf(stderr, "record does not decode: %s\n", err);
				abort();
			}
			(void)rt_event_name(&ev);
		}
	}
	rt_state_free(s);
	rt_scap_close(r);
	return 0;
}
