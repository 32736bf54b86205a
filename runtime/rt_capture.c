/* SPDX-License-Identifier: Apache-2.0 */
/* rt_capture.c - writing and reading falcod capture files (docs/capture.md): the header,
 * the framed blocks (type, length, payload, CRC32), the encodings of threads, fds, users and
 * groups, and the event records. Integers are little endian on every host.
 *
 * Not here: what the state does with a snapshot (rt_state.c), event decoding (rt_event.c),
 * .scap files (rt_scap.c). No printing: errors are returned as text. */
#include "runtime/rt_capture.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "runtime/rt_event.h"
#include "runtime/rt_state.h"

#define RT_HDR_FIXED 28                 /* header bytes before the hostname */
#define RT_BLOCK_HEAD 8                 /* type + length */
#define RT_NULL_STR 0xffffffffu         /* string length meaning "unknown" (NULL) */

/* --- little-endian buffers ---------------------------------------------------------------- */

struct rt_buf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

static void rt_buf_reserve(struct rt_buf *b, size_t more)
{
	if (b->oom || b->len + more <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + more)
		cap *= 2;
	uint8_t *p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return;
	}
	b->p = p;
	b->cap = cap;
}

static void rt_buf_put(struct rt_buf *b, const void *p, size_t n)
{
	rt_buf_reserve(b, n);
	if (b->oom)
		return;
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void rt_buf_u8(struct rt_buf *b, uint8_t v)
{
	rt_buf_put(b, &v, 1);
}

static void rt_buf_u16(struct rt_buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	rt_buf_put(b, x, 2);
}

static void rt_buf_u32(struct rt_buf *b, uint32_t v)
{
	uint8_t x[4];
	for (int i = 0; i < 4; i++)
		x[i] = (uint8_t)(v >> (8 * i));
	rt_buf_put(b, x, 4);
}

static void rt_buf_u64(struct rt_buf *b, uint64_t v)
{
	uint8_t x[8];
	for (int i = 0; i < 8; i++)
		x[i] = (uint8_t)(v >> (8 * i));
	rt_buf_put(b, x, 8);
}

/* A string or blob: u32 length then bytes; RT_NULL_STR for NULL. */
static void rt_buf_blob(struct rt_buf *b, const char *s, size_t n)
{
	if (!s) {
		rt_buf_u32(b, RT_NULL_STR);
		return;
	}
	rt_buf_u32(b, (uint32_t)n);
	rt_buf_put(b, s, n);
}

static void rt_buf_str(struct rt_buf *b, const char *s)
{
	rt_buf_blob(b, s, s ? strlen(s) : 0);
}

static uint16_t rt_get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rt_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static uint64_t rt_get_u64(const uint8_t *p)
{
	return (uint64_t)rt_get_u32(p) | ((uint64_t)rt_get_u32(p + 4) << 32);
}

/* A cursor over a block payload. Reads past the end set bad and return zeros. */
struct rt_cur {
	const uint8_t *p;
	size_t len, off;
	bool bad;
};

static const uint8_t *rt_cur_take(struct rt_cur *c, size_t n)
{
	if (c->bad || c->len - c->off < n) {
		c->bad = true;
		return NULL;
	}
	const uint8_t *p = c->p + c->off;
	c->off += n;
	return p;
}

static uint8_t rt_cur_u8(struct rt_cur *c)
{
	const uint8_t *p = rt_cur_take(c, 1);
	return p ? p[0] : 0;
}

static uint16_t rt_cur_u16(struct rt_cur *c)
{
	const uint8_t *p = rt_cur_take(c, 2);
	return p ? rt_get_u16(p) : 0;
}

static uint32_t rt_cur_u32(struct rt_cur *c)
{
	const uint8_t *p = rt_cur_take(c, 4);
	return p ? rt_get_u32(p) : 0;
}

static uint64_t rt_cur_u64(struct rt_cur *c)
{
	const uint8_t *p = rt_cur_take(c, 8);
	return p ? rt_get_u64(p) : 0;
}

/* A string or blob: a malloc'd copy ended by two NULs (NULL for the NULL marker), so that a
 * damaged NUL-separated list (cgroups) still ends with an empty string; *n its length. On a
 * bad length sets c->bad. */
static char *rt_cur_blob(struct rt_cur *c, size_t *n)
{
	uint32_t len = rt_cur_u32(c);
	if (n)
		*n = 0;
	if (c->bad || len == RT_NULL_STR)
		return NULL;
	const uint8_t *p = rt_cur_take(c, len);
	if (!p)
		return NULL;
	char *s = malloc((size_t)len + 2);
	if (!s) {
		c->bad = true;
		return NULL;
	}
	memcpy(s, p, len);
	s[len] = s[len + 1] = '\0';
	if (n)
		*n = len;
	return s;
}

bool rt_capture_sniff(const void *buf, size_t n)
{
	return n >= RT_CAPTURE_MAGIC_LEN && memcmp(buf, RT_CAPTURE_MAGIC, RT_CAPTURE_MAGIC_LEN) == 0;
}

/* --- writer ------------------------------------------------------------------------------ */

struct rt_capture_writer {
	FILE *f;
	struct rt_buf blk;              /* the block being built */
	bool state_closed;
	uint64_t nthreads, nfds, nusers, ngroups, nevents;
	uint64_t lastnum;               /* evt.num of the last event written */
	int err;                        /* first write error (-errno), sticky */
};

static int rt_writer_emit(struct rt_capture_writer *w, const char type[4], const void *payload,
			  size_t len)
{
	if (w->err)
		return w->err;
	if (len > RT_CAPTURE_MAX_BLOCK)
		return -EFBIG;
	uint8_t head[RT_BLOCK_HEAD];
	memcpy(head, type, 4);
	for (int i = 0; i < 4; i++)
		head[4 + i] = (uint8_t)(len >> (8 * i));
	uLong crc = crc32(0L, Z_NULL, 0);
	crc = crc32(crc, head, RT_BLOCK_HEAD);
	if (len)
		crc = crc32(crc, payload, (uInt)len);
	uint8_t tail[4];
	for (int i = 0; i < 4; i++)
		tail[i] = (uint8_t)(crc >> (8 * i));
	if (fwrite(head, 1, RT_BLOCK_HEAD, w->f) != RT_BLOCK_HEAD ||
	    (len && fwrite(payload, 1, len, w->f) != len) || fwrite(tail, 1, 4, w->f) != 4)
		w->err = errno ? -errno : -EIO;
	return w->err;
}

static int rt_writer_emit_buf(struct rt_capture_writer *w, const char type[4])
{
	if (w->blk.oom)
		return w->err = -ENOMEM;
	return rt_writer_emit(w, type, w->blk.p, w->blk.len);
}

struct rt_capture_writer *rt_capture_writer_new(const char *path, const char *hostname,
						uint64_t start_ns, char *err, size_t errlen)
{
	struct rt_capture_writer *w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	w->f = fopen(path, "wb");
	if (!w->f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(w);
		return NULL;
	}
	size_t hlen = hostname ? strlen(hostname) : 0;
	if (hlen > RT_CAPTURE_MAX_HOSTNAME)
		hlen = RT_CAPTURE_MAX_HOSTNAME;
	struct rt_buf b = { 0 };
	rt_buf_put(&b, RT_CAPTURE_MAGIC, RT_CAPTURE_MAGIC_LEN);
	rt_buf_u16(&b, RT_CAPTURE_VERSION);
	rt_buf_u16(&b, 0);
	rt_buf_u32(&b, FK_ABI_VERSION);
	rt_buf_u64(&b, start_ns);
	rt_buf_u16(&b, (uint16_t)hlen);
	rt_buf_u16(&b, 0);
	rt_buf_put(&b, hostname, hlen);
	if (!b.oom)
		rt_buf_u32(&b, (uint32_t)crc32(crc32(0L, Z_NULL, 0), b.p, (uInt)b.len));
	if (b.oom || fwrite(b.p, 1, b.len, w->f) != b.len) {
		snprintf(err, errlen, "%s: %s", path, b.oom ? "out of memory" : strerror(errno));
		free(b.p);
		fclose(w->f);
		free(w);
		return NULL;
	}
	free(b.p);
	return w;
}

/* Bytes of a list of NUL-terminated strings ended by an empty one, that one included. */
static size_t rt_multi_len(const char *s)
{
	if (!s)
		return 0;
	const char *p = s;
	while (*p)
		p += strlen(p) + 1;
	return (size_t)(p - s) + 1;
}

static int rt_writer_state_ok(struct rt_capture_writer *w)
{
	if (w->err)
		return w->err;
	return w->state_closed ? -EINVAL : 0;
}

int rt_capture_write_thread(struct rt_capture_writer *w, const struct rt_thread *t)
{
	int rc = rt_writer_state_ok(w);
	if (rc)
		return rc;
	struct rt_buf *b = &w->blk;
	b->len = 0;
	rt_buf_u64(b, (uint64_t)t->tid);
	rt_buf_u64(b, (uint64_t)t->pid);
	rt_buf_u64(b, (uint64_t)t->ptid);
	rt_buf_u64(b, (uint64_t)t->vtid);
	rt_buf_u64(b, (uint64_t)t->vpid);
	rt_buf_u64(b, (uint64_t)t->sid);
	rt_buf_u64(b, (uint64_t)t->pgid);
	rt_buf_u32(b, t->uid);
	rt_buf_u32(b, t->gid);
	rt_buf_u32(b, t->euid);
	rt_buf_u32(b, t->egid);
	rt_buf_u32(b, t->loginuid);
	rt_buf_u32(b, t->tty);
	rt_buf_u64(b, t->clone_ts);
	rt_buf_u64(b, t->exec_ts);
	rt_buf_u64(b, t->cap_permitted);
	rt_buf_u64(b, t->cap_effective);
	rt_buf_u64(b, t->cap_inheritable);
	rt_buf_u32(b, t->exe_flags);
	rt_buf_u32(b, t->nargs);
	rt_buf_u8(b, (uint8_t)((t->exe_from_memfd ? 1 : 0) | (t->lazy ? 2 : 0)));
	rt_buf_put(b, t->comm, FK_COMM_LEN);
	rt_buf_str(b, t->exe);
	rt_buf_str(b, t->exepath);
	rt_buf_blob(b, t->args, t->args_len);
	rt_buf_blob(b, t->env, t->env_len);
	rt_buf_str(b, t->cwd);
	rt_buf_blob(b, t->cgroups, rt_multi_len(t->cgroups));
	rt_buf_str(b, t->container_id);
	rc = rt_writer_emit_buf(w, RT_CAPTURE_BLOCK_THREAD);
	w->nthreads += rc == 0;
	return rc;
}

int rt_capture_write_fd(struct rt_capture_writer *w, int64_t tid, const struct rt_fd *fd)
{
	int rc = rt_writer_state_ok(w);
	if (rc)
		return rc;
	struct rt_buf *b = &w->blk;
	b->len = 0;
	rt_buf_u64(b, (uint64_t)tid);
	rt_buf_u64(b, (uint64_t)fd->num);
	rt_buf_u8(b, (uint8_t)fd->type);
	rt_buf_u8(b, fd->family);
	rt_buf_u8(b, fd->l4proto);
	rt_buf_u8(b, (uint8_t)((fd->is_server ? 1 : 0) | (fd->connected ? 2 : 0)));
	rt_buf_u32(b, fd->open_flags);
	rt_buf_u32(b, fd->dev);
	rt_buf_u64(b, fd->ino);
	rt_buf_put(b, fd->sip, 16);
	rt_buf_put(b, fd->dip, 16);
	rt_buf_u16(b, fd->sport);
	rt_buf_u16(b, fd->dport);
	rt_buf_str(b, fd->name);
	rc = rt_writer_emit_buf(w, RT_CAPTURE_BLOCK_FD);
	w->nfds += rc == 0;
	return rc;
}

int rt_capture_write_user(struct rt_capture_writer *w, const struct rt_user *u)
{
	int rc = rt_writer_state_ok(w);
	if (rc)
		return rc;
	struct rt_buf *b = &w->blk;
	b->len = 0;
	rt_buf_u32(b, u->uid);
	rt_buf_u32(b, u->gid);
	rt_buf_str(b, u->name);
	rt_buf_str(b, u->homedir);
	rt_buf_str(b, u->shell);
	rc = rt_writer_emit_buf(w, RT_CAPTURE_BLOCK_USER);
	w->nusers += rc == 0;
	return rc;
}

int rt_capture_write_group(struct rt_capture_writer *w, const struct rt_group *g)
{
	int rc = rt_writer_state_ok(w);
	if (rc)
		return rc;
	struct rt_buf *b = &w->blk;
	b->len = 0;
	rt_buf_u32(b, g->gid);
	rt_buf_str(b, g->name);
	rc = rt_writer_emit_buf(w, RT_CAPTURE_BLOCK_GROUP);
	w->ngroups += rc == 0;
	return rc;
}

/* The snapshot walk: ids already written, so that each process's fds, each user and each
 * group is written once. */
struct rt_snap {
	struct rt_capture_writer *w;
	struct rt_state *s;
	const void **tables;            /* fd tables written */
	size_t ntables, tabcap;
	uint32_t *uids, *gids;
	size_t nuids, ngids, uidcap, gidcap;
	int64_t tid;                    /* thread whose fds are being written */
	int rc;
};

static bool rt_snap_seen_ptr(struct rt_snap *sn, const void *p)
{
	for (size_t i = 0; i < sn->ntables; i++)
		if (sn->tables[i] == p)
			return true;
	if (sn->ntables == sn->tabcap) {
		size_t cap = sn->tabcap ? 2 * sn->tabcap : 64;
		const void **t = realloc(sn->tables, cap * sizeof(*t));
		if (!t) {
			sn->rc = -ENOMEM;
			return true;
		}
		sn->tables = t;
		sn->tabcap = cap;
	}
	sn->tables[sn->ntables++] = p;
	return false;
}

static bool rt_snap_seen_id(struct rt_snap *sn, uint32_t **ids, size_t *n, size_t *cap,
			    uint32_t id)
{
	for (size_t i = 0; i < *n; i++)
		if ((*ids)[i] == id)
			return true;
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 16;
		uint32_t *p = realloc(*ids, c * sizeof(*p));
		if (!p) {
			sn->rc = -ENOMEM;
			return true;
		}
		*ids = p;
		*cap = c;
	}
	(*ids)[(*n)++] = id;
	return false;
}

