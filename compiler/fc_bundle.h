/* SPDX-License-Identifier: Apache-2.0 */
/* fc_bundle.h - rule bundles: a checked ruleset written once (falcoc compile) and loaded by
 * falcod without the YAML or the front end. docs/bundle.md is the format.
 *
 * A bundle holds the versions it was built against, the ruleset's metadata (rules, priorities,
 * tags, sources, output templates, lists), every rule's checked and expanded condition AST
 * (fields by registry id), the event types to capture, and opaque sections other backends add
 * (the eBPF prefilter programs), each section with its length and CRC-32, the whole file with
 * a SHA-256. The writer is deterministic: the same inputs give the same bytes.
 *
 * The reader verifies everything before it builds anything, then rebuilds the ruleset in the
 * caller's (fresh) unit with the shape the checker produces, so that rt_engine_new and the JIT
 * take it unchanged. What is refused is reported through the unit's sink as an E-bundle error
 * that names the file, the section and the byte offset. Not here: how sections other than the
 * ruleset's are made or used (the prefilter backend owns FC_BUNDLE_SEC_PREFILTER). */
#ifndef FC_BUNDLE_H
#define FC_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fc_unit;
struct fc_ruleset;

#define FC_BUNDLE_MAGIC "FCBUNDLE"     /* 8 bytes, no NUL */
#define FC_BUNDLE_FORMAT_VERSION 1     /* bump on any change to the layout in docs/bundle.md */
#define FC_BUNDLE_HEADER_SIZE 128
#define FC_BUNDLE_SECTION_HEADER_SIZE 24
#define FC_BUNDLE_TRAILER_SIZE 32      /* SHA-256 of every byte before it */
#define FC_BUNDLE_MAX_SIZE (1u << 30)  /* readers refuse larger files */

/* Section types. 1..15 are the ruleset's (written by the writer itself, each exactly once);
 * others are added with fc_bundle_add_section. A reader refuses an unknown type unless the
 * section carries FC_BUNDLE_SECF_OPTIONAL. Numbers are never reused. */
enum fc_bundle_section_type {
	FC_BUNDLE_SEC_META = 1,      /* inputs (basename, SHA-256), counts */
	FC_BUNDLE_SEC_LISTS = 2,     /* list tables: name, items */
	FC_BUNDLE_SEC_RULES = 3,     /* rules: metadata, output parts, condition AST */
	FC_BUNDLE_SEC_EVTTYPES = 4,  /* event types the enabled syscall rules can match */
	FC_BUNDLE_SEC_PREFILTER = 16, /* opaque: the eBPF prefilter programs (prefilter backend) */
	FC_BUNDLE_SEC_BITCODE = 17,  /* opaque, reserved: LLVM bitcode of the conditions */
	FC_BUNDLE_SEC_NATIVE = 18,   /* opaque, optional: the conditions as native code
				      * (fc_jit_emit), linked by falcod instead of compiling */
};

enum fc_bundle_section_flags {
	FC_BUNDLE_SECF_OPTIONAL = 1, /* a reader that does not know the type may skip it */
};

/* --- writing ----------------------------------------------------------------------------- */

struct fc_bundle_writer;

struct fc_bundle_writer_options {
	const char *compiler_version; /* e.g. "0.1.0"; at most 15 bytes; NULL: "unknown" */
};

/* A writer for the ruleset rs of unit u, compiled from the rules files paths[0..npaths) (read
 * again to record their basenames and SHA-256s). rs must have no errors: every rule valid or
 * skipped. NULL with an error diagnostic in u when a file cannot be read or rs has a rule that
 * is neither valid nor skipped. Borrows u and rs until fc_bundle_writer_free. */
struct fc_bundle_writer *fc_bundle_writer_new(struct fc_unit *u, const struct fc_ruleset *rs,
					      const char *const *paths, int npaths,
					      const struct fc_bundle_writer_options *o);
/* Adds an opaque section (data is copied). type must not be one of the ruleset's (1..15) nor
 * added twice; flags is FC_BUNDLE_SECF_* (use _add_section_flags). Sections are written in
 * type order whatever the order of the calls. 0, -EINVAL (reserved type, too large), -EEXIST. */
