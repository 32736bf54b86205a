/* SPDX-License-Identifier: Apache-2.0 */
/* fc_rules_load.c - rules files to a ruleset: the items of Falco's rules format, their keys,
 * and how definitions, `append: true` and `override:` combine across files in load order.
 *
 * Only shapes and load-order semantics live here. Conditions are parsed and checked later
 * (fc_resolve.c, fc_check.c), once every file is in, because an appended condition is text
 * glued to its base before anything is parsed, exactly as Falco does. */
#include "compiler/fc_rules.h"
#include "compiler/fc_unit.h"
#include "compiler/fc_fields.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const fc_prio_names[] = {
	"Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug",
};

const char *fc_priority_name(enum fc_priority p)
{
	return p <= FC_PRIO_DEBUG ? fc_prio_names[p] : "?";
}

bool fc_priority_parse(const char *s, enum fc_priority *out)
{
	for (int i = 0; i <= FC_PRIO_DEBUG; i++)
		if (strcasecmp(s, fc_prio_names[i]) == 0) {
			*out = (enum fc_priority)i;
			return true;
		}
	if (strcasecmp(s, "info") == 0) {
		*out = FC_PRIO_INFORMATIONAL;
		return true;
	}
	return false;
}

/* --- composed texts ------------------------------------------------------------------------ */

void fc_text_append(struct fc_unit *u, struct fc_text *t, const char *s, size_t len,
		    const struct fc_ynode *scalar)
{
	char *ns = fc_arena_alloc(u, t->len + len + 1);
	if (t->len)
		memcpy(ns, t->s, t->len);
	memcpy(ns + t->len, s, len);
	ns[t->len + len] = '\0';
	if (t->nsegs == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 4;
		struct fc_text_seg *segs = fc_arena_alloc(u, cap * sizeof(*segs));
		if (t->nsegs)
			memcpy(segs, t->segs, t->nsegs * sizeof(*segs));
		t->segs = segs;
		t->cap = cap;
	}
	t->segs[t->nsegs++] = (struct fc_text_seg){ t->len, len, scalar };
	t->s = ns;
	t->len += len;
	t->set = true;
}

struct fc_loc fc_text_loc(const void *text, size_t off, size_t end)
{
	const struct fc_text *t = text;
	/* the segment holding off; inserted text borrows the next scalar's position */
	const struct fc_text_seg *seg = NULL;
	for (size_t i = 0; i < t->nsegs; i++) {
		const struct fc_text_seg *s = &t->segs[i];
		if (!s->scalar)
			continue;
		seg = s;
		if (off < s->off + s->len || (off == s->off + s->len && i + 1 == t->nsegs))
			break;
	}
	if (!seg) {
		struct fc_loc l = { 0 };
		return l;
	}
	size_t o = off < seg->off ? 0 : off - seg->off;
	size_t e = end < seg->off ? 0 : end - seg->off;
	if (o > seg->len)
		o = seg->len;
	if (e > seg->len)
		e = seg->len;
	if (e < o)
		e = o;
	return fc_yaml_scalar_loc(seg->scalar, o, e);
}

/* --- lookups ------------------------------------------------------------------------------- */

struct fc_list *fc_ruleset_list(const struct fc_ruleset *rs, const char *name)
{
	for (size_t i = 0; i < rs->nlists; i++)
		if (strcmp(rs->lists[i]->name, name) == 0)
			return rs->lists[i];
	return NULL;
}

struct fc_macro *fc_ruleset_macro(const struct fc_ruleset *rs, const char *name)
{
	for (size_t i = 0; i < rs->nmacros; i++)
		if (strcmp(rs->macros[i]->name, name) == 0)
			return rs->macros[i];
	return NULL;
}

struct fc_rule *fc_ruleset_rule(const struct fc_ruleset *rs, const char *name)
{
	for (size_t i = 0; i < rs->nrules; i++)
		if (strcmp(rs->rules[i]->name, name) == 0)
			return rs->rules[i];
	return NULL;
}

#define FC_PUSH(u, arr, n, cap, item)                                                   \
	do {                                                                            \
		if ((n) == (cap)) {                                                     \
			size_t c_ = (cap) ? (cap) * 2 : 16;                             \
			void *p_ = fc_arena_alloc((u), c_ * sizeof(*(arr)));            \
			if (n)                                                          \
				memcpy(p_, (arr), (n) * sizeof(*(arr)));                \
			(arr) = p_;                                                     \
			(cap) = c_;                                                     \
		}                                                                       \
		(arr)[(n)++] = (item);                                                  \
	} while (0)

/* --- YAML helpers -------------------------------------------------------------------------- */

static const char *fc_yscalar(const struct fc_ynode *n)
{
	return n && n->kind == FC_Y_SCALAR ? n->scalar.s : NULL;
}

static bool fc_yempty(const struct fc_ynode *n)
{
	return !n || (n->kind == FC_Y_SCALAR && (n->scalar.is_null || n->scalar.len == 0));
}

