/* SPDX-License-Identifier: Apache-2.0 */
/* test_fc_yaml.c - YAML trees, per-byte source maps and YAML errors (compiler/fc_yaml.c). */
#define _XOPEN_SOURCE 700 /* nftw */
#include "compiler/fc_yaml.h"
#include "compiler/fc_unit.h"
#include "suites.h"

#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FC_COMPAT_DIR
#define FC_COMPAT_DIR "/work/shared/compat"
#endif

static struct fc_unit *u;
static void setup(void)
{
	u = fc_unit_new(NULL);
}
static void teardown(void)
{
	fc_unit_free(u);
}

static const struct fc_src *src_of(const char *text)
{
	return fc_src_add(u, "<test>", text, strlen(text));
}

/* Loads text that must be valid YAML. */
static struct fc_ydoc *load_ok(const char *text, size_t *ndocs, const struct fc_src **srcp)
{
	const struct fc_src *s = src_of(text);
	struct fc_ydoc *docs;
	int rc = fc_yaml_load(u, s, &docs, ndocs);
	ck_assert_msg(rc == 0, "load failed: %s\n--- input:\n%s", fc_diag_first(u), text);
	ck_assert_uint_eq(fc_diag_count(u, FC_ERROR), 0);
	if (srcp)
		*srcp = s;
	return docs;
}

/* Follows a path like "0/condition" (sequence index or mapping key per step). */
static struct fc_ynode *path_get(struct fc_ynode *n, const char *path)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *tok = strtok(buf, "/"); tok && n; tok = strtok(NULL, "/")) {
		if (n->kind == FC_Y_SEQ) {
			size_t i = strtoul(tok, NULL, 10);
			n = i < n->seq.n ? n->seq.items[i] : NULL;
		} else {
			n = fc_ymap_get(n, tok);
		}
	}
	return n;
}

/* ---- The generic map property --------------------------------------------------------------
 * For every byte i of a scalar's value, src[map[i]] == value[i], except a folded ' ' or '\n'
 * (mapped to the line break it replaces) and escapes (mapped to their backslash). Offsets never
 * go back, two bytes share an offset only inside an escape, and map[len] is past map[len-1]. */
struct map_stats {
	unsigned scalars, lossy;
};

static bool is_break_at(const struct fc_src *s, unsigned off)
{
	unsigned char c = (unsigned char)s->text[off];
	return c == '\n' || c == '\r' ||
	       (c == 0xC2 && off + 1 < s->len && (unsigned char)s->text[off + 1] == 0x85);
}

/* Plain ifs in the loops: each passing ck_assert costs a message to the parent process. */
static void check_scalar_map(const struct fc_src *s, const struct fc_ynode *n, struct map_stats *st)
{
	st->scalars++;
	const unsigned *m = n->scalar.map;
	if (!m) {
		st->lossy++;
		return;
	}
	size_t len = n->scalar.len;
	for (size_t i = 0; i < len; i++) {
		unsigned char v = (unsigned char)n->scalar.s[i];
		if (m[i] >= s->len)
			ck_abort_msg("%s: map[%zu]=%u out of the file", s->path, i, m[i]);
		unsigned char r = (unsigned char)s->text[m[i]];
		bool escape = n->scalar.style == FC_YS_DOUBLE && r == '\\';
		bool fold = (v == ' ' || v == '\n') && is_break_at(s, m[i]);
		if (r != v && !escape && !fold)
			ck_abort_msg("%s:%u: value byte %zu of '%s' is 0x%02x, file has 0x%02x",
			             s->path, m[i], i, n->scalar.s, v, r);
		if (i > 0 && m[i] < m[i - 1])
			ck_abort_msg("%s: map goes back at byte %zu", s->path, i);
		if (i > 0 && m[i] == m[i - 1] && !escape)
			ck_abort_msg("%s:%u: bytes %zu and %zu of '%s' share an offset", s->path,
			             m[i], i - 1, i, n->scalar.s);
	}
	if (m[len] > s->len)
		ck_abort_msg("%s: map[len] out of the file", s->path);
	if (len && m[len] <= m[len - 1])
		ck_abort_msg("%s: map[len] not past the last byte", s->path);
}

static void check_maps(const struct fc_src *s, const struct fc_ynode *n, struct map_stats *st,
                       int depth)
{
	if (!n || depth > 1100)
		return;
	switch (n->kind) {
	case FC_Y_SCALAR:
		check_scalar_map(s, n, st);
		break;
	case FC_Y_SEQ:
		for (size_t i = 0; i < n->seq.n; i++)
			check_maps(s, n->seq.items[i], st, depth + 1);
		break;
	case FC_Y_MAP:
		for (size_t i = 0; i < n->map.n; i++) {
			check_maps(s, n->map.pairs[i].key, st, depth + 1);
			check_maps(s, n->map.pairs[i].value, st, depth + 1);
		}
		break;
	}
}

static void check_docs(const struct fc_src *s, const struct fc_ydoc *docs, size_t ndocs,
                       struct map_stats *st)
{
	for (size_t i = 0; i < ndocs; i++)
		check_maps(s, docs[i].root, st, 0);
}

