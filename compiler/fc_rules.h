/* SPDX-License-Identifier: Apache-2.0 */
/* fc_rules.h - the ruleset: lists, macros and rules as loaded from rules files, and what
 * resolution and checking make of them.
 *
 * fc_rules_load.c fills these from YAML (definitions, append and override across files, in
 * Falco's order); fc_resolve.c expands lists, macros and exceptions; fc_check.c types every
 * condition and output. Everything lives in the unit's arena. */
#ifndef FC_RULES_H
#define FC_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include "compiler/fc.h"
#include "compiler/fc_ast.h"
#include "compiler/fc_yaml.h"

#define FC_ENGINE_VERSION_MAJOR 0
#define FC_ENGINE_VERSION_MINOR 57
#define FC_ENGINE_VERSION_PATCH 0
#define FC_ENGINE_VERSION "0.57.0"

/* A text put together from YAML scalars, as Falco concatenates appended conditions with a
 * space between. Each segment remembers its scalar so positions map back to files. */
struct fc_text_seg {
	size_t off;                     /* where the segment starts in s */
	size_t len;
	const struct fc_ynode *scalar;  /* NULL for text falcoc inserted (a space, parens) */
};

struct fc_text {
	char *s;
	size_t len;
	struct fc_text_seg *segs;
	size_t nsegs, cap;
	bool set;                       /* the key was present */
};

enum fc_priority {
	FC_PRIO_EMERGENCY,
	FC_PRIO_ALERT,
	FC_PRIO_CRITICAL,
	FC_PRIO_ERROR,
	FC_PRIO_WARNING,
	FC_PRIO_NOTICE,
	FC_PRIO_INFORMATIONAL,
	FC_PRIO_DEBUG,
};

struct fc_list {
	const char *name;
	struct fc_loc loc;              /* the item's 'list:' key value */
	/* Falco numbers every definition and modification of any item with one counter:
	 * index is the number of the first definition, visibility of the latest change. A list
	 * or macro sees the lists or macros whose index is below its visibility. */
	int index;
	int visibility;
	struct fc_str *raw;             /* items as written (appends included) */
	size_t nraw, rawcap;
	struct fc_str *items;           /* after one level of list references, as Falco does */
	size_t nitems;
	bool used;
	struct fc_loc replaced;         /* an earlier definition this one replaced (src NULL: none) */
};

struct fc_macro {
	const char *name;
	struct fc_loc loc;
	int index, visibility;
	struct fc_text cond;
	struct fc_node *ast;            /* parsed, list references expanded; NULL on error */
	bool used;
	bool failed;                    /* its errors were reported; uses stay quiet */
	int mark;                       /* loop detection */
	struct fc_loc replaced;         /* an earlier definition this one replaced (src NULL: none) */
};

/* An exception as written; values are YAML nodes (scalars, or sequences for tuples). */
struct fc_exception {
	const char *name;
	struct fc_loc loc;
	const struct fc_ynode *fields;  /* scalar or sequence */
	const struct fc_ynode *comps;   /* scalar, sequence or NULL */
	const struct fc_ynode **values; /* one node per value entry */
	size_t nvalues, valcap;
};

struct fc_output_part {
	const char *text;               /* literal text, or NULL for a field */
	size_t len;
	struct fc_expr *field;          /* %field[arg], checked */
};

struct fc_rule {
	const char *name;
	struct fc_loc loc;
	int index;
	struct fc_text cond;
	struct fc_text output;
	const char *desc;
	enum fc_priority priority;
	bool has_priority;
	bool enabled;
	const char **tags;
	size_t ntags;
	const char *source;             /* interned; "syscall" by default */
	int src;                        /* enum fc_source, or -1 when unknown */
	struct fc_exception *exceptions;
	size_t nexceptions, exccap;
	bool warn_evttypes;
	bool skip_if_unknown_filter;
	/* after checking */
	struct fc_node *ast;            /* condition, macros and exceptions expanded */
	struct fc_output_part *parts;
	size_t nparts;
	bool valid;                     /* loaded, resolved and checked without error */
	bool skipped;                   /* unknown source or unknown field with skip-if-... */
	struct fc_loc replaced;         /* an earlier definition this one replaced (src NULL: none) */
	const struct fc_ynode *node;    /* the item as written (its latest definition) */
};

/* A definition that replaced an earlier one of the same name (not append or override). */
struct fc_replacement {
	const char *kind;               /* "rule", "macro", "list" */
	const char *name;
	struct fc_loc loc, prev;
};

struct fc_ruleset {
	struct fc_list **lists;
	size_t nlists, listcap;
	struct fc_macro **macros;
	size_t nmacros, macrocap;
	struct fc_rule **rules;
	size_t nrules, rulecap;
	int order;                      /* Falco's item counter, for index and visibility */
	struct fc_replacement *replacements; /* in load order */
	size_t nreplacements, replcap;
};

const char *fc_priority_name(enum fc_priority p);
/* Case-insensitive, as Falco accepts: "Warning", "INFO", "informational", ... */
bool fc_priority_parse(const char *s, enum fc_priority *out);

void fc_text_append(struct fc_unit *u, struct fc_text *t, const char *s, size_t len,
		    const struct fc_ynode *scalar);
/* Where byte [off, end) of a composed text stands in its file. */
struct fc_loc fc_text_loc(const void *text, size_t off, size_t end);

struct fc_list *fc_ruleset_list(const struct fc_ruleset *rs, const char *name);
struct fc_macro *fc_ruleset_macro(const struct fc_ruleset *rs, const char *name);
struct fc_rule *fc_ruleset_rule(const struct fc_ruleset *rs, const char *name);

/* Reads one file's items into rs, in order. */
void fc_rules_load_file(struct fc_unit *u, struct fc_ruleset *rs, const struct fc_src *src);
/* Expands lists, macros and exceptions and type checks every rule (fc_resolve.c). */
void fc_rules_resolve(struct fc_unit *u, struct fc_ruleset *rs);

#endif /* FC_RULES_H */