static void rt_snap_thread(struct rt_thread *t, void *ctx)
{
	struct rt_snap *sn = ctx;
	if (!sn->rc)
		sn->rc = rt_capture_write_thread(sn->w, t);
}

static void rt_snap_fd(struct rt_fd *fd, void *ctx)
{
	struct rt_snap *sn = ctx;
	if (!sn->rc)
		sn->rc = rt_capture_write_fd(sn->w, sn->tid, fd);
}

static void rt_snap_fds(struct rt_thread *t, void *ctx)
{
	struct rt_snap *sn = ctx;
	if (sn->rc || !t->fds || rt_snap_seen_ptr(sn, t->fds))
		return;
	sn->tid = t->tid;
	rt_fd_each(t, rt_snap_fd, sn);
}

static void rt_snap_user(struct rt_snap *sn, uint32_t uid)
{
	if (sn->rc || uid == UINT32_MAX ||
	    rt_snap_seen_id(sn, &sn->uids, &sn->nuids, &sn->uidcap, uid))
		return;
	const struct rt_user *u = rt_state_user(sn->s, uid);
	if (u)
		sn->rc = rt_capture_write_user(sn->w, u);
}

static void rt_snap_group(struct rt_snap *sn, uint32_t gid)
{
	if (sn->rc || gid == UINT32_MAX ||
	    rt_snap_seen_id(sn, &sn->gids, &sn->ngids, &sn->gidcap, gid))
		return;
	const struct rt_group *g = rt_state_group(sn->s, gid);
	if (g)
		sn->rc = rt_capture_write_group(sn->w, g);
}