/* ---- Positions inside scalars ------------------------------------------------------------- */

static const struct {
	const char *yaml, *path, *needle;
	int line, col;
} positions[] = {
	/* plain, one line */
	{ "condition: proc.name = bash\n", "condition", "bash", 1, 24 },
	/* plain, several lines: text, and the fold's ' ' at the line break it replaces */
	{ "- rule: r\n  condition: evt.type = execve\n    and proc.name = bash\n", "0/condition",
	  "proc.name", 3, 9 },
	{ "- rule: r\n  condition: evt.type = execve\n    and proc.name = bash\n",
	  "0/condition", " and", 2, 31 },
	{ "k: one   \n  two\n\n  three\n", "k", "three", 4, 3 },
	{ "k: one   \n  two\n\n  three\n", "k", "two", 2, 3 },
	{ "k: a\tb  c\n", "k", "c", 1, 9 },
	/* single-quoted, '' doubling, several lines */
	{ "k: 'it''s a ''test'' here'\n", "k", "here", 1, 22 },
	{ "k: 'it''s a ''test'' here'\n", "k", "'test", 1, 13 },
	{ "k: 'first\n   second line'\n", "k", "second", 2, 4 },
	{ "k: 'a  \n\n\n   b'\n", "k", "b", 4, 4 },
	/* double-quoted: escapes map to their backslash */
	{ "k: \"a\\tb\\\"c\\\" proc.name\"\n", "k", "proc.name", 1, 15 },
	{ "k: \"a\\tb\\\"c\\\" proc.name\"\n", "k", "\t", 1, 6 },
	{ "k: \"a\\tb\\\"c\\\" proc.name\"\n", "k", "c", 1, 11 },
	{ "k: \"\\u00e9t\\xe9 \\U0001F600 x\"\n", "k", "x", 1, 28 },
	{ "k: \"abc \\\n    def\n    ghi\"\n", "k", "def", 2, 5 },
	{ "k: \"abc \\\n    def\n    ghi\"\n", "k", "ghi", 3, 5 },
	{ "k: \"one\n\n  two\"\n", "k", "two", 3, 3 },
	/* literal | */
	{ "- macro: m\n  condition: |\n    proc.name in (a, b)\n    and fd.name = x\n",
	  "0/condition", "fd.name", 4, 9 },
	{ "k: |+\n  a\n   b\n\nx: 1\n", "k", "b", 3, 4 },
	{ "k: |-  # comment\n  a\n\n  last\n", "k", "last", 4, 3 },
	{ "- k: |2\n     x\n    y\n", "0/k", "x", 2, 6 },
	{ "- k: |2\n     x\n    y\n", "0/k", "y", 3, 5 },
	{ "k: |\n\n  \n  after empty lines\n", "k", "after", 4, 3 },
	/* folded >: a condition in a folded block */
	{ "- rule: r\n  condition: >\n    evt.type = execve and\n    proc.name = bash\n",
	  "0/condition", "proc.name", 4, 5 },
	{ "- rule: r\n  condition: >\n    evt.type = execve and\n    proc.name = bash\n",
	  "0/condition", "and proc", 3, 23 },
	{ "k: >-2\n    indented\n  normal\n  text\n\n  after blank\n", "k", "indented", 2, 5 },
	{ "k: >-2\n    indented\n  normal\n  text\n\n  after blank\n", "k", "normal", 3, 3 },
	{ "k: >-2\n    indented\n  normal\n  text\n\n  after blank\n", "k", "after", 6, 3 },
	{ "k: >+\n  a\n    more\n  b\n\n\n", "k", "b", 4, 3 },
	{ "k: >1-\n  x\n y\n", "k", "y", 3, 2 },
	/* flow collections */
	{ "items: [ \"x y\", 'z', plain  text , {k: \"v\\\"w\"} ]\n", "items/2", "text", 1, 29 },
	{ "items: [ \"x y\", 'z', plain  text , {k: \"v\\\"w\"} ]\n", "items/3/k", "w", 1, 44 },
	{ "list: [a, b,\n   c, \"d\n   e\"]\n", "list/3", "e", 3, 4 },
	{ "list: [a, b,\n   long\n   plain]\n", "list/2", "plain", 3, 4 },
	{ "- list: shells\n  items: [bash, zsh]\n", "0/items/1", "zsh", 2, 17 },
	/* line ends, UTF-8, BOM, properties */
	{ "k: |\r\n  a\r\n  b\r\n", "k", "b", 3, 3 },
	{ "k: one\r\n  two\r\n", "k", "two", 2, 3 },
	{ "\xc3\xa9: \xc3\xbc\nk: >\n  \xc3\x9f x\n", "k", "x", 3, 6 },
	{ "\xef\xbb\xbfk: v\n", "k", "v", 1, 7 },
	{ "k: &a !!str  value\n", "k", "value", 1, 14 },
	{ "k: !!str\n  multi\n  line\n", "k", "line", 3, 3 },
	{ "k: &a |\n  lit\n", "k", "lit", 2, 3 },
	/* several documents */
	{ "a: 1\n---\nk: second\n", "k", "second", 3, 4 },
};