static int fc_ybool(const struct fc_ynode *n)
{
	static const char *const t[] = { "true", "yes", "on", "y" };
	static const char *const f[] = { "false", "no", "off", "n" };
	const char *s = fc_yscalar(n);
	if (!s || n->scalar.style != FC_YS_PLAIN)
		return -1;
	for (int i = 0; i < 4; i++) {
		if (strcasecmp(s, t[i]) == 0)
			return 1;
		if (strcasecmp(s, f[i]) == 0)
			return 0;
	}
	return -1;
}

/* The loader's view of one item: its mapping, what kind it is and its name. */
struct fc_item {
	const struct fc_ynode *map;
	const char *kind;    /* "rule", "macro", "list" */
	const char *name;
	const struct fc_ynode *name_node;
};

static struct fc_loc fc_yloc(const struct fc_ynode *n)
{
	return n->loc;
}

static struct fc_diag *fc_item_error(struct fc_unit *u, const struct fc_ynode *at, enum fc_code code,
				     const char *id, const char *msg)
{
	struct fc_loc l = fc_yloc(at);
	return fc_diag(u, &l, FC_ERROR, code, id, "%s", msg);
}

/* A required key. Reports "Item has no mapping for key 'k'" (Falco's text) when it is
 * missing, "Mapping for key 'k' is empty" when it has no value. */
static const struct fc_ynode *fc_item_require(struct fc_unit *u, const struct fc_item *it,
					      const char *key, bool allow_empty)
{
	const struct fc_ynode *v = fc_ymap_get(it->map, key);
	if (!v) {
		struct fc_diag *d = fc_item_error(u, it->name_node ? it->name_node : it->map,
						  FC_LOAD_ERR_YAML_VALIDATE, "E-item",
						  fc_arena_printf(u, "Item has no mapping for key '%s'",
								  key));
		(void)d;
		return NULL;
	}
	if (!allow_empty && fc_yempty(v)) {
		fc_item_error(u, v, FC_LOAD_ERR_YAML_VALIDATE, "E-item",
			      fc_arena_printf(u, "Mapping for key '%s' is empty", key));
		return NULL;
	}
	return v;
}

static void fc_item_unknown_keys(struct fc_unit *u, const struct fc_item *it,
				 const char *const *known)
{
	for (size_t i = 0; i < it->map->map.n; i++) {
		const char *k = fc_yscalar(it->map->map.pairs[i].key);
		if (!k)
			continue;
		bool ok = false;
		for (const char *const *p = known; *p && !ok; p++)
			ok = strcmp(*p, k) == 0;
		if (!ok) {
			struct fc_loc l = it->map->map.pairs[i].key->loc;
			fc_diag(u, &l, FC_WARNING, FC_LOAD_UNKNOWN_KEY, "LOAD_UNKNOWN_KEY",
				"unknown key '%s' in %s '%s'", k, it->kind, it->name);
		}
	}
}

/* `override:` says, per key, append or replace. Returns 0 for none, 1 append, 2 replace,
 * -1 after an error. */
enum { FC_OV_NONE, FC_OV_APPEND, FC_OV_REPLACE };

static int fc_override_of(struct fc_unit *u, const struct fc_item *it, const char *key)
{
	const struct fc_ynode *ov = fc_ymap_get(it->map, "override");
	if (!ov)
		return FC_OV_NONE;
	const struct fc_ynode *v = fc_ymap_get(ov, key);
	const char *s = fc_yscalar(v);
	if (!s)
		return FC_OV_NONE;
	if (strcmp(s, "append") == 0)
		return FC_OV_APPEND;
	if (strcmp(s, "replace") == 0)
		return FC_OV_REPLACE;
	fc_item_error(u, v, FC_LOAD_ERR_YAML_VALIDATE, "E-override",
		      fc_arena_printf(u, "override of '%s' must be 'append' or 'replace', not '%s'",
				      key, s));
	return -1;
}

/* Validates the override: mapping's shape. Returns false after an error. */
static bool fc_override_check(struct fc_unit *u, const struct fc_item *it,
			      const char *const *keys, bool *any)
{
	*any = false;
	const struct fc_ynode *ov = fc_ymap_get(it->map, "override");
	if (!ov)
		return true;
	if (ov->kind != FC_Y_MAP) {
		fc_item_error(u, ov, FC_LOAD_ERR_YAML_VALIDATE, "E-override",
			      "'override' must be a mapping of keys to 'append' or 'replace'");
		return false;
	}
	if (fc_ymap_get(it->map, "append")) {
		fc_item_error(u, ov, FC_LOAD_ERR_YAML_VALIDATE, "E-override",
			      "keys 'override' and 'append: true' cannot be used together");
		return false;
	}
	bool ok = true;
	for (size_t i = 0; i < ov->map.n; i++) {
		const char *k = fc_yscalar(ov->map.pairs[i].key);
		bool known = false;
		for (const char *const *p = keys; k && *p && !known; p++)
			known = strcmp(*p, k) == 0;
		if (!known) {
			fc_item_error(u, ov->map.pairs[i].key, FC_LOAD_ERR_YAML_VALIDATE,
				      "E-override",
				      fc_arena_printf(u, "key '%s' cannot be overridden in a %s",
						      k ? k : "?", it->kind));
			ok = false;
			continue;
		}
		if (!fc_ymap_get(it->map, k)) {
			fc_item_error(u, ov->map.pairs[i].key, FC_LOAD_ERR_YAML_VALIDATE,
				      "E-override",
				      fc_arena_printf(u, "'override' names key '%s', which this "
							 "item does not have", k));
			ok = false;
			continue;
		}
		if (fc_override_of(u, it, k) < 0)
			ok = false;
		*any = true;
	}
	return ok;
}

