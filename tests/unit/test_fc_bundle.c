/* SPDX-License-Identifier: Apache-2.0 */
/* test_fc_bundle.c - rule bundles (compiler/fc_bundle.c): the hashes against known vectors,
 * a lossless round trip of the upstream rules, opaque sections, and refusals: every byte
 * region flipped, truncation at every section boundary, wrong version fields (with the
 * checksums made right again, as a genuine bundle of another build would have them). */
#include "compiler/fc.h"
#include "compiler/fc_bundle.h"
#include "suites.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef FC_COMPAT_DIR
#define FC_COMPAT_DIR "/work/shared/compat"
#endif

static const char small_rules[] =
	"- list: shells\n"
	"  items: [bash, sh, \"z sh\"]\n"
	"- macro: spawned\n"
	"  condition: evt.type in (execve, execveat) and evt.dir = <\n"
	"- rule: Shell spawned\n"
	"  desc: a shell \"started\"\n"
	"  condition: spawned and proc.name in (shells) and not proc.pname startswith sys\n"
	"  output: \"shell %proc.name (parent %proc.pname, ancestor %proc.aname[2]) in %container.id\"\n"
	"  priority: NOTICE\n"
	"  tags: [shell, T1059]\n"
	"  exceptions:\n"
	"    - name: trusted\n"
	"      fields: [proc.name, proc.cwd]\n"
	"      values: [[bash, /opt/]]\n"
	"- rule: Lower\n"
	"  desc: transformers and exists\n"
	"  condition: evt.type = openat and tolower(fd.name) = /etc/x and fd.name exists\n"
	"  output: \"%fd.name\"\n"
	"  priority: ERROR\n"
	"  enabled: false\n";

/* One bundle of the small rules, made once for the suite. */
static uint8_t *good;
static size_t goodlen;
static char small_path[64];

static void make_good(void)
{
	if (good)
		return;
	snprintf(small_path, sizeof(small_path), "/tmp/fc_bundle_test_XXXXXX");
	int fd = mkstemp(small_path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, small_rules, sizeof(small_rules) - 1),
			 (ssize_t)sizeof(small_rules) - 1);
	close(fd);
	struct fc_unit *u = fc_unit_new(NULL);
	struct fc_ruleset *rs = fc_load_files(u, (const char *const[]){ small_path }, 1);
	ck_assert_msg(fc_diag_count(u, FC_ERROR) == 0, "%s", fc_diag_first(u));
	struct fc_bundle_writer *w = fc_bundle_writer_new(u, rs, (const char *const[]){ small_path },
							  1, NULL);
	ck_assert_ptr_ne(w, NULL);
	static const uint8_t prog[13] = "prefilter...";
	ck_assert_int_eq(fc_bundle_add_section(w, FC_BUNDLE_SEC_PREFILTER, prog, sizeof(prog)), 0);
	void *out;
	ck_assert_int_eq(fc_bundle_writer_finish(w, &out, &goodlen), 0);
	good = out;
	fc_bundle_writer_free(w);
	fc_unit_free(u);
	unlink(small_path);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void wr32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Section boundaries of good: header offsets, payload offsets and lengths. */
struct sec {
	size_t hdr, off, len;
	uint32_t type;
};

static size_t sections(const uint8_t *d, size_t len, struct sec *out, size_t max)
{
	size_t pos = FC_BUNDLE_HEADER_SIZE, n = 0;
	uint32_t ns = rd32(d + 44);
	for (uint32_t i = 0; i < ns && n < max && pos + 24 <= len - 32; i++) {
		out[n].hdr = pos;
		out[n].type = rd32(d + pos);
		out[n].len = (size_t)rd64(d + pos + 8);
		out[n].off = pos + 24;
		pos = out[n].off + out[n].len + (8 - out[n].len % 8) % 8;
		n++;
	}
	return n;
}

