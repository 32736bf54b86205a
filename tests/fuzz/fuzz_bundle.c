/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_bundle.c - libFuzzer target over the bundle reader (compiler/fc_bundle.c).
 *
 * Each input is read twice: as it is (the framing, CRC and checksum checks), and with its
 * section CRCs and SHA-256 trailer recomputed when its framing allows, so that mutations reach
 * the decoders of the sections behind the checksums. A bundle that loads is walked (every
 * rule's condition unparsed). Seeds are bundles of the upstream rules, written by the ctest. */
#include "compiler/fc.h"
#include "compiler/fc_bundle.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Recomputes the section CRCs, the size field and the trailer of d, as far as its framing
 * goes. */
static void refix(uint8_t *d, size_t len)
{
	if (len < FC_BUNDLE_HEADER_SIZE + FC_BUNDLE_TRAILER_SIZE)
		return;
	for (int i = 0; i < 8; i++)
		d[48 + i] = (uint8_t)((uint64_t)len >> (8 * i));
	size_t end = len - 32, pos = FC_BUNDLE_HEADER_SIZE;
	uint32_t ns = rd32(d + 44);
	for (uint32_t i = 0; i < ns && end - pos >= FC_BUNDLE_SECTION_HEADER_SIZE; i++) {
		uint64_t n = rd32(d + pos + 8) | (uint64_t)rd32(d + pos + 12) << 32;
		size_t off = pos + FC_BUNDLE_SECTION_HEADER_SIZE;
		if (n > end - off)
			break;
		uint32_t c = fc_crc32(d + off, (size_t)n);
		for (int k = 0; k < 4; k++)
			d[pos + 16 + k] = (uint8_t)(c >> (8 * k));
		pos = off + (size_t)(n + (8 - n % 8) % 8);
		if (pos > end)
			break;
	}
	fc_sha256(d, end, d + end);
}

static void one(const uint8_t *data, size_t size)
{
	struct fc_unit *u = fc_unit_new(NULL);
	struct fc_bundle *b = fc_bundle_read(u, data, size, "fuzz.fcb");
	if (b) {
		const struct fc_ruleset *rs = fc_bundle_ruleset(b);
		for (size_t i = 0; i < rs->nrules; i++)
			if (rs->rules[i]->ast)
				(void)fc_ast_unparse(u, rs->rules[i]->ast);
		(void)fc_bundle_section(b, FC_BUNDLE_SEC_PREFILTER, NULL);
	}
	fc_unit_free(u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	one(data, size);
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	refix(copy, size);
	one(copy, size);
	free(copy);
	return 0;
}
