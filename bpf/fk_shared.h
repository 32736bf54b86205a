/* SPDX-License-Identifier: Apache-2.0 */
/* fk_shared.h - the one description of events shared by the kernel side (the bpf/ programs), the
 * runtime (runtime/) and the compiler's backends. Nothing about events is declared twice.
 *
 * An event is one system call, taken at its exit with every parameter (as Falco does since
 * 0.42), or a scheduler event (process exit). Layout in memory and in capture files:
 *
 *   struct fk_event_hdr | __u16 plen[nparams] | param 0 bytes | param 1 bytes | ...
 *
 * Parameters are packed back to back, little endian, their encodings given by enum
 * fk_param_type. An absent parameter has length 0. The list of events and of each event's
 * parameters (named as Falco names them, for evt.arg.NAME) is fk_events.def. */
#ifndef FK_SHARED_H
#define FK_SHARED_H

#if defined(__bpf__)
#include "vmlinux.h"
#else
#include <linux/types.h>
#endif

#define FK_ABI_VERSION 2        /* bump on any layout change below or in fk_events.def */
#define FK_COMM_LEN 16
#define FK_MAX_PARAMS 32
#define FK_MAX_EVENT_LEN (64 * 1024)

struct fk_event_hdr {
	__u64 ts_ns;            /* wall clock, ns since the epoch */
	__s64 res;              /* return value of the system call (child tid for clone/fork) */
	__u32 tid;
	__u32 tgid;             /* the process id */
	__u32 len;              /* bytes, header, lengths and parameters included */
	__u16 type;             /* enum fk_event_type, stored as __u16 */
	__u16 nparams;
};
_Static_assert(sizeof(struct fk_event_hdr) == 32, "fk_event_hdr is ABI");

/* How a parameter's bytes encode its value. */
enum fk_param_type {
	FK_PT_NONE = 0,
	FK_PT_INT8, FK_PT_INT16, FK_PT_INT32, FK_PT_INT64,
	FK_PT_UINT8, FK_PT_UINT16, FK_PT_UINT32, FK_PT_UINT64,
	FK_PT_FD,               /* __s64 */
	FK_PT_PID,              /* __s64 */
	FK_PT_ERRNO,            /* __s64, negative errno on failure */
	FK_PT_FLAGS8, FK_PT_FLAGS16, FK_PT_FLAGS32, /* raw bits; names come from fk_flags */
	FK_PT_MODE,             /* __u32 */
	FK_PT_UID, FK_PT_GID,   /* __u32 */
	FK_PT_SIGTYPE,          /* __u8 */
	FK_PT_RELTIME, FK_PT_ABSTIME, /* __u64 ns */
	FK_PT_CHARBUF,          /* a string, NUL included in the length */
	FK_PT_FSPATH,           /* an absolute or cwd-relative path, as CHARBUF */
	FK_PT_FSRELPATH,        /* a path relative to a dirfd parameter, as CHARBUF */
	FK_PT_BYTEBUF,          /* raw bytes (the captured prefix of a buffer) */
	FK_PT_CHARBUFARRAY,     /* NUL-separated strings: argv, env */
	FK_PT_SOCKADDR,         /* __u8 family, then AF_INET: __u32 addr __u16 port;
				 * AF_INET6: __u8 addr[16] __u16 port; AF_UNIX: path */
	FK_PT_SOCKTUPLE,        /* __u8 family, then AF_INET: __u32 sip __u16 sport __u32 dip
				 * __u16 dport; AF_INET6: 16+2+16+2 bytes; AF_UNIX: __u64 src
				 * __u64 dst then path */
	FK_PT_COUNT
};

/* Socket families as they appear in SOCKADDR and SOCKTUPLE parameters. */
enum fk_family {
	FK_AF_UNSPEC = 0,
	FK_AF_UNIX = 1,
	FK_AF_INET = 2,
	FK_AF_INET6 = 10,
};

enum fk_event_type {
#define FK_EVENT(id, name, flags, params) FK_EVENT_##id,
#include "bpf/fk_events.def"
#undef FK_EVENT
	FK_EVENT_COUNT
};

/* What an event does to state, for the runtime and the prefilter's "state needs it". */
enum fk_event_flags {
	FK_EF_SYSCALL = 1 << 0,
	FK_EF_CREATES_FD = 1 << 1,   /* res (or an fd parameter) is a new file descriptor */
	FK_EF_CLOSES_FD = 1 << 2,
	FK_EF_PROC = 1 << 3,         /* changes the process table: clone, execve, exit, set*id */
	FK_EF_FILE = 1 << 4,         /* acts on a path */
	FK_EF_NET = 1 << 5,
	FK_EF_ENTER = 1 << 6,        /* a system call's entry ('>'): only in old scap captures,
				      * which record entry and exit as two events */
	FK_EF_GENERIC = 1 << 7,      /* a system call with no event of its own: evt.type is the
				      * ID parameter */
};

#endif /* FK_SHARED_H */