static void rt_snap_ids(struct rt_thread *t, void *ctx)
{
	struct rt_snap *sn = ctx;
	rt_snap_user(sn, t->uid);
	rt_snap_user(sn, t->euid);
	rt_snap_user(sn, t->loginuid);
	rt_snap_group(sn, t->gid);
	rt_snap_group(sn, t->egid);
}

int rt_capture_write_state(struct rt_capture_writer *w, struct rt_state *s)
{
	int rc = rt_writer_state_ok(w);
	if (rc)
		return rc;
	struct rt_snap sn = { .w = w, .s = s };
	rt_state_each_thread(s, rt_snap_thread, &sn);
	if (!sn.rc)
		rt_state_each_thread(s, rt_snap_fds, &sn);
	if (!sn.rc)
		rt_state_each_thread(s, rt_snap_ids, &sn);
	free(sn.tables);
	free(sn.uids);
	free(sn.gids);
	return sn.rc;
}

static int rt_writer_close_state(struct rt_capture_writer *w)
{
	if (w->state_closed)
		return w->err;
	struct rt_buf *b = &w->blk;
	b->len = 0;
	rt_buf_u64(b, w->nthreads);
	rt_buf_u64(b, w->nfds);
	rt_buf_u64(b, w->nusers);
	rt_buf_u64(b, w->ngroups);
	w->state_closed = true;
	return rt_writer_emit_buf(w, RT_CAPTURE_BLOCK_STATE_END);
}