int fc_bundle_add_section(struct fc_bundle_writer *w, uint32_t type, const void *data, size_t len);
int fc_bundle_add_section_flags(struct fc_bundle_writer *w, uint32_t type, uint32_t flags,
				const void *data, size_t len);
/* The bundle's bytes: *out is malloc'ed (the caller frees it). 0, or -ENOMEM / -EFBIG. */
int fc_bundle_writer_finish(struct fc_bundle_writer *w, void **out, size_t *len);
void fc_bundle_writer_free(struct fc_bundle_writer *w);

/* --- reading ----------------------------------------------------------------------------- */

struct fc_bundle;

/* Verifies the bundle data[0..len) and rebuilds its ruleset in u, which should be fresh (one
 * unit per loaded bundle: it owns the ruleset, the ASTs and the sections). name is the file
 * name used in messages. Returns NULL after an E-bundle error in u's sink when the bundle is
 * truncated, corrupt (magic, lengths, CRCs, SHA-256, malformed contents) or incompatible
 * (format version, FK_ABI_VERSION, field registry or event-type table, or an engine version
 * newer than this one). Never reads outside data. */
struct fc_bundle *fc_bundle_read(struct fc_unit *u, const void *data, size_t len,
				 const char *name);
/* fc_bundle_read of a file's contents (LOAD_ERR_FILE_READ when it cannot be read). */
struct fc_bundle *fc_bundle_read_file(struct fc_unit *u, const char *path);

/* The rebuilt ruleset: rules, lists (no macros: they are expanded into the conditions). Lives
 * in the unit; the runtime may change rules' enabled flags (falcod -D/-T/-t). */
struct fc_ruleset *fc_bundle_ruleset(const struct fc_bundle *b);
/* A section's payload (8-byte aligned, in the unit), or NULL when the bundle has none of that
 * type. *len (when given) receives its length. */
const void *fc_bundle_section(const struct fc_bundle *b, uint32_t type, size_t *len);

struct fc_bundle_input {
	const char *name;           /* basename of the rules file as given to falcoc compile */
	uint8_t sha256[32];         /* of its contents */
};

struct fc_bundle_section_info {
	uint32_t type, flags;
	uint64_t offset;            /* of the payload, in the file */
	uint64_t len;
	uint32_t crc32;
};

/* What falcoc inspect prints. Strings live in the unit. */
struct fc_bundle_info {
	uint32_t format_version;
	uint32_t abi_version;       /* FK_ABI_VERSION it was built for */
	uint16_t engine_major, engine_minor, engine_patch;
	const char *compiler_version;
	uint8_t fields_hash[32];    /* of the field registry (fc_fields_hash) */
	uint8_t evttypes_hash[32];  /* of the event-type table (fc_evttypes_hash) */
	uint8_t sha256[32];         /* the trailer: checksum of the whole file */
	uint64_t size;
	const struct fc_bundle_input *inputs;
	size_t ninputs;
	size_t nmacros;             /* in the source ruleset (expanded, not stored) */
	const struct fc_bundle_section_info *sections;
	size_t nsections;
	bool evt_any;               /* some syscall rule matches every event type */
	const char *const *evttypes; /* names of the event types to capture, table order */
	size_t nevttypes;
};
const struct fc_bundle_info *fc_bundle_info(const struct fc_bundle *b);

/* A name for a section type ("RULES", "PREFILTER"), or NULL when unknown. */
const char *fc_bundle_section_name(uint32_t type);

/* --- hashes the header carries; also for tests ------------------------------------------ */

/* SHA-256 of the field registry as the AST encoding depends on it: for every field in id
 * order its id, name, type name, argument kind, flags and source, then the type names and the
 * operator spellings in enum order. Descriptions are left out: rewording one keeps bundles. */
void fc_fields_hash(uint8_t out[32]);
/* SHA-256 of the event-type table: every name and flags, in enum order. */
void fc_evttypes_hash(uint8_t out[32]);
/* SHA-256 and CRC-32 (IEEE 802.3, as zlib's crc32) as the format uses them. */
void fc_sha256(const void *data, size_t len, uint8_t out[32]);
uint32_t fc_crc32(const void *data, size_t len);

#endif /* FC_BUNDLE_H */
