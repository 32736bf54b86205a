/* SPDX-License-Identifier: Apache-2.0 */
/* rt_scap.h - reads Falco/sysdig capture files (.scap, gzip-compressed or plain) into the
 * event model of bpf/fk_shared.h: the capture's initial state (machine, processes, fds, users,
 * groups) into an rt_state, then its events one by one as fk_event records.
 *
 * What this reader does with a capture's events:
 *  - exit events of system calls we model become our event of that name, their parameters
 *    taken by name into our parameter order (parameters the capture's version lacks are
 *    absent);
 *  - entry events (captures older than Falco 0.42 record both directions) become the
 *    FK_EF_ENTER variant of the event (OPEN_E, ...) when fk_events.def has one, else
 *    GENERIC_E whose ID is the system call's name, so evt.type and evt.dir read as in Falco;
 *  - system calls we have no event for (brk, access, fstat, munmap, exit_group, ...) become
 *    GENERIC / GENERIC_E with ID = the system call's name ("<unknown>" where the capture
 *    itself does not know it, as sysdig prints it);
 *  - internal events (procinfo, scheduler switches, drops, container metadata, plugin
 *    events) and event types this reader does not know are skipped, and counted.
 * Parameters keep Falco's encodings: open flags are PPM_O_*, clone flags PPM_CL_*, mmap
 * prot/flags PPM_PROT_* / PPM_MAP_*, socket families PPM_AF_*, exactly as in the file.
 *
 * Every length in the file is checked against the block that holds it; a corrupt or
 * truncated file gives an error naming the offset in the decompressed stream, never a
 * crash. No code of libscap is used: the format is described in docs/capture.md
 * ("Reading Falco's .scap files"). */
#ifndef RT_SCAP_H
#define RT_SCAP_H

#include <stddef.h>
#include <stdint.h>

struct rt_scap;
struct rt_state;
struct fk_event_hdr;

/* Opens a capture file and reads its section header. Returns NULL with a message in err
 * when the file cannot be read or is not a capture. */
struct rt_scap *rt_scap_open(const char *path, char *err, size_t errlen);
/* The same from memory (gzip-compressed or plain). buf is borrowed and must outlive the
 * reader, unless it is gzip, in which case it is inflated into memory the reader owns. */
struct rt_scap *rt_scap_open_mem(const void *buf, size_t len, char *err, size_t errlen);

/* Loads the capture's initial state into s: the machine's hostname, the process list
 * (tid, pid, ptid, sid, pgid, vtid, vpid, comm, exe, exepath, args, env, cwd, uid, gid,
 * loginuid, tty, cgroups, capabilities), every process's fds (file names and open flags,
 * socket tuples, unix socket paths), users and groups. Call it once, before the first
 * rt_scap_next (which otherwise skips these blocks). Returns 0, or -1 with a message. */
int rt_scap_load_state(struct rt_scap *r, struct rt_state *s, char *err, size_t errlen);

/* The next event, converted. *rec points into memory the reader owns, valid until the next
 * call. Returns 1 for an event, 0 at the end of the capture, -1 on a corrupt or truncated
 * file (the message names the offset in the decompressed stream and what was wrong; later
 * calls return -1 again). */
int rt_scap_next(struct rt_scap *r, const struct fk_event_hdr **rec, char *err, size_t errlen);

/* The capture's 1-based number of the event rt_scap_next returned last, counting skipped
 * events too: sysdig's and Falco's evt.num for it. */
uint64_t rt_scap_event_num(const struct rt_scap *r);

struct rt_scap_stats {
	uint16_t major, minor;     /* the section header's format version */
	uint64_t blocks;           /* blocks read, section header included */
	uint64_t events;           /* event blocks read */
	uint64_t converted;        /* events returned */
	uint64_t skipped_internal; /* procinfo, switch, drop, container, plugin ... */
	uint64_t skipped_unknown;  /* event types this reader does not know */
	uint64_t skipped_blocks;   /* unknown block types, state blocks rt_scap_next skipped */
	uint64_t threads, fds, users, groups; /* state loaded by rt_scap_load_state */
};
void rt_scap_stats(const struct rt_scap *r, struct rt_scap_stats *out);

void rt_scap_close(struct rt_scap *r);

#endif /* RT_SCAP_H */