int rt_capture_write_event(struct rt_capture_writer *w, const struct fk_event_hdr *h,
			   uint64_t num)
{
	int rc = rt_writer_close_state(w);
	if (rc)
		return rc;
	if (h->len < sizeof(*h) || (num && num <= w->lastnum))
		return -EINVAL;
	if (!num)
		num = w->lastnum + 1;
	struct rt_buf *b = &w->blk;
	b->len = 0;
	rt_buf_u64(b, num);
	rt_buf_put(b, h, h->len);
	rc = rt_writer_emit_buf(w, RT_CAPTURE_BLOCK_EVENT);
	if (rc == 0) {
		w->nevents++;
		w->lastnum = num;
	}
	return rc;
}

int rt_capture_writer_flush(struct rt_capture_writer *w)
{
	if (w->err)
		return w->err;
	if (fflush(w->f) != 0)
		w->err = -errno;
	return w->err;
}

uint64_t rt_capture_writer_events(const struct rt_capture_writer *w)
{
	return w->nevents;
}

int rt_capture_writer_close(struct rt_capture_writer *w)
{
	int rc = rt_writer_close_state(w);
	if (!rc) {
		struct rt_buf *b = &w->blk;
		b->len = 0;
		rt_buf_u64(b, w->nevents);
		rc = rt_writer_emit_buf(w, RT_CAPTURE_BLOCK_END);
	}
	if (fclose(w->f) != 0 && !rc)
		rc = -errno;
	free(w->blk.p);
	free(w);
	return rc;
}

void rt_capture_writer_abort(struct rt_capture_writer *w)
{
	fclose(w->f);
	free(w->blk.p);
	free(w);
}

/* --- reader ------------------------------------------------------------------------------ */

enum rt_reader_phase { RT_PH_STATE, RT_PH_EVENTS, RT_PH_END, RT_PH_ERROR };

struct rt_capture_reader {
	FILE *f;
	struct rt_capture_header hdr;
	uint64_t off;                   /* offset of the next block */
	uint64_t err_off;
	enum rt_reader_phase phase;
	uint8_t *blk;                   /* the current block: head, payload, crc */
	size_t blkcap;
	uint32_t plen;                  /* its payload length */
	char type[5];
	uint64_t nevents;
	uint64_t lastnum;               /* evt.num of the last event read */
	uint64_t nthreads, nfds, nusers, ngroups;
	char err[512];
};