/* Reads the items of a list: a sequence of scalars. Null items (a bare '-') are skipped,
 * as Falco's loader effectively does. */
static bool fc_list_read_items(struct fc_unit *u, struct fc_list *l, const struct fc_ynode *v)
{
	if (v->kind != FC_Y_SEQ) {
		if (fc_yempty(v))
			return true;
		fc_item_error(u, v, FC_LOAD_ERR_YAML_VALIDATE, "E-item",
			      "List items must be a sequence of strings");
		return false;
	}
	for (size_t i = 0; i < v->seq.n; i++) {
		const struct fc_ynode *n = v->seq.items[i];
		if (n->kind != FC_Y_SCALAR) {
			fc_item_error(u, n, FC_LOAD_ERR_YAML_VALIDATE, "E-item",
				      "List items must be strings");
			return false;
		}
		if (n->scalar.is_null && n->scalar.style == FC_YS_PLAIN)
			continue;
		struct fc_str s = {
			.s = n->scalar.s,
			.len = n->scalar.len,
			.quoted = n->scalar.style != FC_YS_PLAIN,
			.loc = n->loc,
		};
		/* Items written with quotes inside the YAML string ('"10.0.0.0/8"') were
		 * pasted into condition text by old Falco; the quotes are not part of the
		 * value. */
		if (s.len >= 2 && (s.s[0] == '"' || s.s[0] == '\'') && s.s[s.len - 1] == s.s[0]) {
			s.s = fc_arena_strndup(u, s.s + 1, s.len - 2);
			s.len -= 2;
			s.quoted = true;
		}
		FC_PUSH(u, l->raw, l->nraw, l->rawcap, s);
	}
	return true;
}

static void fc_load_list(struct fc_unit *u, struct fc_ruleset *rs, struct fc_item *it)
{
	static const char *const keys[] = { "list", "items", "append", "override", NULL };
	static const char *const ovkeys[] = { "items", NULL };
	const struct fc_ynode *items = fc_item_require(u, it, "items", true);
	fc_item_unknown_keys(u, it, keys);
	bool has_ov;
	if (!fc_override_check(u, it, ovkeys, &has_ov) || !items)
		return;
	int app = fc_ybool(fc_ymap_get(it->map, "append"));
	bool append = app == 1 || fc_override_of(u, it, "items") == FC_OV_APPEND;
	struct fc_list *l = fc_ruleset_list(rs, it->name);
	if (append || has_ov) {
		if (!l) {
			fc_item_error(u, it->name_node, FC_LOAD_ERR_VALIDATE, "E-append",
				      append ? "List has 'append' key but no list by that name "
					       "already exists"
					     : "List has 'override' key but no list by that name "
					       "already exists");
			return;
		}
		if (!append)
			l->nraw = 0;
		fc_list_read_items(u, l, items);
		l->visibility = ++rs->order;
		return;
	}
	if (!l) {
		l = fc_arena_alloc(u, sizeof(*l));
		l->name = it->name;
		l->index = rs->order + 1;
		FC_PUSH(u, rs->lists, rs->nlists, rs->listcap, l);
	} else {
		l->replaced = l->loc;
		struct fc_replacement rp = { "list", l->name, it->name_node->loc, l->loc };
		FC_PUSH(u, rs->replacements, rs->nreplacements, rs->replcap, rp);
	}
	l->loc = it->name_node->loc;
	l->visibility = ++rs->order;
	l->nraw = 0;
	fc_list_read_items(u, l, items);
}

static void fc_text_set(struct fc_unit *u, struct fc_text *t, const struct fc_ynode *v)
{
	*t = (struct fc_text){ 0 };
	fc_text_append(u, t, v->scalar.s, v->scalar.len, v);
}

static void fc_text_add(struct fc_unit *u, struct fc_text *t, const struct fc_ynode *v)
{
	if (t->len)
		fc_text_append(u, t, " ", 1, NULL);
	fc_text_append(u, t, v->scalar.s, v->scalar.len, v);
}

