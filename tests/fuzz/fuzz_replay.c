/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_replay.c - libFuzzer target for falcod's replay of its own captures: the capture
 * reader (runtime/rt_capture.c), state (rt_state.c), the interpreter and the alert outputs.
 *
 * Each input is a capture in memory (docs/capture.md). Before reading, the harness rewrites
 * the header's and every well-framed block's CRC32 to match their bytes, so mutations reach
 * the block payloads instead of stopping at "checksum mismatch" (the checks themselves are
 * unit tested). The state section is loaded into a fresh rt_state, then every event runs
 * through the small fixed ruleset of fuzz_engine.c; every alert is rendered as text and
 * JSON to /dev/null. The reader must reject bad input with an error, and nothing may crash,
 * leak, hit UB or hang. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "runtime/rt_capture.h"
#include "runtime/rt_engine.h"
#include "runtime/rt_event.h"
#include "runtime/rt_state.h"
#include "tests/fuzz/fuzz_engine.h"

#define HDR_FIXED 28     /* header bytes before the hostname (docs/capture.md) */
#define BLOCK_HEAD 8     /* type + length */
#define MAX_EVENTS 20000 /* per input, so one input cannot run for long */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_crc(uint8_t *buf, size_t n, uint8_t *at)
{
	uint32_t c = (uint32_t)crc32(crc32(0L, Z_NULL, 0), buf, (uInt)n);
	at[0] = (uint8_t)c;
	at[1] = (uint8_t)(c >> 8);
	at[2] = (uint8_t)(c >> 16);
	at[3] = (uint8_t)(c >> 24);
}

/* Makes the checksums of b (n bytes) right, for as far as the framing holds. */
static void fix_crcs(uint8_t *b, size_t n)
{
	if (n < HDR_FIXED)
		return;
	size_t hlen = (size_t)b[24] | (size_t)b[25] << 8;
	if (hlen > RT_CAPTURE_MAX_HOSTNAME || HDR_FIXED + hlen + 4 > n)
		return;
	put_crc(b, HDR_FIXED + hlen, b + HDR_FIXED + hlen);
	size_t off = HDR_FIXED + hlen + 4;
	while (off + BLOCK_HEAD <= n) {
		size_t len = get_u32(b + off + 4);
		if (len > RT_CAPTURE_MAX_BLOCK || len + BLOCK_HEAD + 4 > n - off)
			return;
		put_crc(b + off, BLOCK_HEAD + len, b + off + BLOCK_HEAD + len);
		off += BLOCK_HEAD + len + 4;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)fuzz_engine_get();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4 * 1024 * 1024)
		return -1;
	uint8_t *b = malloc(size ? size : 1);
	if (!b)
		return 0;
	memcpy(b, data, size);
	fix_crcs(b, size);
	char err[512];
	struct rt_capture_reader *r = rt_capture_open_mem(b, size, "fuzz.fcap", err, sizeof(err));
	if (!r) {
		free(b);
		return 0;
	}
	struct rt_engine *e = fuzz_engine_get();
	struct rt_state *s = rt_state_new();
	if (rt_capture_load_state(r, s) == 0) {
		struct rt_event ev;
		for (int i = 0; i < MAX_EVENTS && rt_capture_next(r, &ev) == 1; i++)
			rt_engine_process(e, s, &ev, fuzz_engine_render, NULL);
	}
	(void)rt_capture_error(r);
	rt_state_free(s);
	rt_capture_close(r);
	free(b);
	return 0;
}