static int rt_reader_fail(struct rt_capture_reader *r, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int rt_reader_fail(struct rt_capture_reader *r, uint64_t off, const char *fmt, ...)
{
	int n = snprintf(r->err, sizeof(r->err), "offset %llu: ", (unsigned long long)off);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof(r->err) - (size_t)n, fmt, ap);
	va_end(ap);
	r->err_off = off;
	r->phase = RT_PH_ERROR;
	return -1;
}

/* Reads exactly n bytes; returns the count read (short at the end of the file). */
static size_t rt_reader_read(struct rt_capture_reader *r, void *p, size_t n)
{
	return n ? fread(p, 1, n, r->f) : 0;
}

static bool rt_reader_reserve(struct rt_capture_reader *r, size_t n)
{
	if (n <= r->blkcap)
		return true;
	size_t cap = r->blkcap ? r->blkcap : 4096;
	while (cap < n)
		cap *= 2;
	uint8_t *p = realloc(r->blk, cap);
	if (!p)
		return false;
	r->blk = p;
	r->blkcap = cap;
	return true;
}

static bool rt_type_known(const char *t)
{
	static const char *const known[] = { RT_CAPTURE_BLOCK_THREAD, RT_CAPTURE_BLOCK_FD,
					     RT_CAPTURE_BLOCK_USER, RT_CAPTURE_BLOCK_GROUP,
					     RT_CAPTURE_BLOCK_STATE_END, RT_CAPTURE_BLOCK_EVENT,
					     RT_CAPTURE_BLOCK_END };
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (memcmp(t, known[i], 4) == 0)
			return true;
	return false;
}

static void rt_type_print(const uint8_t *t, char out[32])
{
	bool text = true;
	for (int i = 0; i < 4; i++)
		text &= t[i] >= 0x20 && t[i] < 0x7f;
	if (text)
		snprintf(out, 32, "'%c%c%c%c'", t[0], t[1], t[2], t[3]);
	else
		snprintf(out, 32, "0x%02x%02x%02x%02x", t[0], t[1], t[2], t[3]);
}

/* Reads and checks one block at r->off. 1: a block (r->type, payload at r->blk + 8), 0: the
 * file ends exactly here, -1: error. */
static int rt_reader_block(struct rt_capture_reader *r)
{
	uint64_t at = r->off;
	if (!rt_reader_reserve(r, RT_BLOCK_HEAD + 4))
		return rt_reader_fail(r, at, "out of memory");
	size_t got = rt_reader_read(r, r->blk, RT_BLOCK_HEAD);
	if (got == 0 && feof(r->f))
		return 0;
	if (ferror(r->f))
		return rt_reader_fail(r, at, "read error: %s", strerror(errno));
	if (got < RT_BLOCK_HEAD)
		return rt_reader_fail(r, at, "truncated block header (%zu of %d bytes)", got,
				      RT_BLOCK_HEAD);
	uint32_t len = rt_get_u32(r->blk + 4);
	char tname[32];
	rt_type_print(r->blk, tname);
	if (len > RT_CAPTURE_MAX_BLOCK)
		return rt_reader_fail(r, at, "block %s: length %u is larger than any block (%u)",
				      tname, len, RT_CAPTURE_MAX_BLOCK);
	if (!rt_reader_reserve(r, RT_BLOCK_HEAD + (size_t)len + 4))
		return rt_reader_fail(r, at, "out of memory");
	got = rt_reader_read(r, r->blk + RT_BLOCK_HEAD, (size_t)len + 4);
	if (ferror(r->f))
		return rt_reader_fail(r, at, "read error: %s", strerror(errno));
	if (got < (size_t)len + 4)
		return rt_reader_fail(r, at,
				      "truncated block %s: %u payload bytes and a 4-byte checksum "
				      "expected, the file ends after %zu",
				      tname, len, got);
	uint32_t want = rt_get_u32(r->blk + RT_BLOCK_HEAD + len);
	uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), r->blk, (uInt)(RT_BLOCK_HEAD + len));
	if (crc != want)
		return rt_reader_fail(r, at,
				      "block %s of %u bytes: checksum mismatch (stored %08x, "
				      "computed %08x): the block is corrupt",
				      tname, len, want, crc);
	if (!rt_type_known((const char *)r->blk))
		return rt_reader_fail(r, at, "unknown block type %s", tname);
	memcpy(r->type, r->blk, 4);
	r->type[4] = '\0';
	r->plen = len;
	r->off = at + RT_BLOCK_HEAD + len + 4;
	return 1;
}

/* Reads and checks the header from r->f (at its start). Returns r, or NULL with
 * "PATH: offset N: what" in err after closing r->f and freeing r. */