static const struct fc_ynode *fc_item_scalar(struct fc_unit *u, const struct fc_item *it,
					     const char *key)
{
	const struct fc_ynode *v = fc_ymap_get(it->map, key);
	if (v && v->kind != FC_Y_SCALAR) {
		fc_item_error(u, v, FC_LOAD_ERR_YAML_VALIDATE, "E-item",
			      fc_arena_printf(u, "Value of key '%s' must be a string", key));
		return NULL;
	}
	return v;
}

static void fc_load_macro(struct fc_unit *u, struct fc_ruleset *rs, struct fc_item *it)
{
	static const char *const keys[] = { "macro", "condition", "append", "override", NULL };
	static const char *const ovkeys[] = { "condition", NULL };
	const struct fc_ynode *cond = fc_item_require(u, it, "condition", true);
	fc_item_unknown_keys(u, it, keys);
	bool has_ov;
	if (!fc_override_check(u, it, ovkeys, &has_ov) || !cond)
		return;
	if (cond->kind != FC_Y_SCALAR) {
		fc_item_error(u, cond, FC_LOAD_ERR_YAML_VALIDATE, "E-item",
			      "Value of key 'condition' must be a string");
		return;
	}
	int app = fc_ybool(fc_ymap_get(it->map, "append"));
	bool append = app == 1 || fc_override_of(u, it, "condition") == FC_OV_APPEND;
	struct fc_macro *m = fc_ruleset_macro(rs, it->name);
	if (append || has_ov) {
		if (!m) {
			fc_item_error(u, it->name_node, FC_LOAD_ERR_VALIDATE, "E-append",
				      append ? "Macro has 'append' key but no macro by that name "
					       "already exists"
					     : "Macro has 'override' key but no macro by that name "
					       "already exists");
			return;
		}
		if (append)
			fc_text_add(u, &m->cond, cond);
		else
			fc_text_set(u, &m->cond, cond);
		m->visibility = ++rs->order;
		return;
	}
	if (!m) {
		m = fc_arena_alloc(u, sizeof(*m));
		m->name = it->name;
		m->index = rs->order + 1;
		FC_PUSH(u, rs->macros, rs->nmacros, rs->macrocap, m);
	} else {
		m->replaced = m->loc;
		struct fc_replacement rp = { "macro", m->name, it->name_node->loc, m->loc };
		FC_PUSH(u, rs->replacements, rs->nreplacements, rs->replcap, rp);
	}
	m->loc = it->name_node->loc;
	m->visibility = ++rs->order;
	fc_text_set(u, &m->cond, cond);
}

/* Exceptions as written. With `into` set (an append), an exception whose name exists gets
 * its values appended; a new one must say its fields. */
static void fc_load_exceptions(struct fc_unit *u, struct fc_rule *r, const struct fc_ynode *v,
			       bool appending, bool replace)
{
	if (v->kind != FC_Y_SEQ) {
		if (!fc_yempty(v))
			fc_item_error(u, v, FC_LOAD_ERR_YAML_VALIDATE, "E-item",
				      "Value of key 'exceptions' must be a sequence");
		return;
	}
	if (replace)
		r->nexceptions = 0;
	const char *saved_type = u->ctx_type, *saved_name = u->ctx_name;
	for (size_t i = 0; i < v->seq.n; i++) {
		const struct fc_ynode *e = v->seq.items[i];
		fc_diag_context(u, "exception", "");
		if (e->kind != FC_Y_MAP) {
			fc_item_error(u, e, FC_LOAD_ERR_YAML_VALIDATE, "E-exception",
				      "Each exception must be a mapping");
			continue;
		}
		const char *name = fc_yscalar(fc_ymap_get(e, "name"));
		if (!name) {
			fc_item_error(u, e, FC_LOAD_ERR_YAML_VALIDATE, "E-exception",
				      "Item has no mapping for key 'name'");
			continue;
		}
		fc_diag_context(u, "exception", fc_intern(u, name));
		const struct fc_ynode *fields = fc_ymap_get(e, "fields");
		const struct fc_ynode *comps = fc_ymap_get(e, "comps");
		const struct fc_ynode *values = fc_ymap_get(e, "values");
		struct fc_exception *x = NULL;
		for (size_t k = 0; k < r->nexceptions; k++)
			if (strcmp(r->exceptions[k].name, name) == 0)
				x = &r->exceptions[k];
		if (x && appending) {
			/* append values to an existing exception */
		} else if (appending) {
			if (!fields) {
				fc_item_error(u, e, FC_LOAD_ERR_VALIDATE, "E-exception",
					      "Rule exception must have fields property with a list "
					      "of fields");
				continue;
			}
		} else if (!fields) {
			fc_item_error(u, e, FC_LOAD_ERR_YAML_VALIDATE, "E-exception",
				      "Item has no mapping for key 'fields'");
			continue;
		}
		if (!x || !appending) {
			if (x && !appending) {
				struct fc_loc l = e->loc;
				fc_diag(u, &l, FC_WARNING, FC_LOAD_EXCEPTION_NAME_NOT_UNIQUE,
					"LOAD_EXCEPTION_NAME_NOT_UNIQUE",
					"Multiple definitions of exception '%s' in the same rule",
					name);
			}
			struct fc_exception nx = { 0 };
			nx.name = fc_intern(u, name);
			nx.loc = e->loc;
			nx.fields = fields;
			nx.comps = comps;
			FC_PUSH(u, r->exceptions, r->nexceptions, r->exccap, nx);
			x = &r->exceptions[r->nexceptions - 1];
		}
		if (values) {
			if (values->kind != FC_Y_SEQ) {
				if (!fc_yempty(values))
					fc_item_error(u, values, FC_LOAD_ERR_YAML_VALIDATE,
						      "E-exception",
						      "Exception values must be a sequence");
				continue;
			}
			for (size_t k = 0; k < values->seq.n; k++)
				FC_PUSH(u, x->values, x->nvalues, x->valcap, values->seq.items[k]);
		}
	}
	fc_diag_context(u, saved_type, saved_name);
}