START_TEST(scalar_positions)
{
	size_t ndocs;
	const struct fc_src *s;
	struct fc_ydoc *docs = load_ok(positions[_i].yaml, &ndocs, &s);
	ck_assert_uint_ge(ndocs, 1);
	struct fc_ynode *n = path_get(docs[ndocs - 1].root, positions[_i].path);
	ck_assert_msg(n && n->kind == FC_Y_SCALAR, "no scalar at %s", positions[_i].path);
	ck_assert_msg(n->scalar.map != NULL, "lossy map for '%s'", n->scalar.s);
	const char *hit = strstr(n->scalar.s, positions[_i].needle);
	ck_assert_msg(hit, "'%s' not in '%s'", positions[_i].needle, n->scalar.s);
	size_t off = (size_t)(hit - n->scalar.s);
	struct fc_loc loc = fc_yaml_scalar_loc(n, off, off + strlen(positions[_i].needle));
	ck_assert_ptr_eq(loc.src, s);
	ck_assert_msg(loc.first_line == positions[_i].line && loc.first_column == positions[_i].col,
	              "case %d: '%s' at %d:%d, expected %d:%d", _i, positions[_i].needle,
	              loc.first_line, loc.first_column, positions[_i].line, positions[_i].col);
	ck_assert_uint_le(loc.off, loc.end);
	struct map_stats st = {0};
	check_docs(s, docs, ndocs, &st);
	ck_assert_uint_eq(st.lossy, 0);
}
END_TEST

/* The value of each case, as libyaml produced it: guards the cases above against a typo that
 * would make them test something else. */
START_TEST(scalar_values)
{
	size_t ndocs;
	const struct fc_src *s;
	struct fc_ydoc *docs = load_ok("a: >-2\n    indented\n  normal\n  text\n\n  after blank\n"
	                               "b: \"abc \\\n    def\n    ghi\"\n"
	                               "c: 'it''s\n\n  ok'\n"
	                               "d: |+\n  a\n   b\n\n"
	                               "e: one   \n  two\n\n  three\n"
	                               "f: \"\\t\\x41\\u00e9\\0z\"\n",
	                               &ndocs, &s);
	struct fc_ynode *r = docs[0].root;
	ck_assert_str_eq(fc_ymap_get(r, "a")->scalar.s, "  indented\nnormal text\nafter blank");
	ck_assert_str_eq(fc_ymap_get(r, "b")->scalar.s, "abc def ghi");
	ck_assert_str_eq(fc_ymap_get(r, "c")->scalar.s, "it's\nok");
	ck_assert_str_eq(fc_ymap_get(r, "d")->scalar.s, "a\n b\n\n");
	ck_assert_str_eq(fc_ymap_get(r, "e")->scalar.s, "one two\nthree");
	struct fc_ynode *f = fc_ymap_get(r, "f");
	ck_assert_uint_eq(f->scalar.len, 6);
	ck_assert_int_eq(memcmp(f->scalar.s, "\tA\xc3\xa9\0z", 6), 0);
	ck_assert_int_eq(f->scalar.s[6], '\0');
	ck_assert_ptr_ne(f->scalar.map, NULL);
	/* both bytes of \u00e9 map to its backslash; \0 to its own, z to itself */
	unsigned q = (unsigned)(strstr(s->text, "f: \"") - s->text) + 3;
	ck_assert_uint_eq(f->scalar.map[0], q + 1);
	ck_assert_uint_eq(f->scalar.map[2], q + 7);
	ck_assert_uint_eq(f->scalar.map[3], q + 7);
	ck_assert_uint_eq(f->scalar.map[4], q + 13);
	ck_assert_uint_eq(f->scalar.map[5], q + 15);
	ck_assert_uint_eq(f->scalar.map[6], q + 16);
}
END_TEST

START_TEST(scalar_styles)
{
	size_t ndocs;
	struct fc_ydoc *docs =
	    load_ok("p: x\ns: 'x'\nd: \"x\"\nl: |\n  x\nf: >\n  x\n", &ndocs, NULL);
	struct fc_ynode *r = docs[0].root;
	ck_assert_int_eq(fc_ymap_get(r, "p")->scalar.style, FC_YS_PLAIN);
	ck_assert_int_eq(fc_ymap_get(r, "s")->scalar.style, FC_YS_SINGLE);
	ck_assert_int_eq(fc_ymap_get(r, "d")->scalar.style, FC_YS_DOUBLE);
	ck_assert_int_eq(fc_ymap_get(r, "l")->scalar.style, FC_YS_LITERAL);
	ck_assert_int_eq(fc_ymap_get(r, "f")->scalar.style, FC_YS_FOLDED);
}
END_TEST