static struct rt_capture_reader *rt_reader_start(struct rt_capture_reader *r, const char *path,
						 char *err, size_t errlen)
{
	uint8_t h[RT_HDR_FIXED + RT_CAPTURE_MAX_HOSTNAME + 4];
	size_t got = rt_reader_read(r, h, RT_HDR_FIXED);
	const char *why = NULL;
	char buf[256];
	uint64_t at = 0;
	if (got < RT_CAPTURE_MAGIC_LEN || !rt_capture_sniff(h, got)) {
		why = "not a falcod capture (no FALCOCAP magic)";
	} else if (got < RT_HDR_FIXED) {
		snprintf(buf, sizeof(buf), "truncated header (%zu of %d bytes)", got, RT_HDR_FIXED);
		why = buf;
		at = got;
	} else {
		uint16_t hlen = rt_get_u16(h + 24);
		if (hlen > RT_CAPTURE_MAX_HOSTNAME) {
			snprintf(buf, sizeof(buf), "hostname length %u is larger than %d", hlen,
				 RT_CAPTURE_MAX_HOSTNAME);
			why = buf;
			at = 24;
		} else {
			got = rt_reader_read(r, h + RT_HDR_FIXED, (size_t)hlen + 4);
			uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), h,
						       (uInt)(RT_HDR_FIXED + hlen));
			if (got < (size_t)hlen + 4) {
				snprintf(buf, sizeof(buf), "truncated header (%zu of %u bytes)",
					 RT_HDR_FIXED + got, RT_HDR_FIXED + hlen + 4);
				why = buf;
				at = RT_HDR_FIXED + got;
			} else if (crc != rt_get_u32(h + RT_HDR_FIXED + hlen)) {
				snprintf(buf, sizeof(buf),
					 "header checksum mismatch (stored %08x, computed %08x): "
					 "the header is corrupt",
					 rt_get_u32(h + RT_HDR_FIXED + hlen), crc);
				why = buf;
			} else if (rt_get_u16(h + 8) != RT_CAPTURE_VERSION) {
				snprintf(buf, sizeof(buf),
					 "capture format version %u; this falcod reads version %d",
					 rt_get_u16(h + 8), RT_CAPTURE_VERSION);
				why = buf;
				at = 8;
			} else if (rt_get_u32(h + 12) != FK_ABI_VERSION) {
				snprintf(buf, sizeof(buf),
					 "events of ABI version %u; this falcod reads ABI version %d",
					 rt_get_u32(h + 12), FK_ABI_VERSION);
				why = buf;
				at = 12;
			} else {
				r->hdr.version = rt_get_u16(h + 8);
				r->hdr.abi = rt_get_u32(h + 12);
				r->hdr.start_ns = rt_get_u64(h + 16);
				memcpy(r->hdr.hostname, h + RT_HDR_FIXED, hlen);
				r->hdr.hostname[hlen] = '\0';
				r->off = RT_HDR_FIXED + (uint64_t)hlen + 4;
			}
		}
	}
	if (why) {
		snprintf(err, errlen, "%s: offset %llu: %s", path, (unsigned long long)at, why);
		fclose(r->f);
		free(r);
		return NULL;
	}
	r->phase = RT_PH_STATE;
	return r;
}

struct rt_capture_reader *rt_capture_open(const char *path, char *err, size_t errlen)
{
	struct rt_capture_reader *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	r->f = fopen(path, "rb");
	if (!r->f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(r);
		return NULL;
	}
	return rt_reader_start(r, path, err, errlen);
}

struct rt_capture_reader *rt_capture_open_mem(const void *buf, size_t n, const char *name,
					      char *err, size_t errlen)
{
	static const char empty[1];
	struct rt_capture_reader *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	/* fmemopen may refuse a size of 0: read one NUL byte instead, which fails the magic
	 * check as an empty buffer would. */
	r->f = n ? fmemopen((void *)buf, n, "rb") : fmemopen((void *)empty, 1, "rb");
	if (!r->f) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		free(r);
		return NULL;
	}
	return rt_reader_start(r, name, err, errlen);
}

const struct rt_capture_header *rt_capture_header(const struct rt_capture_reader *r)
{
	return &r->hdr;
}

const char *rt_capture_error(const struct rt_capture_reader *r)
{
	return r->err;
}

uint64_t rt_capture_error_offset(const struct rt_capture_reader *r)
{
	return r->phase == RT_PH_ERROR ? r->err_off : r->off;
}

