/* SPDX-License-Identifier: Apache-2.0 */
/* fc_fields.c - the field registry: the table expanded from fc_fields.def, lookups by name
 * (exact and dotted-argument), spelling suggestions, and the `falcoc fields` renderings
 * (text, JSON, Markdown for docs/fields.md).
 *
 * Nothing here knows how a field is extracted or how its values compare: extraction belongs
 * to the interpreter and the backends, operator rules to the type checker. */
#include "compiler/fc_fields.h"
#include "compiler/fc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

const struct fc_field fc_fields[FC_FIELD_COUNT] = {
#define FC_FIELD(id, name, type, arg, flags, src, desc)                                            \
	{ FC_FIELD_##id, name, FC_T_##type, FC_ARG_##arg, flags, FC_SRC_##src, desc },
#include "compiler/fc_fields.def"
#undef FC_FIELD
};

static const struct {
	const char *name;
	enum fc_type_class cls;
} fc_types[FC_T_COUNT] = {
#define FC_TYPE(name, cls) { #name, cls },
#include "compiler/fc_types.def"
#undef FC_TYPE
};

static const char *const fc_source_names[FC_SRC_COUNT] = {
	[FC_SRC_SYSCALL] = "syscall",
	[FC_SRC_K8S_AUDIT] = "k8s_audit",
};

const char *fc_type_name(enum fc_type t)
{
	if (t == FC_T_POISON)
		return "POISON";
	return (unsigned)t < FC_T_COUNT ? fc_types[t].name : "?";
}

enum fc_type_class fc_type_class(enum fc_type t)
{
	/* POISON has no class; callers check for it before asking. */
	return (unsigned)t < FC_T_COUNT ? fc_types[t].cls : FC_CLASS_STRING;
}

const char *fc_source_name(enum fc_source s)
{
	return (unsigned)s < FC_SRC_COUNT ? fc_source_names[s] : "?";
}

int fc_source_lookup(const char *name)
{
	for (int s = 0; s < FC_SRC_COUNT; s++)
		if (name && strcmp(name, fc_source_names[s]) == 0)
			return s;
	return -1;
}

/* ---- lookup -------------------------------------------------------------------------------
 * An index of the table sorted by (source, name), built once on first use; lookups are a
 * binary search over it. pthread_once makes the first use safe from several threads. */

static unsigned short fc_index[FC_FIELD_COUNT];
static pthread_once_t fc_index_once = PTHREAD_ONCE_INIT;

static int fc_index_cmp(const void *a, const void *b)
{
	const struct fc_field *x = &fc_fields[*(const unsigned short *)a];
	const struct fc_field *y = &fc_fields[*(const unsigned short *)b];
	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void fc_index_build(void)
{
	for (unsigned i = 0; i < FC_FIELD_COUNT; i++)
		fc_index[i] = (unsigned short)i;
	qsort(fc_index, FC_FIELD_COUNT, sizeof(fc_index[0]), fc_index_cmp);
}

/* Compares the first len bytes of key, taken as a whole name, with a registered name. */
static int fc_name_cmp(const char *key, size_t len, const char *name)
{
	int c = strncmp(key, name, len);
	if (c)
		return c;
	return name[len] ? -1 : 0;
}

/* The field named by key[0..len) in src, or NULL. */
static const struct fc_field *fc_field_find(const char *key, size_t len, enum fc_source src)
{
	size_t lo = 0, hi = FC_FIELD_COUNT;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct fc_field *f = &fc_fields[fc_index[mid]];
		int c = src != f->src ? (src < f->src ? -1 : 1) : fc_name_cmp(key, len, f->name);
		if (c == 0)
			return f;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct fc_field *fc_field_lookup(const char *name, enum fc_source src, size_t *dotarg)
{
	if (dotarg)
		*dotarg = 0;
	if (!name || (unsigned)src >= FC_SRC_COUNT)
		return NULL;
	pthread_once(&fc_index_once, fc_index_build);

	size_t len = strlen(name);
	const struct fc_field *f = fc_field_find(name, len, src);
	if (f)
		return f;

	/* name = prefix '.' arg, for the longest registered FC_F_DOTARG prefix: the argument
	 * itself may contain dots (k8s.pod.label.app.kubernetes.io/name). */
	for (size_t i = len; i-- > 0;) {
		if (name[i] != '.' || i + 1 == len)
			continue;
		f = fc_field_find(name, i, src);
		if (f && (f->flags & FC_F_DOTARG)) {
			if (dotarg)
				*dotarg = i + 1;
			return f;
		}
	}
	return NULL;
}

/* ---- suggestions -------------------------------------------------------------------------- */

#define FC_SUGGEST_MAX 128 /* longer names get no suggestion */

/* Edit distance counting insertions, deletions, substitutions and swaps of two neighbouring
 * characters (optimal string alignment), so that "proc.nmae" is one edit from "proc.name". */
static unsigned fc_edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
	_Static_assert(FC_SUGGEST_MAX < 256, "rows are kept in unsigned char");
	unsigned char r0[FC_SUGGEST_MAX + 1], r1[FC_SUGGEST_MAX + 1], r2[FC_SUGGEST_MAX + 1];
	unsigned char *prev2 = r0, *prev = r1, *cur = r2;

	for (size_t j = 0; j <= lb; j++)
		prev[j] = (unsigned char)j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = (unsigned char)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned cost = a[i - 1] != b[j - 1];
			unsigned d = prev[j] + 1;
			if (cur[j - 1] + 1u < d)
				d = cur[j - 1] + 1u;
			if (prev[j - 1] + cost < d)
				d = prev[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1u < d)
				d = prev2[j - 2] + 1u;
			cur[j] = (unsigned char)d;
		}
		unsigned char *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

const char *fc_field_suggest(const char *name, enum fc_source src)
{
	if (!name || (unsigned)src >= FC_SRC_COUNT)
		return NULL;
	size_t len = strlen(name);
	if (len == 0 || len > FC_SUGGEST_MAX)
		return NULL;

	unsigned limit = len / 3 > 2 ? (unsigned)(len / 3) : 2;
	const char *best = NULL;
	unsigned best_d = limit + 1;
	for (unsigned i = 0; i < FC_FIELD_COUNT; i++) {
		const struct fc_field *f = &fc_fields[i];
		size_t fl = strlen(f->name);
		if (f->src != src || fl > FC_SUGGEST_MAX)
			continue;
		if ((fl > len ? fl - len : len - fl) >= best_d)
			continue;
		unsigned d = fc_edit_distance(name, len, f->name, fl);
		if (d < best_d) {
			best_d = d;
			best = f->name;
		}
	}
	return best;
}

/* ---- rendering ---------------------------------------------------------------------------- */

/* The class a field is listed under: the name's first component, except fs.path.* and
 * syscall.type (listed with evt, as Falco does). */
static void fc_field_class(const struct fc_field *f, char *buf, size_t n)
{
	const char *name = f->name;
	size_t len;
	if (strncmp(name, "fs.path.", 8) == 0)
		len = 7;
	else if (strncmp(name, "syscall.", 8) == 0)
		name = "evt", len = 3;
	else
		len = strcspn(name, ".");
	if (len >= n)
		len = n - 1;
	memcpy(buf, name, len);
	buf[len] = '\0';
}

static const struct {
	const char *cls;
	const char *desc;
} fc_class_docs[] = {
	{ "evt", "The event itself: its type, time, arguments and result." },
	{ "proc", "The process that caused the event, its parent and its ancestors." },
	{ "thread", "The thread that caused the event." },
	{ "user", "The user the thread runs as." },
	{ "group", "The group the thread runs as." },
	{ "fd", "The file descriptor the event works on: a file, a socket, a pipe, ..." },
	{ "fdlist", "The file descriptors of poll-like events." },
	{ "fs.path", "Path arguments of calls that work on paths rather than on fds." },
	{ "syslog", "Messages written to /dev/log." },
	{ "container", "The container the process runs in; 'host' outside containers." },
	{ "k8s", "Kubernetes metadata of the container's pod." },
	{ "ka", "The Kubernetes audit event: who did what to which object." },
	{ "jevt", "The audit event's JSON, under the older jevt.* names." },
	{ "json", "The audit event's JSON, read with JSON pointers." },
};

static const char *fc_class_doc(const char *cls)
{
	for (size_t i = 0; i < sizeof(fc_class_docs) / sizeof(fc_class_docs[0]); i++)
		if (strcmp(fc_class_docs[i].cls, cls) == 0)
			return fc_class_docs[i].desc;
	return NULL;
}

static const char *fc_arg_name(enum fc_arg_kind a)
{
	switch (a) {
	case FC_ARG_NONE:
		return "none";
	case FC_ARG_INDEX:
		return "index";
	case FC_ARG_OPT_INDEX:
		return "optional index";
	case FC_ARG_KEY:
		return "key";
	case FC_ARG_OPT_KEY:
		return "optional key";
	case FC_ARG_INDEX_OR_KEY:
		return "index or key";
	}
	return "?";
}

static bool fc_src_selected(enum fc_source s, int src)
{
	return src < 0 || (int)s == src;
}

/* Prints text word by word from column col, breaking lines before width and indenting
 * continuation lines by indent. Returns the column after the last word. */
static int fc_print_wrapped(FILE *out, const char *text, int col, int indent, int width)
{
	const char *p = text;
	while (*p) {
		while (*p == ' ')
			p++;
		size_t w = strcspn(p, " ");
		if (w == 0)
			break;
		if (col > indent && col + 1 + (int)w > width) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, w, out);
		col += (int)w;
		p += w;
	}
	return col;
}

/* Appends ", what" (or "what" first) to the notes in buf[0..len); returns the new length. */
static size_t fc_note_add(char *buf, size_t n, size_t len, const char *what)
{
	if (len < n) {
		int w = snprintf(buf + len, n - len, "%s%s", len ? ", " : "", what);
		len += w > 0 ? (size_t)w : 0;
	}
	return len < n ? len : n - 1;
}

#define FC_TEXT_WIDTH 100
#define FC_TEXT_NAME_MAX 30

static void fc_fields_print_text(FILE *out, int src)
{
	bool first = true;
	for (int s = 0; s < FC_SRC_COUNT; s++) {
		if (!fc_src_selected(s, src))
			continue;
		unsigned n = 0;
		int namew = 0;
		for (unsigned i = 0; i < FC_FIELD_COUNT; i++) {
			if (fc_fields[i].src != (enum fc_source)s)
				continue;
			n++;
			int l = (int)strlen(fc_fields[i].name);
			if (l > namew)
				namew = l;
		}
		if (namew > FC_TEXT_NAME_MAX)
			namew = FC_TEXT_NAME_MAX;
		fprintf(out, "%sEvent source: %s (%u fields)\n", first ? "" : "\n",
			fc_source_name(s), n);
		first = false;

		char cls[32], prev[32] = "";
		for (unsigned i = 0; i < FC_FIELD_COUNT; i++) {
			const struct fc_field *f = &fc_fields[i];
			if (f->src != (enum fc_source)s)
				continue;
			fc_field_class(f, cls, sizeof(cls));
			if (strcmp(cls, prev) != 0) {
				const char *doc = fc_class_doc(cls);
				fprintf(out, "\n%s fields%s%s\n", cls, doc ? ": " : "",
					doc ? doc : "");
				memcpy(prev, cls, sizeof(prev));
			}
			int indent = 2 + namew + 2 + 10;
			if ((int)strlen(f->name) > namew)
				fprintf(out, "  %s\n  %-*s  %-10s", f->name, namew, "",
					fc_type_name(f->type));
			else
				fprintf(out, "  %-*s  %-10s", namew, f->name,
					fc_type_name(f->type));

			char notes[128] = "";
			size_t nl = 0;
			if (f->arg != FC_ARG_NONE)
				nl = fc_note_add(notes, sizeof(notes), nl, fc_arg_name(f->arg));
			if (f->flags & FC_F_DOTARG)
				nl = fc_note_add(notes, sizeof(notes), nl, "also .name");
			if (f->flags & FC_F_LIST)
				nl = fc_note_add(notes, sizeof(notes), nl, "list");
			if (f->flags & FC_F_OUTPUT_ONLY)
				nl = fc_note_add(notes, sizeof(notes), nl, "output only");
			if (f->flags & FC_F_DEPRECATED)
				nl = fc_note_add(notes, sizeof(notes), nl, "deprecated");
			int col = indent;
			if (notes[0]) {
				fprintf(out, "[%s]", notes);
				col += (int)strlen(notes) + 2;
			}
			fc_print_wrapped(out, f->desc, col, indent, FC_TEXT_WIDTH);
			fputc('\n', out);
		}
	}
}

static void fc_fields_print_json(FILE *out, int src)
{
	bool first = true;
	fputs("{\"fields\":[", out);
	for (unsigned i = 0; i < FC_FIELD_COUNT; i++) {
		const struct fc_field *f = &fc_fields[i];
		if (!fc_src_selected(f->src, src))
			continue;
		fputs(first ? "\n{\"name\":" : ",\n{\"name\":", out);
		first = false;
		fc_json_string(out, f->name);
		fputs(",\"type\":", out);
		fc_json_string(out, fc_type_name(f->type));
		fputs(",\"arg\":", out);
		fc_json_string(out, fc_arg_name(f->arg));
		fprintf(out, ",\"list\":%s,\"deprecated\":%s,\"source\":",
			f->flags & FC_F_LIST ? "true" : "false",
			f->flags & FC_F_DEPRECATED ? "true" : "false");
		fc_json_string(out, fc_source_name(f->src));
		fputs(",\"description\":", out);
		fc_json_string(out, f->desc);
		fputc('}', out);
	}
	fputs("\n]}\n", out);
}

/* Markdown table cell text: '|' would end the cell and '*' start emphasis, so both are escaped. */
static void fc_md_cell(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '\\' || *s == '*')
			fputc('\\', out);
		fputc(*s, out);
	}
}