/* Ranges: [off, end) covers the bytes in the file; off past the value clamps to its end. */
START_TEST(scalar_loc_ranges)
{
	size_t ndocs;
	struct fc_ydoc *docs = load_ok("k: \"ab\\tcd\"\n", &ndocs, NULL);
	struct fc_ynode *n = fc_ymap_get(docs[0].root, "k");
	struct fc_loc l = fc_yaml_scalar_loc(n, 0, 2);
	ck_assert_int_eq(l.first_column, 5);
	ck_assert_int_eq(l.last_column, 6);
	l = fc_yaml_scalar_loc(n, 2, 3); /* the tab: the whole escape */
	ck_assert_int_eq(l.first_column, 7);
	ck_assert_int_eq(l.last_column, 8);
	l = fc_yaml_scalar_loc(n, 5, 5); /* the end of the value */
	ck_assert_int_eq(l.first_column, 11);
	l = fc_yaml_scalar_loc(n, 99, 200);
	ck_assert_int_eq(l.first_column, 11);
	ck_assert_uint_eq(l.off, l.end);
	l = fc_yaml_scalar_loc(n, 3, 1);
	ck_assert_uint_eq(l.off, l.end);

	/* Without a map, the node's own location. */
	struct fc_ynode copy = *n;
	copy.scalar.map = NULL;
	l = fc_yaml_scalar_loc(&copy, 3, 4);
	ck_assert_int_eq(l.first_line, 1);
	ck_assert_int_eq(l.first_column, 4);
	ck_assert_int_eq(l.last_column, 11);
}
END_TEST

/* ---- Trees -------------------------------------------------------------------------------- */

START_TEST(node_locations)
{
	size_t ndocs;
	struct fc_ydoc *docs =
	    load_ok("- rule: r\n  desc: >\n    x\n  tags: [a, b]\n\n# trailing comment\n- b\n",
	            &ndocs, NULL);
	struct fc_ynode *seq = docs[0].root;
	ck_assert_int_eq(seq->kind, FC_Y_SEQ);
	ck_assert_int_eq(seq->loc.first_line, 1);
	ck_assert_int_eq(seq->loc.first_column, 1);
	ck_assert_int_eq(seq->loc.last_line, 7); /* ends at "b", not at the stream's end */
	ck_assert_int_eq(seq->loc.last_column, 3);
	struct fc_ynode *rule = seq->seq.items[0];
	ck_assert_int_eq(rule->loc.first_column, 3);
	ck_assert_int_eq(rule->loc.last_line, 4);
	ck_assert_int_eq(rule->loc.last_column, 14);
	struct fc_ynode *tags = fc_ymap_get(rule, "tags");
	ck_assert_int_eq(tags->loc.first_column, 9);
	ck_assert_int_eq(tags->loc.last_column, 14);
	ck_assert_int_eq(tags->seq.items[1]->loc.first_column, 13);
	struct fc_ynode *key = rule->map.pairs[1].key;
	ck_assert_str_eq(key->scalar.s, "desc");
	ck_assert_int_eq(key->loc.first_line, 2);
	ck_assert_int_eq(key->loc.first_column, 3);
}
END_TEST

START_TEST(multiple_documents)
{
	size_t ndocs;
	struct fc_ydoc *docs =
	    load_ok("a: 1\n---\nb: 2\n...\n---\n- x\n--- |\n  text\n", &ndocs, NULL);
	ck_assert_uint_eq(ndocs, 4);
	ck_assert_int_eq(docs[0].root->kind, FC_Y_MAP);
	ck_assert_int_eq(docs[0].loc.first_line, 1);
	ck_assert_ptr_ne(fc_ymap_get(docs[1].root, "b"), NULL);
	ck_assert_ptr_eq(fc_ymap_get(docs[1].root, "a"), NULL);
	ck_assert_int_eq(docs[1].loc.first_line, 2);
	ck_assert_int_eq(docs[2].root->kind, FC_Y_SEQ);
	ck_assert_int_eq(docs[2].loc.first_line, 5);
	ck_assert_str_eq(docs[3].root->scalar.s, "text\n");
}
END_TEST

START_TEST(empty_documents)
{
	size_t ndocs;
	load_ok("", &ndocs, NULL);
	ck_assert_uint_eq(ndocs, 0);
	load_ok("# only a comment\n\n", &ndocs, NULL);
	ck_assert_uint_eq(ndocs, 0);
	struct fc_ydoc *docs = load_ok("---\n---\n# nothing\n...\n--- ~\n", &ndocs, NULL);
	ck_assert_uint_eq(ndocs, 3);
	ck_assert_ptr_eq(docs[0].root, NULL);
	ck_assert_ptr_eq(docs[1].root, NULL);
	ck_assert_ptr_ne(docs[2].root, NULL); /* an explicit null is a node */
	ck_assert(docs[2].root->scalar.is_null);
}
END_TEST

START_TEST(aliases_share_nodes)
{
	size_t ndocs;
	struct fc_ydoc *docs = load_ok("base: &b {x: 1}\nname: &n shell\nuse: *b\nlist: [*n, *n]\n"
	                               "&n again: *n\n",
	                               &ndocs, NULL);
	struct fc_ynode *r = docs[0].root;
	ck_assert_ptr_eq(fc_ymap_get(r, "use"), fc_ymap_get(r, "base"));
	struct fc_ynode *list = fc_ymap_get(r, "list");
	ck_assert_ptr_eq(list->seq.items[0], fc_ymap_get(r, "name"));
	ck_assert_ptr_eq(list->seq.items[1], fc_ymap_get(r, "name"));
	/* a redefined anchor: later aliases see the latest definition */
	ck_assert_str_eq(r->map.pairs[4].value->scalar.s, "again");
}
END_TEST