static int rt_reader_thread(struct rt_capture_reader *r, uint64_t at, struct rt_state *s)
{
	struct rt_cur c = { .p = r->blk + RT_BLOCK_HEAD, .len = r->plen };
	struct rt_thread t;
	memset(&t, 0, sizeof(t));
	t.tid = (int64_t)rt_cur_u64(&c);
	t.pid = (int64_t)rt_cur_u64(&c);
	t.ptid = (int64_t)rt_cur_u64(&c);
	t.vtid = (int64_t)rt_cur_u64(&c);
	t.vpid = (int64_t)rt_cur_u64(&c);
	t.sid = (int64_t)rt_cur_u64(&c);
	t.pgid = (int64_t)rt_cur_u64(&c);
	t.uid = rt_cur_u32(&c);
	t.gid = rt_cur_u32(&c);
	t.euid = rt_cur_u32(&c);
	t.egid = rt_cur_u32(&c);
	t.loginuid = rt_cur_u32(&c);
	t.tty = rt_cur_u32(&c);
	t.clone_ts = rt_cur_u64(&c);
	t.exec_ts = rt_cur_u64(&c);
	t.cap_permitted = rt_cur_u64(&c);
	t.cap_effective = rt_cur_u64(&c);
	t.cap_inheritable = rt_cur_u64(&c);
	t.exe_flags = rt_cur_u32(&c);
	t.nargs = rt_cur_u32(&c);
	uint8_t flags = rt_cur_u8(&c);
	t.exe_from_memfd = flags & 1;
	t.lazy = (flags & 2) != 0;
	const uint8_t *comm = rt_cur_take(&c, FK_COMM_LEN);
	if (comm) {
		memcpy(t.comm, comm, FK_COMM_LEN);
		t.comm[FK_COMM_LEN - 1] = '\0';
	}
	t.exe = rt_cur_blob(&c, NULL);
	t.exepath = rt_cur_blob(&c, NULL);
	t.args = rt_cur_blob(&c, &t.args_len);
	t.env = rt_cur_blob(&c, &t.env_len);
	t.cwd = rt_cur_blob(&c, NULL);
	t.cgroups = rt_cur_blob(&c, NULL);
	t.container_id = rt_cur_blob(&c, NULL);
	int rc = 0;
	if (c.bad || c.off != c.len)
		rc = rt_reader_fail(r, at, "thread block: malformed payload (%u bytes)", r->plen);
	else if (s)
		rt_state_add_thread(s, &t);
	free(t.exe);
	free(t.exepath);
	free(t.args);
	free(t.env);
	free(t.cwd);
	free(t.cgroups);
	free(t.container_id);
	return rc;
}

static int rt_reader_fd(struct rt_capture_reader *r, uint64_t at, struct rt_state *s)
{
	struct rt_cur c = { .p = r->blk + RT_BLOCK_HEAD, .len = r->plen };
	struct rt_fd fd;
	memset(&fd, 0, sizeof(fd));
	int64_t tid = (int64_t)rt_cur_u64(&c);
	fd.num = (int64_t)rt_cur_u64(&c);
	fd.type = (char)rt_cur_u8(&c);
	fd.family = rt_cur_u8(&c);
	fd.l4proto = rt_cur_u8(&c);
	uint8_t flags = rt_cur_u8(&c);
	fd.is_server = flags & 1;
	fd.connected = (flags & 2) != 0;
	fd.open_flags = rt_cur_u32(&c);
	fd.dev = rt_cur_u32(&c);
	fd.ino = rt_cur_u64(&c);
	const uint8_t *p = rt_cur_take(&c, 16);
	if (p)
		memcpy(fd.sip, p, 16);
	p = rt_cur_take(&c, 16);
	if (p)
		memcpy(fd.dip, p, 16);
	fd.sport = rt_cur_u16(&c);
	fd.dport = rt_cur_u16(&c);
	fd.name = rt_cur_blob(&c, NULL);
	int rc = 0;
	if (c.bad || c.off != c.len)
		rc = rt_reader_fail(r, at, "fd block: malformed payload (%u bytes)", r->plen);
	else if (s)
		rt_state_add_fd(s, tid, &fd);
	free(fd.name);
	return rc;
}

static int rt_reader_user(struct rt_capture_reader *r, uint64_t at, struct rt_state *s)
{
	struct rt_cur c = { .p = r->blk + RT_BLOCK_HEAD, .len = r->plen };
	uint32_t uid = rt_cur_u32(&c), gid = rt_cur_u32(&c);
	char *name = rt_cur_blob(&c, NULL);
	char *home = rt_cur_blob(&c, NULL);
	char *shell = rt_cur_blob(&c, NULL);
	int rc = 0;
	if (c.bad || c.off != c.len)
		rc = rt_reader_fail(r, at, "user block: malformed payload (%u bytes)", r->plen);
	else if (s)
		rt_state_add_user(s, uid, gid, name ? name : "", home ? home : "",
				  shell ? shell : "");
	free(name);
	free(home);
	free(shell);
	return rc;
}

static int rt_reader_group(struct rt_capture_reader *r, uint64_t at, struct rt_state *s)
{
	struct rt_cur c = { .p = r->blk + RT_BLOCK_HEAD, .len = r->plen };
	uint32_t gid = rt_cur_u32(&c);
	char *name = rt_cur_blob(&c, NULL);
	int rc = 0;
	if (c.bad || c.off != c.len)
		rc = rt_reader_fail(r, at, "group block: malformed payload (%u bytes)", r->plen);
	else if (s)
		rt_state_add_group(s, gid, name ? name : "");
	free(name);
	return rc;
}