static bool fc_rule_read_tags(struct fc_unit *u, struct fc_rule *r, const struct fc_ynode *v,
			      bool append)
{
	if (v->kind != FC_Y_SEQ) {
		if (fc_yempty(v))
			return true;
		fc_item_error(u, v, FC_LOAD_ERR_YAML_VALIDATE, "E-item",
			      "Value of key 'tags' must be a sequence of strings");
		return false;
	}
	size_t cap = r->ntags;
	if (!append)
		r->ntags = 0;
	for (size_t i = 0; i < v->seq.n; i++) {
		const char *t = fc_yscalar(v->seq.items[i]);
		if (!t) {
			fc_item_error(u, v->seq.items[i], FC_LOAD_ERR_YAML_VALIDATE, "E-item",
				      "Tags must be strings");
			return false;
		}
		FC_PUSH(u, r->tags, r->ntags, cap, fc_intern(u, t));
	}
	return true;
}

static bool fc_rule_read_priority(struct fc_unit *u, struct fc_rule *r, const struct fc_ynode *v)
{
	const char *s = fc_yscalar(v);
	if (!s || !fc_priority_parse(s, &r->priority)) {
		fc_item_error(u, v, FC_LOAD_ERR_YAML_VALIDATE, "E-priority",
			      fc_arena_printf(u, "Invalid priority '%s': expected one of Emergency, "
						 "Alert, Critical, Error, Warning, Notice, "
						 "Informational (or Info), Debug",
					      s ? s : "(not a string)"));
		return false;
	}
	r->has_priority = true;
	return true;
}

static bool fc_rule_read_bool(struct fc_unit *u, const struct fc_ynode *v, const char *key,
			      bool *out)
{
	int b = fc_ybool(v);
	if (b < 0) {
		fc_item_error(u, v, FC_LOAD_ERR_YAML_VALIDATE, "E-item",
			      fc_arena_printf(u, "Value of key '%s' must be true or false", key));
		return false;
	}
	*out = b;
	return true;
}

static void fc_rule_set_source(struct fc_unit *u, struct fc_rule *r, const struct fc_ynode *v)
{
	const char *s = v ? fc_yscalar(v) : "syscall";
	if (!s || !*s)
		s = "syscall";
	r->source = fc_intern(u, s);
	r->src = fc_source_lookup(s);
	if (r->src < 0) {
		struct fc_loc l = v ? v->loc : r->loc;
		fc_diag(u, &l, FC_WARNING, FC_LOAD_UNKNOWN_SOURCE, "LOAD_UNKNOWN_SOURCE",
			"Unknown source %s, skipping", s);
	}
}

static void fc_load_rule_modify(struct fc_unit *u, struct fc_rule *r, struct fc_item *it,
				bool legacy_append)
{
	static const char *const scalar_keys[] = { "condition", "output", "desc", NULL };
	for (const char *const *k = scalar_keys; *k; k++) {
		const struct fc_ynode *v = fc_ymap_get(it->map, *k);
		if (!v)
			continue;
		int ov = legacy_append ? (strcmp(*k, "condition") == 0 ? FC_OV_APPEND : FC_OV_NONE)
				       : fc_override_of(u, it, *k);
		if (ov == FC_OV_NONE)
			continue;
		if (v->kind != FC_Y_SCALAR) {
			fc_item_error(u, v, FC_LOAD_ERR_YAML_VALIDATE, "E-item",
				      fc_arena_printf(u, "Value of key '%s' must be a string", *k));
			continue;
		}
		if (strcmp(*k, "desc") == 0) {
			r->desc = ov == FC_OV_APPEND && r->desc
					  ? fc_arena_printf(u, "%s %s", r->desc, v->scalar.s)
					  : v->scalar.s;
			continue;
		}
		struct fc_text *t = strcmp(*k, "condition") == 0 ? &r->cond : &r->output;
		if (ov == FC_OV_APPEND)
			fc_text_add(u, t, v);
		else
			fc_text_set(u, t, v);
	}
	const struct fc_ynode *v;
	if ((v = fc_ymap_get(it->map, "exceptions"))) {
		int ov = legacy_append ? FC_OV_APPEND : fc_override_of(u, it, "exceptions");
		if (ov != FC_OV_NONE)
			fc_load_exceptions(u, r, v, ov == FC_OV_APPEND, ov == FC_OV_REPLACE);
	}
	if (legacy_append)
		return;
	if ((v = fc_ymap_get(it->map, "tags")) && fc_override_of(u, it, "tags") != FC_OV_NONE)
		fc_rule_read_tags(u, r, v, fc_override_of(u, it, "tags") == FC_OV_APPEND);
	if ((v = fc_ymap_get(it->map, "priority")) && fc_override_of(u, it, "priority"))
		fc_rule_read_priority(u, r, v);
	if ((v = fc_ymap_get(it->map, "enabled")) && fc_override_of(u, it, "enabled"))
		fc_rule_read_bool(u, v, "enabled", &r->enabled);
	if ((v = fc_ymap_get(it->map, "warn_evttypes")) && fc_override_of(u, it, "warn_evttypes"))
		fc_rule_read_bool(u, v, "warn_evttypes", &r->warn_evttypes);
	if ((v = fc_ymap_get(it->map, "skip-if-unknown-filter")) &&
	    fc_override_of(u, it, "skip-if-unknown-filter"))
		fc_rule_read_bool(u, v, "skip-if-unknown-filter", &r->skip_if_unknown_filter);
}