static const struct {
	const char *yaml;
	bool is_null;
} nulls[] = {
	{ "k: ~\n", true },
	{ "k: null\n", true },
	{ "k: Null\n", true },
	{ "k: NULL\n", true },
	{ "k:\n", true },
	{ "k: !!null ''\n", true },
	{ "k: ''\n", false },
	{ "k: 'null'\n", false },
	{ "k: \"~\"\n", false },
	{ "k: nULL\n", false },
	{ "k: !!str null\n", false },
	{ "k: nil\n", false },
	{ "k: |\n  null\n", false },
};

START_TEST(null_scalars)
{
	size_t ndocs;
	struct fc_ydoc *docs = load_ok(nulls[_i].yaml, &ndocs, NULL);
	struct fc_ynode *n = fc_ymap_get(docs[0].root, "k");
	ck_assert_int_eq(n->kind, FC_Y_SCALAR);
	ck_assert_msg(n->scalar.is_null == nulls[_i].is_null, "%s", nulls[_i].yaml);
}
END_TEST

START_TEST(empty_items_are_null)
{
	size_t ndocs;
	const struct fc_src *s;
	struct fc_ydoc *docs = load_ok("- \n-\n- x\n", &ndocs, &s);
	struct fc_ynode *seq = docs[0].root;
	ck_assert_uint_eq(seq->seq.n, 3);
	ck_assert(seq->seq.items[0]->scalar.is_null);
	ck_assert(seq->seq.items[1]->scalar.is_null);
	ck_assert_uint_eq(seq->seq.items[1]->scalar.len, 0);
	ck_assert(!seq->seq.items[2]->scalar.is_null);
	struct map_stats st = {0};
	check_docs(s, docs, ndocs, &st);
	ck_assert_uint_eq(st.lossy, 0);
}
END_TEST

START_TEST(explicit_tags)
{
	size_t ndocs;
	struct fc_ydoc *docs =
	    load_ok("a: !!str 1\nb: !custom v\nc: !!seq [x]\nd: !!map {x: y}\ne: plain\n"
	            "f: !<tag:example.com,2024:x> v\n",
	            &ndocs, NULL);
	struct fc_ynode *r = docs[0].root;
	ck_assert_str_eq(fc_ymap_get(r, "a")->tag, "tag:yaml.org,2002:str");
	ck_assert_str_eq(fc_ymap_get(r, "a")->scalar.s, "1");
	ck_assert_str_eq(fc_ymap_get(r, "b")->tag, "!custom");
	ck_assert_str_eq(fc_ymap_get(r, "c")->tag, "tag:yaml.org,2002:seq");
	ck_assert_str_eq(fc_ymap_get(r, "d")->tag, "tag:yaml.org,2002:map");
	ck_assert_ptr_eq(fc_ymap_get(r, "e")->tag, NULL);
	ck_assert_ptr_eq(r->tag, NULL);
	ck_assert_str_eq(fc_ymap_get(r, "f")->tag, "tag:example.com,2024:x");
}
END_TEST

START_TEST(map_get_lookup)
{
	size_t ndocs;
	struct fc_ydoc *docs = load_ok("a: 1\n[x]: 2\na: 3\n'b': 4\n\"\": 5\n", &ndocs, NULL);
	struct fc_ynode *r = docs[0].root;
	ck_assert_str_eq(fc_ymap_get(r, "a")->scalar.s, "1"); /* first of duplicates */
	ck_assert_str_eq(fc_ymap_get(r, "b")->scalar.s, "4");
	ck_assert_str_eq(fc_ymap_get(r, "")->scalar.s, "5");
	ck_assert_ptr_eq(fc_ymap_get(r, "x"), NULL);
	ck_assert_ptr_eq(fc_ymap_get(r, "c"), NULL);
	ck_assert_ptr_eq(fc_ymap_get(fc_ymap_get(r, "a"), "a"), NULL);
	ck_assert_ptr_eq(fc_ymap_get(NULL, "a"), NULL);
}
END_TEST

/* ---- Errors ------------------------------------------------------------------------------- */

static const struct {
	const char *yaml, *diag;
} rejects[] = {
	{ "a: b: c", "<test>:1:5: error: mapping values are not allowed in this context" },
	{ "a:\n  b: 1\n c: 2\n",
	  "<test>:3:2: error: did not find expected key while parsing a block mapping" },
	{ "- a\nb: c\n",
	  "<test>:2:1: error: did not find expected '-' indicator while parsing a block "
	  "collection" },
	{ "a: [1, 2",
	  "<test>:1:9: error: did not find expected ',' or ']' while parsing a flow sequence" },
	{ "a: \"x",
	  "<test>:1:6: error: found unexpected end of stream while scanning a quoted scalar" },
	{ "k: |\n  a\n\tb\n",
	  "<test>:3:1: error: found a tab character where an indentation space is expected while "
	  "scanning a block scalar" },
	{ "a: \"\\q\"",
	  "<test>:1:5: error: found unknown escape character while parsing a quoted scalar" },
	{ "a: *nope", "<test>:1:4: error: found undefined alias 'nope'" },
	{ "a: &x [*x]", "<test>:1:8: error: found undefined alias 'x'" },
	{ "a: \xff", "<test>:1:4: error: invalid leading UTF-8 octet" },
	{ "\xc3\xa9: \xc3\xa9: x",
	  "<test>:1:7: error: mapping values are not allowed in this context" },
	{ "a: b\x01", "<test>:1:5: error: control characters are not allowed" },
	{ "\xff\xfe"
	  "a",
	  "<test>:1:1: error: invalid leading UTF-8 octet" },
	{ "a: @b",
	  "<test>:1:4: error: found character that cannot start any token while scanning for the "
	  "next token" },
};