/* Makes the CRCs and the trailer right again after an edit. */
static void refix(uint8_t *d, size_t len)
{
	struct sec s[16];
	size_t n = sections(d, len, s, 16);
	for (size_t i = 0; i < n; i++)
		if (s[i].off + s[i].len <= len - 32)
			wr32(d + s[i].hdr + 16, fc_crc32(d + s[i].off, s[i].len));
	fc_sha256(d, len - 32, d + len - 32);
}

/* Reads d into a fresh unit: NULL and the first diagnostic, or the bundle. */
static const char *refused(const uint8_t *d, size_t len)
{
	static char msg[1024];
	struct fc_unit *u = fc_unit_new(NULL);
	struct fc_bundle *b = fc_bundle_read(u, d, len, "t.fcb");
	if (b) {
		fc_unit_free(u);
		return NULL;
	}
	snprintf(msg, sizeof(msg), "%s", fc_diag_first(u));
	fc_unit_free(u);
	return msg;
}

START_TEST(sha256_and_crc32_vectors)
{
	uint8_t h[32];
	char hx[65];
	static const struct {
		const char *in, *out;
	} v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		fc_sha256(v[i].in, strlen(v[i].in), h);
		for (int j = 0; j < 32; j++)
			snprintf(hx + 2 * j, 3, "%02x", h[j]);
		ck_assert_str_eq(hx, v[i].out);
	}
	ck_assert_uint_eq(fc_crc32("123456789", 9), 0xcbf43926u);
}
END_TEST

START_TEST(small_round_trip)
{
	make_good();
	struct fc_unit *u = fc_unit_new(NULL);
	struct fc_bundle *b = fc_bundle_read(u, good, goodlen, "t.fcb");
	ck_assert_msg(b != NULL, "%s", fc_diag_first(u));
	struct fc_ruleset *rs = fc_bundle_ruleset(b);
	ck_assert_uint_eq(rs->nrules, 2);
	ck_assert_uint_eq(rs->nlists, 1);
	const struct fc_rule *r = rs->rules[0];
	ck_assert_str_eq(r->name, "Shell spawned");
	ck_assert_str_eq(r->desc, "a shell \"started\"");
	ck_assert_int_eq(r->priority, FC_PRIO_NOTICE);
	ck_assert_uint_eq(r->ntags, 2);
	ck_assert_str_eq(r->tags[1], "T1059");
	ck_assert(r->enabled && r->valid && r->ast);
	ck_assert_int_eq(r->src, FC_SRC_SYSCALL);
	ck_assert(!rs->rules[1]->enabled);
	const char *cond = fc_ast_unparse(u, r->ast);
	ck_assert_msg(strstr(cond, "proc.name in (bash, sh, \"z sh\")") != NULL, "%s", cond);
	ck_assert_msg(strstr(cond, "proc.cwd") != NULL, "exception lost: %s", cond);
	ck_assert_msg(strstr(fc_ast_unparse(u, rs->rules[1]->ast), "tolower(fd.name)") != NULL,
		      "%s", fc_ast_unparse(u, rs->rules[1]->ast));
	ck_assert_uint_eq(r->nparts, 8);
	ck_assert_str_eq(r->parts[5].field->field.name, "proc.aname");
	ck_assert_str_eq(r->parts[5].field->field.arg->s, "2");
	ck_assert_ptr_eq(r->parts[5].field->field.field, fc_field_lookup("proc.aname", 0, NULL));
	size_t n;
	const char *p = fc_bundle_section(b, FC_BUNDLE_SEC_PREFILTER, &n);
	ck_assert_uint_eq(n, 13);
	ck_assert_str_eq(p, "prefilter...");
	ck_assert_uint_eq((uintptr_t)p % 8, 0);
	ck_assert_ptr_eq(fc_bundle_section(b, FC_BUNDLE_SEC_BITCODE, &n), NULL);
	const struct fc_bundle_info *in = fc_bundle_info(b);
	ck_assert_uint_eq(in->ninputs, 1);
	ck_assert_str_eq(in->inputs[0].name, strrchr(small_path, '/') + 1);
	ck_assert_uint_eq(in->nmacros, 1);
	ck_assert(!in->evt_any);
	ck_assert_uint_eq(in->nevttypes, 2); /* execve, execveat: the openat rule is disabled */
	fc_unit_free(u);
}
END_TEST