static void fc_load_rule(struct fc_unit *u, struct fc_ruleset *rs, struct fc_item *it)
{
	static const char *const keys[] = {
		"rule", "condition", "output", "desc", "priority", "enabled", "tags", "source",
		"exceptions", "warn_evttypes", "skip-if-unknown-filter", "append", "override",
		"capture", "capture_duration", NULL,
	};
	static const char *const ovkeys[] = {
		"condition", "output", "desc", "priority", "tags", "exceptions", "enabled",
		"warn_evttypes", "skip-if-unknown-filter", "capture", "capture_duration", NULL,
	};
	fc_item_unknown_keys(u, it, keys);
	bool has_ov;
	if (!fc_override_check(u, it, ovkeys, &has_ov))
		return;
	const struct fc_ynode *appn = fc_ymap_get(it->map, "append");
	int app = appn ? fc_ybool(appn) : 0;
	if (app < 0) {
		fc_item_error(u, appn, FC_LOAD_ERR_YAML_VALIDATE, "E-item",
			      "Value of key 'append' must be true or false");
		return;
	}
	struct fc_rule *r = fc_ruleset_rule(rs, it->name);
	if (app == 1 || has_ov) {
		if (!r) {
			fc_item_error(u, it->name_node, FC_LOAD_ERR_VALIDATE, "E-append",
				      app == 1 ? "Rule has 'append' key but no rule by that name "
						 "already exists"
					       : "Rule has 'override' key but no rule by that name "
						 "already exists");
			return;
		}
		if (app == 1 && !fc_ymap_get(it->map, "condition") &&
		    !fc_ymap_get(it->map, "exceptions")) {
			fc_item_error(u, it->map, FC_LOAD_ERR_VALIDATE, "E-append",
				      "Appended rule must have exceptions or condition property");
			return;
		}
		fc_load_rule_modify(u, r, it, app == 1);
		rs->order++;
		return;
	}
	/* `- rule: x` with only `enabled:` switches an existing rule on or off. */
	const struct fc_ynode *en = fc_ymap_get(it->map, "enabled");
	if (en && it->map->map.n == 2) {
		if (!r) {
			fc_item_error(u, it->name_node, FC_LOAD_ERR_VALIDATE, "E-append",
				      "Rule has 'enabled' key but no rule by that name already "
				      "exists");
			return;
		}
		fc_rule_read_bool(u, en, "enabled", &r->enabled);
		return;
	}
	const struct fc_ynode *cond = fc_item_require(u, it, "condition", false);
	const struct fc_ynode *out = fc_item_require(u, it, "output", true);
	const struct fc_ynode *desc = fc_item_require(u, it, "desc", true);
	const struct fc_ynode *prio = fc_item_require(u, it, "priority", false);
	if (!cond || !out || !desc || !prio)
		return;
	if (cond->kind != FC_Y_SCALAR || out->kind != FC_Y_SCALAR || desc->kind != FC_Y_SCALAR) {
		fc_item_error(u, it->map, FC_LOAD_ERR_YAML_VALIDATE, "E-item",
			      "Values of keys 'condition', 'output' and 'desc' must be strings");
		return;
	}
	struct fc_rule nr = { 0 };
	nr.name = it->name;
	nr.loc = it->name_node->loc;
	nr.enabled = true;
	nr.warn_evttypes = true;
	fc_text_set(u, &nr.cond, cond);
	fc_text_set(u, &nr.output, out);
	nr.desc = desc->scalar.s;
	if (!fc_rule_read_priority(u, &nr, prio))
		return;
	const struct fc_ynode *v;
	if ((v = fc_ymap_get(it->map, "enabled")) && !fc_rule_read_bool(u, v, "enabled", &nr.enabled))
		return;
	if ((v = fc_ymap_get(it->map, "warn_evttypes")) &&
	    !fc_rule_read_bool(u, v, "warn_evttypes", &nr.warn_evttypes))
		return;
	if ((v = fc_ymap_get(it->map, "skip-if-unknown-filter")) &&
	    !fc_rule_read_bool(u, v, "skip-if-unknown-filter", &nr.skip_if_unknown_filter))
		return;
	if ((v = fc_ymap_get(it->map, "tags")) && !fc_rule_read_tags(u, &nr, v, false))
		return;
	fc_rule_set_source(u, &nr, fc_item_scalar(u, it, "source"));
	if ((v = fc_ymap_get(it->map, "exceptions")))
		fc_load_exceptions(u, &nr, v, false, false);
	nr.node = it->map;
	rs->order++;
	if (r) {
		nr.index = r->index;
		nr.replaced = r->loc;
		struct fc_replacement rp = { "rule", r->name, nr.loc, r->loc };
		FC_PUSH(u, rs->replacements, rs->nreplacements, rs->replcap, rp);
		*r = nr; /* a redefinition replaces the rule where it stood */
	} else {
		r = fc_arena_alloc(u, sizeof(*r));
		*r = nr;
		r->index = (int)rs->nrules;
		FC_PUSH(u, rs->rules, rs->nrules, rs->rulecap, r);
	}
}