START_TEST(rejects_with_message)
{
	const struct fc_src *s = src_of(rejects[_i].yaml);
	struct fc_ydoc *docs;
	size_t ndocs;
	ck_assert_int_eq(fc_yaml_load(u, s, &docs, &ndocs), -EINVAL);
	ck_assert_str_eq(fc_diag_first(u), rejects[_i].diag);
	const struct fc_diag *d = fc_diag_list(u);
	ck_assert_int_eq(d->code, FC_LOAD_ERR_YAML_PARSE);
	ck_assert_str_eq(d->id, "E-yaml");
	ck_assert_str_eq(d->item_type, "rules content");
	ck_assert_ptr_eq(d->next, NULL);
	ck_assert(d->loc.end - d->loc.off <= 1);
}
END_TEST

START_TEST(error_context_note)
{
	const struct fc_src *s = src_of("top:\n  a: 1\n  b: 2\n c: 3\n");
	struct fc_ydoc *docs;
	size_t ndocs;
	ck_assert_int_eq(fc_yaml_load(u, s, &docs, &ndocs), -EINVAL);
	const struct fc_diag *d = fc_diag_list(u);
	ck_assert_str_eq(d->msg, "did not find expected key while parsing a block mapping");
	ck_assert_int_eq(d->loc.first_line, 4);
	ck_assert_int_eq(d->loc.first_column, 2);
	ck_assert_ptr_ne(d->notes, NULL);
	ck_assert_str_eq(d->notes->msg, "while parsing a block mapping");
	ck_assert_int_eq(d->notes->loc.first_line, 1);
}
END_TEST

START_TEST(docs_before_error_stay)
{
	const struct fc_src *s = src_of("a: 1\n---\nb: 2\n---\nc: [\n");
	struct fc_ydoc *docs;
	size_t ndocs;
	ck_assert_int_eq(fc_yaml_load(u, s, &docs, &ndocs), -EINVAL);
	ck_assert_uint_eq(ndocs, 2);
	ck_assert_str_eq(fc_ymap_get(docs[1].root, "b")->scalar.s, "2");
	ck_assert_uint_eq(fc_diag_count(u, FC_ERROR), 1);
}
END_TEST

START_TEST(deep_nesting_is_an_error)
{
	size_t n = 5000;
	char *text = malloc(2 * n + 1);
	memset(text, '[', n);
	memset(text + n, ']', n);
	text[2 * n] = '\0';
	const struct fc_src *s = src_of(text);
	struct fc_ydoc *docs;
	size_t ndocs;
	ck_assert_int_eq(fc_yaml_load(u, s, &docs, &ndocs), -EINVAL);
	ck_assert_str_eq(fc_diag_first(u), "<test>:1:1001: error: nesting deeper than 1000 levels");

	/* block nesting, 1000 deep, is fine */
	size_t depth = 1000, k = 0;
	char *b = malloc(depth * (depth + 4));
	for (size_t i = 0; i < depth; i++) {
		memset(b + k, ' ', i);
		k += i;
		memcpy(b + k, i + 1 < depth ? "a:\n" : "a: x\n", i + 1 < depth ? 3 : 5);
		k += i + 1 < depth ? 3 : 5;
	}
	b[k] = '\0';
	struct fc_unit *u2 = fc_unit_new(NULL);
	const struct fc_src *s2 = fc_src_add(u2, "<deep>", b, k);
	ck_assert_int_eq(fc_yaml_load(u2, s2, &docs, &ndocs), 0);
	ck_assert_uint_eq(ndocs, 1);
	fc_unit_free(u2);
	free(b);
	free(text);
}
END_TEST

/* A tricky document, cut at every length: each prefix loads or fails with one positioned
 * error, and whatever loads keeps exact maps. */
static const char tricky[] = "%YAML 1.1\n"
                             "---\n"
                             "- rule: \"Shell \\\"in\\\" container\"  # comment\n"
                             "  desc: >\n"
                             "    An attempt to spawn a shell\n"
                             "      more indented\n"
                             "\n"
                             "    back\n"
                             "  condition: spawned_process and container\n"
                             "    and shell_procs and proc.tty != 0\n"
                             "\n"
                             "    and not user_expected\n"
                             "  output: |-\n"
                             "    Shell (user=%user.name %container.info\n"
                             "     shell=%proc.name)\n"
                             "  priority: 'WARN''ING'\n"
                             "  tags: [container, shell, \"mitre\n"
                             "     execution\", {k: v}]\n"
                             "  anchors: &x [a, b]\n"
                             "  alias: *x\n"
                             "  esc: \"\\x41\\u00e9\\t\\\\ \\\n"
                             "     next\"\n"
                             "  keep: |+2\n"
                             "     two extra\n"
                             "\n"
                             "...\n"
                             "--- !!map\n"
                             "? complex key\n"
                             ": value\n"
                             "empty:\n"
                             "seq:\n"
                             "- \xc3\xa9t\xc3\xa9 \xe2\x80\x94 utf8\n"
                             "-   spaced   out   \n";

