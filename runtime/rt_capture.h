/* SPDX-License-Identifier: Apache-2.0 */
/* rt_capture.h - falcod's own capture files: a header (magic "FALCOCAP", format version, the
 * event ABI of bpf/fk_shared.h, hostname, start time), a snapshot of the state needed to
 * interpret the events (threads, fds per process, users, groups), then event records as
 * bpf/fk_shared.h lays them out. Every piece after the header is a block framed by a type,
 * a length and a CRC32, and the file ends with an end block, so that truncation and
 * corruption are always detected. docs/capture.md describes every byte.
 *
 * Not here: .scap files (rt_scap.c), event decoding (rt_event.c), what state does with events
 * (rt_state.c). Nothing here prints or exits. */
#ifndef RT_CAPTURE_H
#define RT_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bpf/fk_shared.h"

struct rt_state;
struct rt_thread;
struct rt_fd;
struct rt_user;
struct rt_group;
struct rt_event;

#define RT_CAPTURE_MAGIC "FALCOCAP"
#define RT_CAPTURE_MAGIC_LEN 8
#define RT_CAPTURE_VERSION 1
#define RT_CAPTURE_MAX_HOSTNAME 1024
/* Largest payload of any block; a larger length is reported as corruption. */
#define RT_CAPTURE_MAX_BLOCK (16u * 1024 * 1024)

/* Block types: four ASCII characters, stored in file order (docs/capture.md). */
#define RT_CAPTURE_BLOCK_THREAD "THRD"
#define RT_CAPTURE_BLOCK_FD "FDES"
#define RT_CAPTURE_BLOCK_USER "USER"
#define RT_CAPTURE_BLOCK_GROUP "GRUP"
#define RT_CAPTURE_BLOCK_STATE_END "STEN"
#define RT_CAPTURE_BLOCK_EVENT "EVNT"
#define RT_CAPTURE_BLOCK_END "CEND"

struct rt_capture_header {
	uint16_t version;               /* RT_CAPTURE_VERSION */
	uint32_t abi;                   /* FK_ABI_VERSION of the writer */
	uint64_t start_ns;              /* wall clock, ns since the epoch */
	char hostname[RT_CAPTURE_MAX_HOSTNAME + 1];
};

/* True when buf (n bytes, the start of a file) begins with the capture magic. */
bool rt_capture_sniff(const void *buf, size_t n);

/* --- writing ----------------------------------------------------------------------------- */

struct rt_capture_writer;

/* Creates (truncates) path and writes the header. NULL on error, with the reason in err. */
struct rt_capture_writer *rt_capture_writer_new(const char *path, const char *hostname,
						uint64_t start_ns, char *err, size_t errlen);
/* State blocks. They must all come before the first event: once an event was written they
 * return -EINVAL. Each returns 0 or -errno. */
int rt_capture_write_thread(struct rt_capture_writer *w, const struct rt_thread *t);
/* An fd of the process of tid. */
int rt_capture_write_fd(struct rt_capture_writer *w, int64_t tid, const struct rt_fd *fd);
int rt_capture_write_user(struct rt_capture_writer *w, const struct rt_user *u);
int rt_capture_write_group(struct rt_capture_writer *w, const struct rt_group *g);
/* The whole snapshot of s: every thread, every process's fds (once per process), and the
 * users and groups the threads refer to (uid, euid, loginuid; gid, egid). */
int rt_capture_write_state(struct rt_capture_writer *w, struct rt_state *s);
/* Appends one event record (h->len bytes) with its evt.num: num must grow from event to
 * event (a converted .scap keeps its numbers, gaps included); 0 means the last one plus 1.
 * The first event closes the state section. */
int rt_capture_write_event(struct rt_capture_writer *w, const struct fk_event_hdr *h,
			   uint64_t num);
/* Pushes buffered blocks to the file. */
int rt_capture_writer_flush(struct rt_capture_writer *w);
/* Writes the end block, closes the file and frees w (also on error). 0 or -errno. */
int rt_capture_writer_close(struct rt_capture_writer *w);
/* Closes and frees w without the end block: the file reads as truncated. For error paths. */
void rt_capture_writer_abort(struct rt_capture_writer *w);
uint64_t rt_capture_writer_events(const struct rt_capture_writer *w);

/* --- reading ----------------------------------------------------------------------------- */

struct rt_capture_reader;

/* Opens path and checks its header. NULL on error, with "PATH: offset N: what" in err. */
struct rt_capture_reader *rt_capture_open(const char *path, char *err, size_t errlen);
/* The same over n bytes at buf (borrowed: they must outlive the reader), for fuzzing and
 * tests; name stands for the path in err. */
struct rt_capture_reader *rt_capture_open_mem(const void *buf, size_t n, const char *name,
					      char *err, size_t errlen);
const struct rt_capture_header *rt_capture_header(const struct rt_capture_reader *r);
/* Reads the state section into s (threads, fds, users, groups, hostname). s may be NULL to
 * skip it. 0, or -1 with rt_capture_error() set. Called at most once, before rt_capture_next;
 * rt_capture_next skips the state section itself when this was not called. */
int rt_capture_load_state(struct rt_capture_reader *r, struct rt_state *s);
/* The next event: 1 and ev decoded over a record owned by r (valid until the next call), 0 at
 * the end block, -1 on an error. Every good record before a damaged one is returned first;
 * the error then names the byte offset of the damaged block and what is wrong. ev->num is the
 * event's stored evt.num. */
int rt_capture_next(struct rt_capture_reader *r, struct rt_event *ev);
/* The last error as "offset N: what" (without the path), or "" when none. */
const char *rt_capture_error(const struct rt_capture_reader *r);
/* The byte offset of the last error, or of the next block when none. */
uint64_t rt_capture_error_offset(const struct rt_capture_reader *r);
void rt_capture_close(struct rt_capture_reader *r);

#endif /* RT_CAPTURE_H */