static const char *fc_md_arg(const struct fc_field *f)
{
	bool dot = f->flags & FC_F_DOTARG;
	switch (f->arg) {
	case FC_ARG_NONE:
		return "";
	case FC_ARG_INDEX:
		return "`[N]`";
	case FC_ARG_OPT_INDEX:
		return "`[N]`, optional";
	case FC_ARG_KEY:
		return dot ? "`[key]` or `.key`" : "`[key]`";
	case FC_ARG_OPT_KEY:
		return dot ? "`[key]` or `.key`, optional" : "`[key]`, optional";
	case FC_ARG_INDEX_OR_KEY:
		return dot ? "`[N]`, `[key]` or `.key`" : "`[N]` or `[key]`";
	}
	return "";
}

static const char *fc_class_meaning(enum fc_type_class c)
{
	switch (c) {
	case FC_CLASS_STRING:
		return "text; compared with =, contains, startswith, glob, in, pmatch, ...";
	case FC_CLASS_BYTES:
		return "raw bytes; searched with contains and bcontains, bstartswith";
	case FC_CLASS_NUMBER:
		return "numbers, times and durations in nanoseconds; compared with =, <, <=, >, >=";
	case FC_CLASS_BOOL:
		return "true or false";
	case FC_CLASS_IPADDR:
		return "an IPv4 or IPv6 address";
	case FC_CLASS_IPNET:
		return "filter-only: matches when the address lies in the given network";
	}
	return "";
}