START_TEST(truncated_inputs)
{
	struct map_stats st = {0};
	for (size_t n = 0; n <= sizeof(tricky) - 1; n++) {
		struct fc_unit *v = fc_unit_new(NULL);
		const struct fc_src *s = fc_src_add(v, "<cut>", tricky, n);
		struct fc_ydoc *docs;
		size_t ndocs;
		int rc = fc_yaml_load(v, s, &docs, &ndocs);
		if (rc) {
			ck_assert_int_eq(rc, -EINVAL);
			ck_assert_uint_eq(fc_diag_count(v, FC_ERROR), 1);
			const struct fc_diag *d = fc_diag_list(v);
			ck_assert(d->has_loc);
			ck_assert_uint_le(d->loc.off, n);
		} else {
			ck_assert_uint_eq(fc_diag_count(v, FC_ERROR), 0);
		}
		check_docs(s, docs, ndocs, &st);
		fc_unit_free(v);
	}
	ck_assert_uint_gt(st.scalars, 1000);
	ck_assert_uint_eq(st.lossy, 0);
}
END_TEST

START_TEST(tricky_document_maps)
{
	size_t ndocs;
	const struct fc_src *s;
	struct fc_ydoc *docs = load_ok(tricky, &ndocs, &s);
	ck_assert_uint_eq(ndocs, 2);
	struct map_stats st = {0};
	check_docs(s, docs, ndocs, &st);
	ck_assert_uint_ge(st.scalars, 30);
	ck_assert_uint_eq(st.lossy, 0);
	struct fc_ynode *rule = docs[0].root->seq.items[0];
	ck_assert_str_eq(fc_ymap_get(rule, "priority")->scalar.s, "WARN'ING");
	ck_assert_str_eq(fc_ymap_get(rule, "keep")->scalar.s, " two extra\n\n"); /* indent 2+2 */
	ck_assert_str_eq(fc_ymap_get(rule, "esc")->scalar.s, "A\xc3\xa9\t\\ next");
	ck_assert_ptr_eq(fc_ymap_get(rule, "alias"), fc_ymap_get(rule, "anchors"));
	struct fc_ynode *cond = fc_ymap_get(rule, "condition");
	ck_assert_str_eq(cond->scalar.s, "spawned_process and container and shell_procs and "
	                                 "proc.tty != 0\nand not user_expected");
	const char *at = strstr(cond->scalar.s, "user_expected");
	struct fc_loc l = fc_yaml_scalar_loc(cond, (size_t)(at - cond->scalar.s),
	                                     (size_t)(at - cond->scalar.s) + 13);
	ck_assert_int_eq(l.first_line, 12);
	ck_assert_int_eq(l.first_column, 13);
	ck_assert_int_eq(l.last_column, 25);
}
END_TEST

/* Pseudo-random bytes, and pseudo-random strings of YAML's own punctuation: never a crash, and
 * every scalar that loads has an exact map. */
static uint32_t rnd_state;
static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1664525u + 1013904223u;
	return rnd_state >> 8;
}

START_TEST(garbage_inputs)
{
	static const char alphabet[] = "-:?[]{},#&*!|>'\"%@` \n\n\t\\abcxyz0123456789+.~"
	                               "\r\xc3\xa9";
	struct map_stats st = {0};
	unsigned loaded = 0;
	rnd_state = 12345;
	char buf[256];
	for (int iter = 0; iter < 20000; iter++) {
		size_t n = rnd() % sizeof(buf);
		bool binary = iter % 4 == 0;
		for (size_t i = 0; i < n; i++)
			buf[i] = binary ? (char)rnd() : alphabet[rnd() % (sizeof(alphabet) - 1)];
		struct fc_unit *v = fc_unit_new(NULL);
		const struct fc_src *s = fc_src_add(v, "<rnd>", buf, n);
		struct fc_ydoc *docs;
		size_t ndocs;
		int rc = fc_yaml_load(v, s, &docs, &ndocs);
		if ((rc != 0 && rc != -EINVAL) || fc_diag_count(v, FC_ERROR) != (rc ? 1u : 0u))
			ck_abort_msg("rc %d with %u errors", rc, fc_diag_count(v, FC_ERROR));
		loaded += rc == 0;
		check_docs(s, docs, ndocs, &st);
		fc_unit_free(v);
	}
	if (getenv("FC_YAML_VERBOSE"))
		fprintf(stderr, "fc_yaml: garbage: %u loaded, %u scalars\n", loaded, st.scalars);
	ck_assert_uint_gt(loaded, 100);
	ck_assert_msg(st.lossy == 0, "%u of %u scalars lossy", st.lossy, st.scalars);
}
END_TEST