/* Every upstream rule comes back with the same condition tree, outputs and metadata; the
 * ruleset sections of a bundle of the reloaded ruleset are the same bytes. */
START_TEST(upstream_lossless)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/falcosecurity-rules/rules/falco_rules.yaml", FC_COMPAT_DIR);
	struct fc_unit *u = fc_unit_new(NULL), *v = fc_unit_new(NULL);
	struct fc_ruleset *rs = fc_load_files(u, (const char *const[]){ path }, 1);
	ck_assert_uint_eq(fc_diag_count(u, FC_ERROR), 0);
	struct fc_bundle_writer *w = fc_bundle_writer_new(u, rs, (const char *const[]){ path }, 1,
							  NULL);
	void *d1, *d2;
	size_t l1, l2;
	ck_assert_int_eq(fc_bundle_writer_finish(w, &d1, &l1), 0);
	fc_bundle_writer_free(w);
	struct fc_bundle *b = fc_bundle_read(v, d1, l1, "up.fcb");
	ck_assert_msg(b != NULL, "%s", fc_diag_first(v));
	struct fc_ruleset *rs2 = fc_bundle_ruleset(b);
	ck_assert_uint_eq(rs2->nrules, rs->nrules);
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct fc_rule *a = rs->rules[i], *c = rs2->rules[i];
		ck_assert_str_eq(a->name, c->name);
		ck_assert(fc_ast_equal(a->ast, c->ast));
		ck_assert_str_eq(fc_ast_unparse(u, a->ast), fc_ast_unparse(v, c->ast));
		ck_assert_uint_eq(a->nparts, c->nparts);
	}
	w = fc_bundle_writer_new(v, rs2, NULL, 0, NULL);
	ck_assert_int_eq(fc_bundle_writer_finish(w, &d2, &l2), 0);
	fc_bundle_writer_free(w);
	struct fc_unit *x = fc_unit_new(NULL);
	struct fc_bundle *b2 = fc_bundle_read(x, d2, l2, "again.fcb");
	ck_assert_ptr_ne(b2, NULL);
	for (uint32_t t = FC_BUNDLE_SEC_LISTS; t <= FC_BUNDLE_SEC_EVTTYPES; t++) {
		size_t n1, n2;
		const void *s1 = fc_bundle_section(b, t, &n1), *s2 = fc_bundle_section(b2, t, &n2);
		ck_assert_uint_eq(n1, n2);
		ck_assert_int_eq(memcmp(s1, s2, n1), 0);
	}
	free(d1);
	free(d2);
	fc_unit_free(x);
	fc_unit_free(v);
	fc_unit_free(u);
}
END_TEST

START_TEST(sections_api)
{
	struct fc_unit *u = fc_unit_new(NULL);
	struct fc_ruleset *rs = fc_arena_alloc(u, sizeof(*rs));
	void *d[2];
	size_t l[2];
	for (int k = 0; k < 2; k++) {
		struct fc_bundle_writer *w = fc_bundle_writer_new(u, rs, NULL, 0, NULL);
		uint32_t first = k ? 40 : FC_BUNDLE_SEC_PREFILTER;
		uint32_t second = k ? FC_BUNDLE_SEC_PREFILTER : 40;
		ck_assert_int_eq(fc_bundle_add_section_flags(w, first, first == 40, "a", 1), 0);
		ck_assert_int_eq(fc_bundle_add_section_flags(w, second, second == 40, "a", 1), 0);
		ck_assert_int_eq(fc_bundle_add_section(w, FC_BUNDLE_SEC_PREFILTER, "b", 1), -EEXIST);
		ck_assert_int_eq(fc_bundle_add_section(w, FC_BUNDLE_SEC_RULES, "b", 1), -EINVAL);
		ck_assert_int_eq(fc_bundle_writer_finish(w, &d[k], &l[k]), 0);
		fc_bundle_writer_free(w);
	}
	ck_assert_uint_eq(l[0], l[1]);
	ck_assert_int_eq(memcmp(d[0], d[1], l[0]), 0); /* call order does not show */
	/* an unknown type marked optional is skipped by the reader */
	ck_assert_ptr_eq(refused(d[0], l[0]), NULL);
	free(d[0]);
	free(d[1]);
	fc_unit_free(u);
}
END_TEST