static void fc_fields_print_markdown(FILE *out, int src)
{
	unsigned count[FC_SRC_COUNT] = { 0 };
	bool used[FC_T_COUNT] = { false };
	for (unsigned i = 0; i < FC_FIELD_COUNT; i++) {
		if (!fc_src_selected(fc_fields[i].src, src))
			continue;
		count[fc_fields[i].src]++;
		used[fc_fields[i].type] = true;
	}

	fputs("# Field reference\n\n"
	      "<!-- Generated by `falcoc fields --markdown` from compiler/fc_fields.def; do not "
	      "edit. -->\n\n",
	      out);
	fputs("Conditions and outputs of rules read the fields listed here. Each event source has "
	      "its own set:",
	      out);
	bool first = true;
	for (int s = 0; s < FC_SRC_COUNT; s++) {
		if (!fc_src_selected(s, src))
			continue;
		fprintf(out, "%s %u for `%s`", first ? "" : ",", count[s], fc_source_name(s));
		first = false;
	}
	fputs(". The names, types and arguments are those of Falco, so rules written for Falco "
	      "load unchanged. A field that takes an argument is written `field[arg]`; some "
	      "also accept `field.arg`. Fields marked *list* hold several values, which `in` "
	      "and `intersects` compare as a set. *Deprecated* fields still work but draw a "
	      "warning; *output only* fields may appear in outputs but not in conditions.\n\n",
	      out);

	fputs("## Types\n\nThe type of a field decides which operators apply to it.\n\n"
	      "| Types | Values |\n|---|---|\n",
	      out);
	for (int c = FC_CLASS_STRING; c <= FC_CLASS_IPNET; c++) {
		bool any = false;
		for (int t = 0; t < FC_T_COUNT; t++) {
			if (!used[t] || fc_type_class(t) != (enum fc_type_class)c)
				continue;
			fprintf(out, "%s`%s`", any ? ", " : "| ", fc_type_name(t));
			any = true;
		}
		if (any)
			fprintf(out, " | %s |\n", fc_class_meaning(c));
	}

	for (int s = 0; s < FC_SRC_COUNT; s++) {
		if (!fc_src_selected(s, src))
			continue;
		fprintf(out, "\n## Source `%s`\n", fc_source_name(s));
		char cls[32], prev[32] = "";
		for (unsigned i = 0; i < FC_FIELD_COUNT; i++) {
			const struct fc_field *f = &fc_fields[i];
			if (f->src != (enum fc_source)s)
				continue;
			fc_field_class(f, cls, sizeof(cls));
			if (strcmp(cls, prev) != 0) {
				const char *doc = fc_class_doc(cls);
				fprintf(out, "\n### `%s`\n\n", cls);
				if (doc)
					fprintf(out, "%s\n\n", doc);
				fputs("| Name | Type | Argument | Description |\n", out);
				fputs("|---|---|---|---|\n", out);
				memcpy(prev, cls, sizeof(prev));
			}
			fprintf(out, "| `%s` | %s | %s | ", f->name, fc_type_name(f->type),
				fc_md_arg(f));
			if (f->flags & FC_F_DEPRECATED)
				fputs("*Deprecated.* ", out);
			if (f->flags & FC_F_OUTPUT_ONLY)
				fputs("*Output only.* ", out);
			if (f->flags & FC_F_LIST)
				fputs("*List.* ", out);
			fc_md_cell(out, f->desc);
			fputs(" |\n", out);
		}
	}
}

void fc_fields_print(FILE *out, enum fc_fields_format fmt, int src)
{
	switch (fmt) {
	case FC_FIELDS_TEXT:
		fc_fields_print_text(out, src);
		break;
	case FC_FIELDS_JSON:
		fc_fields_print_json(out, src);
		break;
	case FC_FIELDS_MARKDOWN:
		fc_fields_print_markdown(out, src);
		break;
	}
}