/* Small random edits of the tricky document: most mutants are still YAML, with scalars of
 * every style in odd shapes (blanks before breaks, tabs, stray quotes and backslashes). */
START_TEST(mutated_inputs)
{
	static const char alphabet[] = " \n\n\n\t\\\"'#:-|>+123 ab";
	struct map_stats st = {0};
	unsigned loaded = 0;
	rnd_state = 777;
	char buf[sizeof(tricky) + 16];
	for (int iter = 0; iter < 5000; iter++) {
		size_t n = sizeof(tricky) - 1;
		memcpy(buf, tricky, n);
		for (int k = 1 + (int)(rnd() % 3); k > 0; k--) {
			size_t at = rnd() % n;
			if (rnd() % 3 == 0) {
				memmove(buf + at, buf + at + 1, n - at - 1);
				n--;
			} else {
				memmove(buf + at + 1, buf + at, n - at);
				buf[at] = alphabet[rnd() % (sizeof(alphabet) - 1)];
				n++;
			}
		}
		struct fc_unit *v = fc_unit_new(NULL);
		const struct fc_src *s = fc_src_add(v, "<mut>", buf, n);
		struct fc_ydoc *docs;
		size_t ndocs;
		int rc = fc_yaml_load(v, s, &docs, &ndocs);
		if (rc != 0 && rc != -EINVAL)
			ck_abort_msg("rc %d", rc);
		loaded += rc == 0;
		check_docs(s, docs, ndocs, &st);
		fc_unit_free(v);
	}
	if (getenv("FC_YAML_VERBOSE"))
		fprintf(stderr, "fc_yaml: mutants: %u loaded, %u scalars\n", loaded, st.scalars);
	ck_assert_uint_gt(loaded, 1000);
	ck_assert_msg(st.lossy == 0, "%u of %u scalars lossy", st.lossy, st.scalars);
}
END_TEST

/* ---- Every rules file of the compatibility data ------------------------------------------- */

static struct map_stats compat_stats;
static unsigned compat_files, compat_invalid;

static int compat_visit(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	size_t n = strlen(path);
	if (type != FTW_F || n < 5 || strcmp(path + n - 5, ".yaml") != 0)
		return 0;
	struct fc_unit *v = fc_unit_new(NULL);
	const struct fc_src *s = fc_src_read(v, path);
	ck_assert_msg(s, "cannot read %s", path);
	struct fc_ydoc *docs;
	size_t ndocs;
	if (fc_yaml_load(v, s, &docs, &ndocs))
		compat_invalid++;
	struct map_stats st = {0};
	check_docs(s, docs, ndocs, &st);
	if (st.lossy)
		fprintf(stderr, "fc_yaml: %s: %u of %u scalars lossy\n", path, st.lossy,
		        st.scalars);
	compat_stats.scalars += st.scalars;
	compat_stats.lossy += st.lossy;
	compat_files++;
	fc_unit_free(v);
	return 0;
}

START_TEST(compat_rules_files)
{
	ck_assert_int_eq(nftw(FC_COMPAT_DIR, compat_visit, 16, FTW_PHYS), 0);
	if (getenv("FC_YAML_VERBOSE"))
		fprintf(stderr,
		        "fc_yaml: %u compat files (%u invalid YAML), %u scalars, %u lossy\n",
		        compat_files, compat_invalid, compat_stats.scalars, compat_stats.lossy);
	ck_assert_uint_ge(compat_files, 100);
	ck_assert_uint_gt(compat_stats.scalars, 10000);
	ck_assert_uint_eq(compat_stats.lossy, 0);
}
END_TEST

Suite *fc_yaml_suite(void)
{
	Suite *s = suite_create("fc_yaml");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, scalar_positions, 0, sizeof(positions) / sizeof(positions[0]));
	tcase_add_test(tc, scalar_values);
	tcase_add_test(tc, scalar_styles);
	tcase_add_test(tc, scalar_loc_ranges);
	tcase_add_test(tc, node_locations);
	tcase_add_test(tc, multiple_documents);
	tcase_add_test(tc, empty_documents);
	tcase_add_test(tc, aliases_share_nodes);
	tcase_add_loop_test(tc, null_scalars, 0, sizeof(nulls) / sizeof(nulls[0]));
	tcase_add_test(tc, empty_items_are_null);
	tcase_add_test(tc, explicit_tags);
	tcase_add_test(tc, map_get_lookup);
	tcase_add_loop_test(tc, rejects_with_message, 0, sizeof(rejects) / sizeof(rejects[0]));
	tcase_add_test(tc, error_context_note);
	tcase_add_test(tc, docs_before_error_stay);
	tcase_add_test(tc, deep_nesting_is_an_error);
	tcase_add_test(tc, truncated_inputs);
	tcase_add_test(tc, tricky_document_maps);
	tcase_add_test(tc, garbage_inputs);
	tcase_add_test(tc, mutated_inputs);
	suite_add_tcase(s, tc);

	TCase *slow = tcase_create("compat");
	tcase_set_timeout(slow, 120);
	tcase_add_test(slow, compat_rules_files);
	suite_add_tcase(s, slow);
	return s;
}