/* One byte flipped in each region of the file: refused, with the damage located. */
static const struct {
	const char *what;
	int sec;        /* -1: a header offset; else the section index */
	long off;       /* header offset, or offset within the section (<0: from the end) */
	bool in_payload;
	const char *msg;
} flips[] = {
	{ "magic", -1, 0, false, "not a bundle" },
	{ "format version", -1, 8, false, "format version" },
	{ "header size", -1, 12, false, "header size" },
	{ "abi version", -1, 16, false, "damage is in the header" },
	{ "engine version", -1, 22, false, "damage is in the header" },
	{ "compiler version", -1, 30, false, "damage is in the header" },
	{ "section count", -1, 44, false, "checksum mismatch" },
	{ "file size", -1, 48, false, "the header says" },
	{ "fields hash", -1, 60, false, "damage is in the header" },
	{ "evttypes hash", -1, 100, false, "damage is in the header" },
	{ "header flags", -1, 121, false, "damage is in the header" },
	{ "META type", 0, 0, false, "section" },
	{ "META length", 0, 8, false, "section" },
	{ "META crc", 0, 16, false, "META at offset" },
	{ "META payload", 0, 3, true, "section META at offset" },
	{ "LISTS payload", 1, 10, true, "section LISTS at offset" },
	{ "RULES payload start", 2, 0, true, "section RULES at offset" },
	{ "RULES payload middle", 2, 200, true, "section RULES at offset" },
	{ "RULES payload end", 2, -1, true, "section RULES at offset" },
	{ "EVTTYPES payload", 3, 2, true, "section EVTTYPES at offset" },
	{ "PREFILTER payload", 4, 5, true, "section PREFILTER at offset" },
	{ "trailer", -2, 0, false, "checksum mismatch" },
};

START_TEST(flipped_byte_refused)
{
	make_good();
	struct sec s[16];
	size_t ns = sections(good, goodlen, s, 16);
	ck_assert_uint_eq(ns, 5);
	size_t at;
	if (flips[_i].sec == -1)
		at = (size_t)flips[_i].off;
	else if (flips[_i].sec == -2)
		at = goodlen - 7;
	else if (flips[_i].in_payload)
		at = s[flips[_i].sec].off + (flips[_i].off < 0 ? s[flips[_i].sec].len - 1
							       : (size_t)flips[_i].off);
	else
		at = s[flips[_i].sec].hdr + (size_t)flips[_i].off;
	uint8_t *d = malloc(goodlen);
	memcpy(d, good, goodlen);
	d[at] ^= 0x10;
	const char *m = refused(d, goodlen);
	ck_assert_msg(m != NULL, "%s: byte %zu flipped, bundle accepted", flips[_i].what, at);
	ck_assert_msg(strstr(m, "t.fcb: bundle refused") && strstr(m, flips[_i].msg),
		      "%s: %s", flips[_i].what, m);
	free(d);
}
END_TEST

/* Truncated at every section boundary (and inside the header and the trailer). */
START_TEST(truncated_refused)
{
	make_good();
	struct sec s[16];
	size_t ns = sections(good, goodlen, s, 16);
	size_t cuts[64], n = 0;
	cuts[n++] = 0;
	cuts[n++] = 5;
	cuts[n++] = 8;
	cuts[n++] = 60;
	for (size_t i = 0; i < ns; i++) {
		cuts[n++] = s[i].hdr;
		cuts[n++] = s[i].hdr + 10;
		cuts[n++] = s[i].off;
		cuts[n++] = s[i].off + s[i].len;
	}
	cuts[n++] = goodlen - 32;
	cuts[n++] = goodlen - 1;
	for (size_t i = 0; i < n; i++) {
		const char *m = refused(good, cuts[i]);
		ck_assert_msg(m != NULL, "cut at %zu accepted", cuts[i]);
		ck_assert_msg(strstr(m, "truncated"), "cut at %zu: %s", cuts[i], m);
	}
	/* one byte too many */
	uint8_t *d = malloc(goodlen + 1);
	memcpy(d, good, goodlen);
	d[goodlen] = 0;
	const char *m = refused(d, goodlen + 1);
	ck_assert_msg(m && strstr(m, "the header says"), "%s", m ? m : "accepted");
	free(d);
}
END_TEST