static int rt_reader_state_end(struct rt_capture_reader *r, uint64_t at)
{
	struct rt_cur c = { .p = r->blk + RT_BLOCK_HEAD, .len = r->plen };
	uint64_t n[4];
	for (int i = 0; i < 4; i++)
		n[i] = rt_cur_u64(&c);
	if (c.bad || c.off != c.len)
		return rt_reader_fail(r, at, "state end block: malformed payload (%u bytes)",
				      r->plen);
	if (n[0] != r->nthreads || n[1] != r->nfds || n[2] != r->nusers || n[3] != r->ngroups)
		return rt_reader_fail(r, at,
				      "state end block counts %llu threads, %llu fds, %llu users, "
				      "%llu groups; the state section held %llu, %llu, %llu, %llu",
				      (unsigned long long)n[0], (unsigned long long)n[1],
				      (unsigned long long)n[2], (unsigned long long)n[3],
				      (unsigned long long)r->nthreads, (unsigned long long)r->nfds,
				      (unsigned long long)r->nusers, (unsigned long long)r->ngroups);
	r->phase = RT_PH_EVENTS;
	return 0;
}

int rt_capture_load_state(struct rt_capture_reader *r, struct rt_state *s)
{
	if (r->phase == RT_PH_ERROR)
		return -1;
	if (r->phase != RT_PH_STATE)
		return 0;
	if (s && r->hdr.hostname[0])
		rt_state_set_hostname(s, r->hdr.hostname);
	for (;;) {
		uint64_t at = r->off;
		int rc = rt_reader_block(r);
		if (rc < 0)
			return -1;
		if (rc == 0)
			return rt_reader_fail(r, at,
					      "the file ends inside the state section (truncated "
					      "capture)");
		if (strcmp(r->type, RT_CAPTURE_BLOCK_THREAD) == 0) {
			if (rt_reader_thread(r, at, s))
				return -1;
			r->nthreads++;
		} else if (strcmp(r->type, RT_CAPTURE_BLOCK_FD) == 0) {
			if (rt_reader_fd(r, at, s))
				return -1;
			r->nfds++;
		} else if (strcmp(r->type, RT_CAPTURE_BLOCK_USER) == 0) {
			if (rt_reader_user(r, at, s))
				return -1;
			r->nusers++;
		} else if (strcmp(r->type, RT_CAPTURE_BLOCK_GROUP) == 0) {
			if (rt_reader_group(r, at, s))
				return -1;
			r->ngroups++;
		} else if (strcmp(r->type, RT_CAPTURE_BLOCK_STATE_END) == 0) {
			return rt_reader_state_end(r, at);
		} else {
			return rt_reader_fail(r, at, "block '%s' in the state section", r->type);
		}
	}
}

int rt_capture_next(struct rt_capture_reader *r, struct rt_event *ev)
{
	if (r->phase == RT_PH_STATE && rt_capture_load_state(r, NULL))
		return -1;
	if (r->phase == RT_PH_ERROR)
		return -1;
	if (r->phase == RT_PH_END)
		return 0;
	uint64_t at = r->off;
	int rc = rt_reader_block(r);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return rt_reader_fail(r, at,
				      "the file ends after %llu events without the end block "
				      "(truncated capture)",
				      (unsigned long long)r->nevents);
	if (strcmp(r->type, RT_CAPTURE_BLOCK_END) == 0) {
		struct rt_cur c = { .p = r->blk + RT_BLOCK_HEAD, .len = r->plen };
		uint64_t n = rt_cur_u64(&c);
		if (c.bad || c.off != c.len)
			return rt_reader_fail(r, at, "end block: malformed payload (%u bytes)",
					      r->plen);
		if (n != r->nevents)
			return rt_reader_fail(r, at,
					      "end block counts %llu events, the capture held %llu",
					      (unsigned long long)n,
					      (unsigned long long)r->nevents);
		uint8_t extra;
		if (fread(&extra, 1, 1, r->f) == 1)
			return rt_reader_fail(r, r->off, "data after the end block");
		r->phase = RT_PH_END;
		return 0;
	}
	if (strcmp(r->type, RT_CAPTURE_BLOCK_EVENT) != 0)
		return rt_reader_fail(r, at, "block '%s' in the event section", r->type);
	const uint8_t *rec = r->blk + RT_BLOCK_HEAD + 8;
	char why[200];
	if (r->plen < 8 + sizeof(struct fk_event_hdr))
		return rt_reader_fail(r, at, "event block of %u bytes is shorter than an event "
					     "number and an event header", r->plen);
	uint64_t num = rt_get_u64(r->blk + RT_BLOCK_HEAD);
	if (num <= r->lastnum)
		return rt_reader_fail(r, at, "event number %llu does not follow %llu",
				      (unsigned long long)num, (unsigned long long)r->lastnum);
	uint32_t elen = rt_get_u32(rec + offsetof(struct fk_event_hdr, len));
	if (elen != r->plen - 8)
		return rt_reader_fail(r, at, "event record length %u differs from the %u bytes "
					     "its block holds", elen, r->plen - 8);
	if (rt_event_decode(ev, rec, r->plen - 8, why, sizeof(why)) != 0)
		return rt_reader_fail(r, at, "event %llu: %s", (unsigned long long)num, why);
	r->nevents++;
	r->lastnum = num;
	ev->num = num;
	return 1;
}

void rt_capture_close(struct rt_capture_reader *r)
{
	if (!r)
		return;
	fclose(r->f);
	free(r->blk);
	free(r);
}