/* --- top-level items ----------------------------------------------------------------------- */

static bool fc_parse_version(const char *s, int v[3])
{
	char *end;
	v[0] = v[1] = v[2] = 0;
	for (int i = 0; i < 3; i++) {
		if (!isdigit((unsigned char)*s))
			return false;
		long n = strtol(s, &end, 10);
		if (n < 0 || n > 1000000000)
			return false;
		v[i] = (int)n;
		s = end;
		if (*s == '\0')
			return i == 0 || i == 2 || i == 1;
		if (*s != '.')
			return false;
		s++;
	}
	return *s == '\0';
}

static void fc_load_engine_version(struct fc_unit *u, const struct fc_ynode *v)
{
	fc_diag_context(u, "required_engine_version", "");
	const char *s = fc_yscalar(v);
	int ver[3];
	if (!s || !fc_parse_version(s, ver)) {
		fc_item_error(u, v, FC_LOAD_ERR_YAML_VALIDATE, "E-version",
			      fc_arena_printf(u, "Can't decode YAML scalar value: "
						 "required_engine_version must be a version like "
						 "0.57.0 or an integer, not '%s'",
					      s ? s : "(not a scalar)"));
		return;
	}
	/* A bare integer N is Falco's old notation for 0.N.0. */
	if (!strchr(s, '.')) {
		ver[1] = ver[0];
		ver[0] = 0;
	}
	static const int ours[3] = { FC_ENGINE_VERSION_MAJOR, FC_ENGINE_VERSION_MINOR,
				     FC_ENGINE_VERSION_PATCH };
	for (int i = 0; i < 3; i++) {
		if (ver[i] < ours[i])
			return;
		if (ver[i] > ours[i]) {
			fc_item_error(u, v, FC_LOAD_ERR_VALIDATE, "E-version",
				      fc_arena_printf(u, "Rules require engine version %s, but "
							 "engine version is %s",
						      s, FC_ENGINE_VERSION));
			return;
		}
	}
}

/* Plugins whose fields falcoc has built in: their requirements are met. */
static bool fc_plugin_is_builtin(const char *name)
{
	static const char *const builtin[] = { "container", "k8saudit", "k8saudit-aks",
					       "k8saudit-eks", "k8saudit-gke", "k8saudit-ovh",
					       "json", NULL };
	for (const char *const *p = builtin; *p; p++)
		if (strcmp(*p, name) == 0)
			return true;
	return false;
}

static void fc_load_plugin_versions(struct fc_unit *u, const struct fc_ynode *v)
{
	fc_diag_context(u, "required_plugin_versions", "");
	if (v->kind != FC_Y_SEQ) {
		fc_item_error(u, v, FC_LOAD_ERR_YAML_VALIDATE, "E-plugins",
			      "required_plugin_versions must be a sequence of {name, version}");
		return;
	}
	for (size_t i = 0; i < v->seq.n; i++) {
		const struct fc_ynode *p = v->seq.items[i];
		const char *name = fc_yscalar(fc_ymap_get(p, "name"));
		const char *ver = fc_yscalar(fc_ymap_get(p, "version"));
		if (p->kind != FC_Y_MAP || !name || !ver) {
			fc_item_error(u, p, FC_LOAD_ERR_YAML_VALIDATE, "E-plugins",
				      "each required plugin needs 'name' and 'version'");
			continue;
		}
		bool met = fc_plugin_is_builtin(name);
		const struct fc_ynode *alts = fc_ymap_get(p, "alternatives");
		for (size_t k = 0; alts && alts->kind == FC_Y_SEQ && k < alts->seq.n; k++) {
			const char *an = fc_yscalar(fc_ymap_get(alts->seq.items[k], "name"));
			if (!an || !fc_yscalar(fc_ymap_get(alts->seq.items[k], "version"))) {
				fc_item_error(u, alts->seq.items[k], FC_LOAD_ERR_YAML_VALIDATE,
					      "E-plugins",
					      "each alternative needs 'name' and 'version'");
				continue;
			}
			met |= fc_plugin_is_builtin(an);
		}
		if (!met) {
			struct fc_loc l = p->loc;
			fc_diag(u, &l, FC_WARNING, FC_LOAD_WARNING_EXTENSION, "W-plugin",
				"plugin '%s' is not built into falcoc; rules of its event source "
				"are skipped",
				name);
		}
	}
}

