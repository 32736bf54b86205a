/* SPDX-License-Identifier: Apache-2.0 */
/* fc_fields.h - the field registry: every field of every known event source, described once
 * in fc_fields.def. The type checker, the interpreter, the backends, `falcoc fields` and the
 * docs all read this table; nothing keeps a second list of fields. */
#ifndef FC_FIELDS_H
#define FC_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum fc_type {
#define FC_TYPE(name, cls) FC_T_##name,
#include "compiler/fc_types.def"
#undef FC_TYPE
	FC_T_COUNT,
	FC_T_POISON = FC_T_COUNT, /* a value whose type is unknown after an error */
};

enum fc_type_class {
	FC_CLASS_STRING,
	FC_CLASS_BYTES,
	FC_CLASS_NUMBER,
	FC_CLASS_BOOL,
	FC_CLASS_IPADDR,
	FC_CLASS_IPNET,
};

/* What a field takes between brackets (or after a dot, with FC_F_DOTARG). */
enum fc_arg_kind {
	FC_ARG_NONE,         /* proc.name */
	FC_ARG_INDEX,        /* required number: proc.aname[2] is also OPT_INDEX, see below */
	FC_ARG_OPT_INDEX,    /* optional number: proc.aname, proc.aname[2] */
	FC_ARG_KEY,          /* required string key: proc.env[HOME], ka.uri.param[x] */
	FC_ARG_OPT_KEY,      /* optional string key */
	FC_ARG_INDEX_OR_KEY, /* required, number or name: evt.arg[1], evt.arg[fd], evt.arg.fd */
};

enum fc_field_flags {
	FC_F_LIST = 1 << 0,       /* the field has several values (ka.req.pod.containers.image) */
	FC_F_DEPRECATED = 1 << 1, /* accepted with a LOAD_DEPRECATED_ITEM warning */
	FC_F_DOTARG = 1 << 2,     /* the argument may follow a dot: evt.arg.fd */
	FC_F_OUTPUT_ONLY = 1 << 3, /* usable in outputs, not in conditions */
};

enum fc_source {
	FC_SRC_SYSCALL,
	FC_SRC_K8S_AUDIT,
	FC_SRC_COUNT,
};

enum fc_field_id {
#define FC_FIELD(id, name, type, arg, flags, src, desc) FC_FIELD_##id,
#include "compiler/fc_fields.def"
#undef FC_FIELD
	FC_FIELD_COUNT
};

struct fc_field {
	enum fc_field_id id;
	const char *name;
	enum fc_type type;
	enum fc_arg_kind arg;
	unsigned flags;
	enum fc_source src;
	const char *desc;
};

extern const struct fc_field fc_fields[FC_FIELD_COUNT];

const char *fc_type_name(enum fc_type t);
enum fc_type_class fc_type_class(enum fc_type t);
const char *fc_source_name(enum fc_source s);
/* -1 when the name is not a known source. */
int fc_source_lookup(const char *name);

/* Looks a field up by its full name as written, e.g. "proc.aname" or "evt.arg.fd". For a
 * FC_F_DOTARG field written with a dotted argument, *dotarg receives the argument's offset in
 * name (0 when there is none). NULL when no field has that name in that source. */
const struct fc_field *fc_field_lookup(const char *name, enum fc_source src, size_t *dotarg);
/* The closest known name within a small edit distance, or NULL. */
const char *fc_field_suggest(const char *name, enum fc_source src);

/* Renderings of the registry for `falcoc fields`: aligned text for terminals, JSON
 * ({"fields":[{"name", "type", "arg", "list", "deprecated", "source", "description"}]}) for
 * tools, and the Markdown page docs/fields.md. src is an enum fc_source, or -1 for all. */
enum fc_fields_format { FC_FIELDS_TEXT, FC_FIELDS_JSON, FC_FIELDS_MARKDOWN };
void fc_fields_print(FILE *out, enum fc_fields_format fmt, int src);

#endif /* FC_FIELDS_H */