/* Wrong versions in a bundle whose checksums are right: refused as incompatible. */
static const struct {
	const char *what;
	size_t off;
	uint8_t val;
	const char *msg;
} versions[] = {
	{ "format version 2", 8, 2, "format version 2, this build reads version 1" },
	{ "abi version", 16, 99, "event ABI version 99" },
	{ "engine major", 21, 1, "newer than this engine" },
	{ "fields hash", 70, 0x5a, "another field registry" },
	{ "evttypes hash", 90, 0x5a, "another event-type table" },
	{ "section type unknown", FC_BUNDLE_HEADER_SIZE + 0, 9, "unknown section type 9" },
	{ "header flags", 120, 1, "unknown header flags" },
};

START_TEST(wrong_version_refused)
{
	make_good();
	uint8_t *d = malloc(goodlen);
	memcpy(d, good, goodlen);
	d[versions[_i].off] = versions[_i].val;
	refix(d, goodlen);
	const char *m = refused(d, goodlen);
	ck_assert_msg(m != NULL, "%s accepted", versions[_i].what);
	ck_assert_msg(strstr(m, versions[_i].msg), "%s: %s", versions[_i].what, m);
	free(d);
}
END_TEST

/* Damage inside a section with its CRC and the trailer made right: the decoder refuses it
 * with the section and the item. */
START_TEST(bad_contents_refused)
{
	make_good();
	struct sec s[16];
	sections(good, goodlen, s, 16);
	uint8_t *d = malloc(goodlen);
	/* the rule count of RULES made huge */
	memcpy(d, good, goodlen);
	wr32(d + s[2].off, 0x10000000);
	refix(d, goodlen);
	const char *m = refused(d, goodlen);
	ck_assert_msg(m && strstr(m, "section RULES") && strstr(m, "cannot fit"), "%s", m);
	/* the first rule's name length past the section */
	memcpy(d, good, goodlen);
	wr32(d + s[2].off + 4, 0x7fffffff);
	refix(d, goodlen);
	m = refused(d, goodlen);
	ck_assert_msg(m && strstr(m, "section RULES, rule 0") && strstr(m, "bytes needed"), "%s", m);
	/* the META rule count disagrees */
	memcpy(d, good, goodlen);
	wr32(d + s[0].off + s[0].len - 12, 3);
	refix(d, goodlen);
	m = refused(d, goodlen);
	ck_assert_msg(m && strstr(m, "2 rules, META says 3"), "%s", m);
	/* LISTS labelled META again: repeated section */
	memcpy(d, good, goodlen);
	wr32(d + s[1].hdr, FC_BUNDLE_SEC_META);
	refix(d, goodlen);
	m = refused(d, goodlen);
	ck_assert_msg(m && strstr(m, "out of order or repeated"), "%s", m);
	free(d);
}
END_TEST

Suite *fc_bundle_suite(void)
{
	Suite *s = suite_create("fc_bundle");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, sha256_and_crc32_vectors);
	tcase_add_test(tc, small_round_trip);
	tcase_add_test(tc, upstream_lossless);
	tcase_add_test(tc, sections_api);
	tcase_add_loop_test(tc, flipped_byte_refused, 0, sizeof(flips) / sizeof(flips[0]));
	tcase_add_test(tc, truncated_refused);
	tcase_add_loop_test(tc, wrong_version_refused, 0, sizeof(versions) / sizeof(versions[0]));
	tcase_add_test(tc, bad_contents_refused);
	suite_add_tcase(s, tc);
	return s;
}