static void fc_load_item(struct fc_unit *u, struct fc_ruleset *rs, const struct fc_ynode *n)
{
	fc_diag_context(u, "rules content item", "");
	if (n->kind == FC_Y_SCALAR && n->scalar.is_null && n->scalar.style == FC_YS_PLAIN) {
		/* A bare '-': Falco accepts and ignores it (k8saudit-0.5.0 rules have one). */
		struct fc_loc l = n->loc;
		fc_diag(u, &l, FC_WARNING, FC_LOAD_UNKNOWN_ITEM, "LOAD_UNKNOWN_ITEM",
			"empty item ignored");
		return;
	}
	if (n->kind != FC_Y_MAP) {
		fc_item_error(u, n, FC_LOAD_ERR_YAML_VALIDATE, "E-item",
			      "Unexpected element type. Each element should be a yaml associative "
			      "array.");
		return;
	}
	const struct fc_ynode *v;
	if ((v = fc_ymap_get(n, "required_engine_version"))) {
		fc_load_engine_version(u, v);
		return;
	}
	if ((v = fc_ymap_get(n, "required_plugin_versions"))) {
		fc_load_plugin_versions(u, v);
		return;
	}
	static const char *const kinds[] = { "rule", "macro", "list" };
	for (int k = 0; k < 3; k++) {
		const struct fc_ynode *name = fc_ymap_get(n, kinds[k]);
		if (!name)
			continue;
		struct fc_item it = { .map = n, .kind = kinds[k], .name_node = name };
		fc_diag_context(u, kinds[k], "");
		if (fc_yempty(name) || name->kind != FC_Y_SCALAR) {
			fc_item_error(u, name, FC_LOAD_ERR_YAML_VALIDATE, "E-item",
				      fc_arena_printf(u, "Mapping for key '%s' is empty", kinds[k]));
			return;
		}
		it.name = fc_intern(u, name->scalar.s);
		fc_diag_context(u, kinds[k], it.name);
		if (k == 0)
			fc_load_rule(u, rs, &it);
		else if (k == 1)
			fc_load_macro(u, rs, &it);
		else
			fc_load_list(u, rs, &it);
		return;
	}
	struct fc_loc l = n->loc;
	fc_diag(u, &l, FC_WARNING, FC_LOAD_UNKNOWN_ITEM, "LOAD_UNKNOWN_ITEM",
		"Unknown top level item: expected a rule, macro, list, required_engine_version "
		"or required_plugin_versions");
}

void fc_rules_load_file(struct fc_unit *u, struct fc_ruleset *rs, const struct fc_src *src)
{
	struct fc_ydoc *docs = NULL;
	size_t ndocs = 0;
	int rc = fc_yaml_load(u, src, &docs, &ndocs);
	for (size_t d = 0; d < ndocs; d++) {
		const struct fc_ynode *root = docs[d].root;
		fc_diag_context(u, "rules content", "");
		if (!root || (root->kind == FC_Y_SCALAR && root->scalar.is_null))
			continue;
		if (root->kind == FC_Y_SCALAR) {
			fc_item_error(u, root, FC_LOAD_ERR_YAML_VALIDATE, "E-yaml",
				      "Rules content is not yaml");
			continue;
		}
		if (root->kind != FC_Y_SEQ) {
			fc_item_error(u, root, FC_LOAD_ERR_YAML_VALIDATE, "E-yaml",
				      "Rules content is not yaml array of objects");
			continue;
		}
		for (size_t i = 0; i < root->seq.n && !src->capped; i++)
			fc_load_item(u, rs, root->seq.items[i]);
	}
	(void)rc;
}

struct fc_ruleset *fc_load_files(struct fc_unit *u, const char *const *paths, int npaths)
{
	struct fc_ruleset *rs = fc_arena_alloc(u, sizeof(*rs));
	for (int i = 0; i < npaths; i++) {
		const struct fc_src *src = fc_src_read(u, paths[i]);
		if (src)
			fc_rules_load_file(u, rs, src);
	}
	fc_rules_resolve(u, rs);
	return rs;
}
