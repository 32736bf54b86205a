/* SPDX-License-Identifier: Apache-2.0 */
/* fc_yaml.h - YAML documents as trees with source positions, read with libyaml.
 *
 * This layer knows YAML, not rules: fc_rules_load.c gives the nodes their meaning. Every node
 * remembers where it stands in the file, and every scalar keeps a map from each byte of its
 * value back to the file, so that a column inside a condition (even inside a folded '>' or
 * literal '|' block, or a quoted scalar spanning lines) is reported at its place in the file.
 * All memory lives in the unit's arena. */
#ifndef FC_YAML_H
#define FC_YAML_H

#include <stddef.h>
#include "compiler/fc.h"

enum fc_ynode_kind { FC_Y_SCALAR, FC_Y_SEQ, FC_Y_MAP };

enum fc_yscalar_style { FC_YS_PLAIN, FC_YS_SINGLE, FC_YS_DOUBLE, FC_YS_LITERAL, FC_YS_FOLDED };

struct fc_ypair;

struct fc_ynode {
	enum fc_ynode_kind kind;
	struct fc_loc loc;      /* start and end of the node in the file (src set) */
	const char *tag;        /* explicit tag, or NULL */
	union {
		struct {
			const char *s;          /* value, NUL-terminated (may hold NULs before len) */
			size_t len;
			enum fc_yscalar_style style;
			/* map[i] is the file byte offset that value byte i came from; map[len] is
			 * one past the last. NULL when the mapping is lossy (escapes that do not
			 * align): then report positions at loc's start. */
			const unsigned *map;
			bool is_null;           /* plain '', '~', 'null', 'Null', 'NULL' */
		} scalar;
		struct {
			struct fc_ynode **items;
			size_t n;
		} seq;
		struct {
			struct fc_ypair *pairs;
			size_t n;
		} map;
	};
};

struct fc_ypair {
	struct fc_ynode *key;
	struct fc_ynode *value;
};

struct fc_ydoc {
	struct fc_ynode *root;  /* NULL for an empty document */
	struct fc_loc loc;      /* where the document starts */
};

/* Parses every document of src. On a YAML syntax error, reports LOAD_ERR_YAML_PARSE at the
 * error's position (item type "rules content") and returns -EINVAL; *docs then holds the
 * documents before the error. Aliases are resolved to the anchored node. */
int fc_yaml_load(struct fc_unit *u, const struct fc_src *src, struct fc_ydoc **docs,
		 size_t *ndocs);

/* The file position of byte off of a scalar's value (off may equal len). */
struct fc_loc fc_yaml_scalar_loc(const struct fc_ynode *n, size_t off, size_t end);

/* Lookup of a key in a mapping; NULL when absent. */
struct fc_ynode *fc_ymap_get(const struct fc_ynode *map, const char *key);

#endif /* FC_YAML_H */
