/* SPDX-License-Identifier: Apache-2.0 */
/* fc_evttypes.h - the names `evt.type` accepts, from fc_evttypes.def: syscall names and
 * Falco's special (non-syscall) events. The type checker rejects any other value with
 * "unknown event type", as Falco does; the LOAD_NO_EVTTYPE analysis indexes its sets by
 * enum fc_evttype. Which events the drivers emit, and how, does not belong here. */
#ifndef FC_EVTTYPES_H
#define FC_EVTTYPES_H

#include <stddef.h>

enum fc_evt_flags {
	FC_EVTF_SYSCALL = 1, /* a syscall name (kernel spelling or libscap's event name) */
	FC_EVTF_SPECIAL = 2, /* a tracepoint, meta, plugin or generic event; not a syscall */
	FC_EVTF_OLD = 4,     /* no longer produced by current drivers or libsinsp */
};

/* FC_EVT_<name>, in .def order: the FC_EVT_NSYSCALL syscall names come first. */
enum fc_evttype {
#define FC_EVT(name, flags) FC_EVT_##name,
#include "compiler/fc_evttypes.def"
#undef FC_EVT
	FC_EVT_COUNT
};

/* How many entries carry FC_EVTF_SYSCALL; they are [0, FC_EVT_NSYSCALL). */
enum {
	FC_EVT_NSYSCALL = 0
#define FC_EVT(name, flags) +(((flags)&FC_EVTF_SYSCALL) ? 1 : 0)
#include "compiler/fc_evttypes.def"
#undef FC_EVT
};

/* The name as written in conditions (static storage), or NULL if t is out of range. */
const char *fc_evttype_name(enum fc_evttype t);

/* An OR of enum fc_evt_flags, or 0 if t is out of range. */
unsigned fc_evttype_flags(enum fc_evttype t);

/* The enum fc_evttype of the name[0..len), or -1 if it names no event type. name need not be
 * NUL-terminated. Case-sensitive ("OPEN" is unknown), like Falco. Binary search over the
 * static table: no allocation, no state, safe from any thread. */
int fc_evttype_lookup(const char *name, size_t len);

#endif /* FC_EVTTYPES_H */
