/* SPDX-License-Identifier: Apache-2.0 */
/* fc.h - the public API of the falcoc compiler library.
 *
 * A unit (struct fc_unit) owns everything one compilation makes: the source texts, an arena
 * for the AST and strings, the interner and the diagnostics. Programs (falcoc, falco-lint,
 * falcod) include only this header. Nothing here prints or exits: errors go to the unit's
 * diagnostic sink and are rendered by fc_diag_render() or fc_diag_render_json(). */
#ifndef FC_H
#define FC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct fc_unit;
struct fc_node;
struct fc_ruleset;
struct fc_field;

/* Falco's load result codes, written once in fc_codes.def. */
enum fc_code {
#define FC_CODE(name, sev, desc) FC_##name,
#include "compiler/fc_codes.def"
#undef FC_CODE
	FC_CODE_COUNT
};

enum fc_severity { FC_NOTE, FC_WARNING, FC_ERROR };

/* A position in a source. Lines and columns are 1-based, columns in bytes. While a condition
 * string is parsed, off/end are byte offsets into that string; line and column are already
 * mapped back to the file the string came from. src is NULL for text without a file. */
struct fc_loc {
	int first_line, first_column;
	int last_line, last_column;
	unsigned off, end;
	const struct fc_src *src;
};

/* One loaded text: a rules file, or a string given to fc_parse_condition(). */
struct fc_src {
	const char *path;       /* as given by the caller */
	const char *text;       /* NUL-terminated copy owned by the unit */
	size_t len;
	unsigned *lines;        /* byte offset of each line start */
	unsigned nlines;
	unsigned nerrors;       /* errors reported in this source */
	bool capped;            /* the per-file error limit was reached; later errors dropped */
};

struct fc_note {
	struct fc_loc loc;
	char *msg;
	struct fc_note *next;
};

struct fc_diag {
	enum fc_severity sev;
	enum fc_code code;      /* Falco's code: LOAD_ERR_COMPILE_CONDITION, LOAD_NO_EVTTYPE, ... */
	const char *id;         /* falcoc's finer name, e.g. "E-field"; stable, used by falco-lint */
	struct fc_loc loc;
	bool has_loc;
	char *msg;
	const char *item_type;  /* Falco's context: "rule", "macro", "list", "rules content", ... */
	const char *item_name;
	struct fc_note *notes;
	struct fc_diag *next;
};

struct fc_options {
	/* Falco's rule_matching and source settings are runtime matters; the compiler needs only
	 * how strict to be. */
	int max_errors_per_file; /* 0: default of 20 */
};

/* Units. fc_unit_new(NULL) uses defaults. Returns NULL only on OOM. */
struct fc_unit *fc_unit_new(const struct fc_options *opts);
void fc_unit_free(struct fc_unit *u);

/* Arena and interner: memory lives until fc_unit_free(). */
void *fc_arena_alloc(struct fc_unit *u, size_t n);
char *fc_arena_strndup(struct fc_unit *u, const char *s, size_t n);
char *fc_arena_printf(struct fc_unit *u, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *fc_intern(struct fc_unit *u, const char *s);
const char *fc_intern_n(struct fc_unit *u, const char *s, size_t n);

/* Sources. fc_src_add copies text; fc_src_read reads a file (NULL and a LOAD_ERR_FILE_READ
 * diagnostic on failure). */
const struct fc_src *fc_src_add(struct fc_unit *u, const char *path, const char *text, size_t len);
const struct fc_src *fc_src_read(struct fc_unit *u, const char *path);
/* Line and column (1-based) of a byte offset. */
void fc_src_position(const struct fc_src *s, unsigned off, int *line, int *col);

/* Diagnostics. fc_diag returns the record so that notes can be attached. */
struct fc_diag *fc_diag(struct fc_unit *u, const struct fc_loc *loc, enum fc_severity sev,
			enum fc_code code, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void fc_diag_note(struct fc_unit *u, struct fc_diag *d, const struct fc_loc *loc,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Sets the Falco item context (type and name) that following diagnostics carry. */
void fc_diag_context(struct fc_unit *u, const char *item_type, const char *item_name);
/* The current context, to restore after a temporary change. */
void fc_diag_context_get(const struct fc_unit *u, const char **item_type, const char **item_name);
const struct fc_diag *fc_diag_list(const struct fc_unit *u);
unsigned fc_diag_count(const struct fc_unit *u, enum fc_severity sev);
/* The first diagnostic's header line "file:line:col: error: message", for tests. */
const char *fc_diag_first(struct fc_unit *u);
const char *fc_code_name(enum fc_code c);
const char *fc_code_desc(enum fc_code c);
/* Clang-style text: header, source line, caret, notes. */
void fc_diag_render(const struct fc_unit *u, const struct fc_diag *d, FILE *out, bool color);
/* A JSON string literal, escaped; the _n form may hold NULs (escaped as \u0000). */
void fc_json_string(FILE *out, const char *s);
void fc_json_string_n(FILE *out, const char *s, size_t len);

/* Conditions: parse one condition string (no file). NULL on a syntax error. */
struct fc_node *fc_parse_condition(struct fc_unit *u, const char *text);
/* S-expression and condition-language renderings of an AST, in the arena. */
const char *fc_ast_sexpr(struct fc_unit *u, const struct fc_node *n);
const char *fc_ast_unparse(struct fc_unit *u, const struct fc_node *n);
bool fc_ast_equal(const struct fc_node *a, const struct fc_node *b);

/* Rules files: load every file in order (append/override semantics across files), resolve
 * macros and lists, expand exceptions and type check. Always returns the ruleset built from
 * what was valid; errors are in the unit's diagnostics. */
struct fc_ruleset *fc_load_files(struct fc_unit *u, const char *const *paths, int npaths);

/* The checked ruleset and its AST, for programs that inspect rules (falco-lint, falcod). */
#include "compiler/fc_rules.h"
#include "compiler/fc_evtset.h"
#include "compiler/fc_fields.h"
/* Rule conditions as native code (LLVM); no LLVM type in it. */
#include "compiler/backend/fc_jit.h"
/* Rule bundles: the checked ruleset written once, loaded without the front end. */
#include "compiler/fc_bundle.h"

#endif /* FC_H */
