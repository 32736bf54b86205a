/* SPDX-License-Identifier: Apache-2.0 */
/* rt_state.c - the state tables: threads by tid, the fd tables their processes share, users
 * and groups, container ids from cgroups, and how each event changes them (libsinsp's
 * parser semantics, see docs/state.md). No field extraction or formatting for outputs here:
 * that is the extractor's job; this file only keeps the facts it reads.
 *
 * Memory: a thread is one allocation (struct rt_tnode) plus its strings; an fd one
 * allocation plus its name. Nothing is allocated for an event that creates no thread or fd
 * and changes no process image. Threads and fds are capped (rt_state_set_limits). */
#include "runtime/rt_state.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RT_MAX_THREADS_DEFAULT 131072
#define RT_MAX_FDS_DEFAULT 65536
#define RT_PATH_MAX 4096 /* Falco's SCAP_MAX_PATH_SIZE */
#define RT_EVICT_SCAN 64 /* how far eviction looks for a lazy thread */

/* Encodings private to this file (Falco's values). */
#define RT_MFD_CLOEXEC 1u           /* memfd_create flags (PPM_MFD_CLOEXEC) */
#define RT_FCNTL_F_DUPFD 1          /* PPM_FCNTL_F_DUPFD */
#define RT_FCNTL_F_DUPFD_CLOEXEC 26 /* PPM_FCNTL_F_DUPFD_CLOEXEC */
#define RT_SOCK_TYPE_MASK 0xf
#define RT_SOCK_CLOEXEC 02000000 /* socket type bit, as the kernel passes it */
#define RT_AF_NETLINK 16
#define RT_EINPROGRESS 115

/* Every allocated string is either heap memory or one of these sentinels. */
static char rt_empty[1];
static char rt_host[] = "host";

static void *rt_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		abort(); /* rt_oom() once it exists; the state cannot go on half-updated */
	return p;
}

static void *rt_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		abort();
	return p;
}

static void rt_str_free(char *p)
{
	if (p && p != rt_empty && p != rt_host)
		free(p);
}

/* A copy of len bytes plus a NUL; "" (the sentinel) for none. */
static char *rt_str_ndup(const char *src, size_t len)
{
	if (!src || !len)
		return rt_empty;
	char *p = rt_xmalloc(len + 1);
	memcpy(p, src, len);
	p[len] = '\0';
	return p;
}

static char *rt_str_dup(const char *src)
{
	return src ? rt_str_ndup(src, strlen(src)) : rt_empty;
}

static void rt_str_set(char **dst, const char *src)
{
	char *n = rt_str_dup(src);
	rt_str_free(*dst);
	*dst = n;
}

/* --- the fd table ------------------------------------------------------------------------ */

struct rt_fdnode {
	struct rt_fd fd; /* first: an rt_fd * is an rt_fdnode * */
	struct rt_fdnode *hnext;
	struct rt_fdnode *prev, *next; /* creation order, oldest first */
};

struct rt_fdtable {
	unsigned refs; /* threads sharing it */
	size_t count, nbuckets;
	struct rt_fdnode **buckets;
	struct rt_fdnode *head, *tail;
};

/* --- threads ----------------------------------------------------------------------------- */

struct rt_tnode {
	struct rt_thread t;           /* first: an rt_thread * is an rt_tnode * */
	struct rt_tnode *prev, *next; /* creation order, oldest first */
	uint32_t nchildren;           /* threads whose ptid is this tid (best effort) */
	bool from_caller;             /* made by the parent's clone exit; child's not seen */
	bool inverted;                /* made by the child's clone exit (parent's not seen) */
};

struct rt_state {
	struct rt_thread **buckets; /* chained through rt_thread.hnext */
	size_t nbuckets, nthreads;
	struct rt_tnode *head, *tail;
	size_t max_threads, max_fds;
	uint64_t nfds, lazy_threads, removed_threads;
	struct rt_user *users; /* sorted by uid */
	size_t nusers, users_cap;
	struct rt_group *groups; /* sorted by gid */
	size_t ngroups, groups_cap;
	char *hostname;
	int8_t fd_param[FK_EVENT_COUNT]; /* index of the "fd" parameter, or -1 */
	rt_cwd_hook cwd_hook;
	void *cwd_ctx;
	char path[RT_PATH_MAX + 64];     /* scratch for path and name building */
};

static struct rt_tnode *rt_tnode(struct rt_thread *t)
{
	return (struct rt_tnode *)t;
}

/* --- fd table operations ----------------------------------------------------------------- */

static size_t rt_fd_hash(int64_t fd, size_t nbuckets)
{
	return (size_t)(((uint64_t)fd * 0x9E3779B97F4A7C15ull) >> 32) & (nbuckets - 1);
}

static struct rt_fdtable *rt_fdtab_new(void)
{
	struct rt_fdtable *tab = rt_xcalloc(1, sizeof(*tab));
	tab->refs = 1;
	tab->nbuckets = 16;
	tab->buckets = rt_xcalloc(tab->nbuckets, sizeof(*tab->buckets));
	return tab;
}

static struct rt_fdnode *rt_fdtab_find(const struct rt_fdtable *tab, int64_t num)
{
	if (!tab || num < 0)
		return NULL;
	for (struct rt_fdnode *n = tab->buckets[rt_fd_hash(num, tab->nbuckets)]; n; n = n->hnext)
		if (n->fd.num == num)
			return n;
	return NULL;
}

static void rt_fdtab_unlink(struct rt_state *s, struct rt_fdtable *tab, struct rt_fdnode *n)
{
	struct rt_fdnode **pp = &tab->buckets[rt_fd_hash(n->fd.num, tab->nbuckets)];
	while (*pp != n)
		pp = &(*pp)->hnext;
	*pp = n->hnext;
	if (n->prev)
		n->prev->next = n->next;
	else
		tab->head = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		tab->tail = n->prev;
	tab->count--;
	s->nfds--;
	rt_str_free(n->fd.name);
	rt_str_free(n->fd.nameraw);
	free(n);
}

static bool rt_fdtab_remove(struct rt_state *s, struct rt_fdtable *tab, int64_t num)
{
	struct rt_fdnode *n = rt_fdtab_find(tab, num);
	if (!n)
		return false;
	rt_fdtab_unlink(s, tab, n);
	return true;
}

static void rt_fdtab_grow(struct rt_fdtable *tab)
{
	size_t nb = tab->nbuckets * 2;
	struct rt_fdnode **b = rt_xcalloc(nb, sizeof(*b));
	for (struct rt_fdnode *n = tab->head; n; n = n->next) {
		size_t h = rt_fd_hash(n->fd.num, nb);
		n->hnext = b[h];
		b[h] = n;
	}
	free(tab->buckets);
	tab->buckets = b;
	tab->nbuckets = nb;
}

/* Inserts a copy of *tmpl (name copied) as fd num, replacing any fd of that number and
 * dropping the oldest fd past the cap. tmpl may point into the table: it is copied first. */
static struct rt_fd *rt_fdtab_insert(struct rt_state *s, struct rt_fdtable *tab, int64_t num,
                                     const struct rt_fd *tmpl)
{
	if (!tab || num < 0)
		return NULL;
	struct rt_fdnode *n = rt_xcalloc(1, sizeof(*n));
	n->fd = *tmpl;
	n->fd.num = num;
	n->fd.name = rt_str_dup(tmpl->name);
	n->fd.nameraw = tmpl->nameraw ? rt_str_dup(tmpl->nameraw) : NULL;
	rt_fdtab_remove(s, tab, num);
	while (tab->count >= s->max_fds && tab->head)
		rt_fdtab_unlink(s, tab, tab->head);
	if (tab->count >= tab->nbuckets)
		rt_fdtab_grow(tab);
	size_t h = rt_fd_hash(num, tab->nbuckets);
	n->hnext = tab->buckets[h];
	tab->buckets[h] = n;
	n->prev = tab->tail;
	if (tab->tail)
		tab->tail->next = n;
	else
		tab->head = n;
	tab->tail = n;
	tab->count++;
	s->nfds++;
	return &n->fd;
}

static void rt_fdtab_clear(struct rt_state *s, struct rt_fdtable *tab)
{
	while (tab->head)
		rt_fdtab_unlink(s, tab, tab->head);
}

static void rt_fdtab_unref(struct rt_state *s, struct rt_fdtable *tab)
{
	if (!tab || --tab->refs)
		return;
	rt_fdtab_clear(s, tab);
	free(tab->buckets);
	free(tab);
}

static struct rt_fdtable *rt_fdtab_copy(struct rt_state *s, const struct rt_fdtable *src)
{
	struct rt_fdtable *tab = rt_fdtab_new();
	if (src)
		for (struct rt_fdnode *n = src->head; n; n = n->next)
			rt_fdtab_insert(s, tab, n->fd.num, &n->fd);
	return tab;
}

/* Whether execve closes the fd (Falco's is_close_on_exec). */
static bool rt_fd_is_cloexec(const struct rt_fd *f)
{
	if (f->type == RT_FD_MEMFD)
		return f->open_flags & RT_MFD_CLOEXEC;
	return f->open_flags & RT_O_CLOEXEC;
}

/* --- thread table operations ------------------------------------------------------------- */

static size_t rt_tid_hash(int64_t tid, size_t nbuckets)
{
	return (size_t)(((uint64_t)tid * 0x9E3779B97F4A7C15ull) >> 32) & (nbuckets - 1);
}

struct rt_thread *rt_thread_lookup(struct rt_state *s, int64_t tid)
{
	for (struct rt_thread *t = s->buckets[rt_tid_hash(tid, s->nbuckets)]; t; t = t->hnext)
		if (t->tid == tid)
			return t;
	return NULL;
}

struct rt_thread *rt_thread_main(struct rt_state *s, struct rt_thread *t)
{
	if (!t || t->pid == t->tid)
		return t;
	struct rt_thread *m = rt_thread_lookup(s, t->pid);
	return m ? m : t;
}

const char *rt_thread_cwd(struct rt_state *s, struct rt_thread *t)
{
	if (!t)
		return NULL;
	struct rt_thread *m = s ? rt_thread_main(s, t) : t;
	return m->cwd ? m->cwd : t->cwd;
}

struct rt_thread *rt_thread_parent(struct rt_state *s, struct rt_thread *t)
{
	if (!t || t->ptid <= 0 || t->ptid == t->tid)
		return NULL;
	return rt_thread_lookup(s, t->ptid);
}

struct rt_fd *rt_fd_lookup(struct rt_thread *t, int64_t fd)
{
	struct rt_fdnode *n = t ? rt_fdtab_find(t->fds, fd) : NULL;
	return n ? &n->fd : NULL;
}

static void rt_set_ptid(struct rt_state *s, struct rt_thread *t, int64_t ptid)
{
	if (t->ptid == ptid)
		return;
	struct rt_thread *p = t->ptid > 0 ? rt_thread_lookup(s, t->ptid) : NULL;
	if (p && rt_tnode(p)->nchildren)
		rt_tnode(p)->nchildren--;
	t->ptid = ptid;
	p = ptid > 0 && ptid != t->tid ? rt_thread_lookup(s, ptid) : NULL;
	if (p)
		rt_tnode(p)->nchildren++;
}

static void rt_thread_free_fields(struct rt_state *s, struct rt_thread *t)
{
	rt_str_free(t->exe);
	rt_str_free(t->exepath);
	rt_str_free(t->args);
	rt_str_free(t->env);
	rt_str_free(t->cwd);
	rt_str_free(t->cgroups);
	rt_str_free(t->container_id);
	rt_fdtab_unref(s, t->fds);
}

void rt_state_set_cwd_hook(struct rt_state *s, rt_cwd_hook fn, void *ctx)
{
	s->cwd_hook = fn;
	s->cwd_ctx = ctx;
}

/* m's process cwd or chdir count changed: tells the hook. */
static void rt_cwd_changed(struct rt_state *s, const struct rt_thread *m)
{
	if (s->cwd_hook && m->cwd_known)
		s->cwd_hook(s->cwd_ctx, (uint32_t)m->tid, m);
}

/* Unlinks and frees t. Its children keep their ptid (see rt_reparent). */
static void rt_thread_remove(struct rt_state *s, struct rt_thread *t)
{
	struct rt_tnode *n = rt_tnode(t);
	struct rt_thread **pp = &s->buckets[rt_tid_hash(t->tid, s->nbuckets)];
	while (*pp && *pp != t)
		pp = &(*pp)->hnext;
	if (!*pp)
		return;
	*pp = t->hnext;
	if (n->prev)
		n->prev->next = n->next;
	else
		s->head = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		s->tail = n->prev;
	s->nthreads--;
	s->removed_threads++;
	if (s->cwd_hook && t->tid == t->pid)
		s->cwd_hook(s->cwd_ctx, (uint32_t)t->tid, NULL);
	struct rt_thread *p = rt_thread_parent(s, t);
	if (p && rt_tnode(p)->nchildren)
		rt_tnode(p)->nchildren--;
	rt_thread_free_fields(s, t);
	free(n);
}

static void rt_threads_grow(struct rt_state *s)
{
	size_t nb = s->nbuckets * 2;
	struct rt_thread **b = rt_xcalloc(nb, sizeof(*b));
	for (struct rt_tnode *n = s->head; n; n = n->next) {
		size_t h = rt_tid_hash(n->t.tid, nb);
		n->t.hnext = b[h];
		b[h] = &n->t;
	}
	free(s->buckets);
	s->buckets = b;
	s->nbuckets = nb;
}

/* Drops one thread to make room: the oldest lazily created one among the first few, else
 * the oldest; never keep. */
static void rt_threads_evict(struct rt_state *s, const struct rt_thread *keep)
{
	struct rt_tnode *victim = NULL;
	unsigned i = 0;
	for (struct rt_tnode *n = s->head; n && i < RT_EVICT_SCAN; n = n->next, i++)
		if (n->t.lazy && &n->t != keep) {
			victim = n;
			break;
		}
	if (!victim)
		for (struct rt_tnode *n = s->head; n; n = n->next)
			if (&n->t != keep) {
				victim = n;
				break;
			}
	if (victim)
		rt_thread_remove(s, &victim->t);
}

/* A new thread tid with every field unknown and no fd table; replaces an existing thread of
 * that tid, which must not be keep (the thread the event is about, never evicted). */
static struct rt_thread *rt_thread_create(struct rt_state *s, int64_t tid,
                                          const struct rt_thread *keep)
{
	struct rt_thread *old = rt_thread_lookup(s, tid);
	if (old && old != keep)
		rt_thread_remove(s, old);
	while (s->nthreads >= s->max_threads && s->nthreads > 0) {
		size_t before = s->nthreads;
		rt_threads_evict(s, keep);
		if (s->nthreads == before)
			break;
	}
	if (s->nthreads >= s->nbuckets)
		rt_threads_grow(s);
	struct rt_tnode *n = rt_xcalloc(1, sizeof(*n));
	struct rt_thread *t = &n->t;
	t->tid = tid;
	t->pid = tid;
	t->ptid = t->vtid = t->vpid = t->sid = t->pgid = -1;
	t->exe = t->exepath = t->args = t->env = t->cwd = t->cgroups = rt_empty;
	t->container_id = rt_empty;
	t->loginuid = UINT32_MAX;
	size_t h = rt_tid_hash(tid, s->nbuckets);
	t->hnext = s->buckets[h];
	s->buckets[h] = t;
	n->prev = s->tail;
	if (s->tail)
		s->tail->next = n;
	else
		s->head = n;
	s->tail = n;
	s->nthreads++;
	return t;
}

/* Counts the NUL-terminated strings of a NUL-separated buffer. */
static unsigned rt_count_strings(const char *p, size_t len)
{
	unsigned n = 0;
	for (size_t i = 0; i < len; i++)
		if (p[i] == '\0')
			n++;
	return n;
}

/* Copies a NUL-separated array (a CHARBUFARRAY), NUL-terminating the last string. */
static void rt_array_set(char **dst, size_t *dlen, const uint8_t *p, size_t len)
{
	char *n = rt_empty;
	size_t nl = 0;
	if (p && len) {
		bool term = p[len - 1] == '\0';
		nl = len + !term;
		n = rt_xmalloc(nl);
		memcpy(n, p, len);
		n[nl - 1] = '\0';
	}
	rt_str_free(*dst);
	*dst = n;
	if (dlen)
		*dlen = nl;
}

static void rt_args_set(struct rt_thread *t, const uint8_t *p, size_t len)
{
	rt_array_set(&t->args, &t->args_len, p, len);
	t->nargs = rt_count_strings(t->args, t->args_len);
}

/* Sets the cwd, with its trailing '/'. */
static void rt_cwd_set(struct rt_thread *t, const char *cwd)
{
	if (!cwd || !*cwd) {
		rt_str_set(&t->cwd, NULL);
		return;
	}
	size_t n = strlen(cwd);
	bool slash = cwd[n - 1] == '/';
	char *c = rt_xmalloc(n + 2);
	memcpy(c, cwd, n);
	if (!slash)
		c[n++] = '/';
	c[n] = '\0';
	rt_str_free(t->cwd);
	t->cwd = c;
}

/* Copies a CHARBUFARRAY of cgroups into the double-NUL form, dropping empty entries. */
static void rt_cgroups_set(struct rt_thread *t, const uint8_t *p, size_t len)
{
	char *n = rt_empty;
	if (p && len) {
		n = rt_xmalloc(len + 2);
		size_t o = 0, i = 0;
		while (i < len) {
			size_t j = i;
			while (j < len && p[j])
				j++;
			if (j > i) {
				memcpy(n + o, p + i, j - i);
				o += j - i;
				n[o++] = '\0';
			}
			i = j + 1;
		}
		n[o] = '\0';
		if (!o) {
			free(n);
			n = rt_empty;
		}
	}
	rt_str_free(t->cgroups);
	t->cgroups = n;
}

static void rt_cgroups_copy(struct rt_thread *t, const char *src)
{
	size_t len = 0;
	if (src)
		while (src[len])
			len += strlen(src + len) + 1;
	rt_cgroups_set(t, (const uint8_t *)src, len);
}

/* container_id from the cgroups: the first subsystem whose path names a container; "host"
 * when none does; unknown ("") without cgroups. */
static void rt_container_update(struct rt_thread *t)
{
	char id[13];
	rt_str_free(t->container_id);
	t->container_id = rt_empty;
	if (!t->cgroups || !*t->cgroups)
		return;
	t->container_id = rt_host;
	for (const char *c = t->cgroups; *c; c += strlen(c) + 1) {
		const char *path = strchr(c, '=');
		rt_container_id_from_cgroup(path ? path + 1 : c, id);
		if (strcmp(id, "host") != 0) {
			t->container_id = rt_str_dup(id);
			return;
		}
	}
}

/* --- container ids ----------------------------------------------------------------------- */

static bool rt_is_hex64(const char *p, size_t len)
{
	if (len != 64)
		return false;
	for (size_t i = 0; i < 64; i++) {
		char c = p[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return false;
	}
	return true;
}

static bool rt_has_prefix(const char *p, size_t len, const char *pre)
{
	size_t n = strlen(pre);
	return len >= n && memcmp(p, pre, n) == 0;
}

/* Layouts, one path component each:
 *   docker:          /docker/<id>                  .../docker-<id>.scope
 *   containerd/cri:  /kubepods/.../<id>            .../cri-containerd-<id>.scope
 *   cri-o:           .../crio-<id>.scope           /kubepods/.../crio-<id>
 *   podman:          .../libpod-<id>.scope         /libpod_parent/libpod-<id>
 * A bare <id> counts only under a docker, kubepods* or libpod_parent component. The deepest
 * match wins (a container nested in another reports itself). */
void rt_container_id_from_cgroup(const char *cgroup_path, char out[13])
{
	static const char *const prefixes[] = {"docker-", "cri-containerd-", "crio-", "libpod-"};
	const char *found = NULL;
	bool engine_dir = false;
	const char *p = cgroup_path ? cgroup_path : "";
	while (*p) {
		while (*p == '/')
			p++;
		const char *c = p;
		while (*p && *p != '/')
			p++;
		size_t len = (size_t)(p - c);
		if (!len)
			break;
		const char *id = c;
		size_t idlen = len;
		if (idlen > 6 && memcmp(id + idlen - 6, ".scope", 6) == 0)
			idlen -= 6;
		bool prefixed = false;
		for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
			if (rt_has_prefix(id, idlen, prefixes[i])) {
				size_t n = strlen(prefixes[i]);
				id += n;
				idlen -= n;
				prefixed = true;
				break;
			}
		if (rt_is_hex64(id, idlen) && (prefixed || engine_dir))
			found = id;
		if ((len == 6 && memcmp(c, "docker", 6) == 0) ||
		    rt_has_prefix(c, len, "kubepods") ||
		    (len == 13 && memcmp(c, "libpod_parent", 13) == 0))
			engine_dir = true;
	}
	if (!found) {
		strcpy(out, "host");
		return;
	}
	for (int i = 0; i < 12; i++) {
		char ch = found[i];
		out[i] = (char)(ch >= 'A' && ch <= 'F' ? ch - 'A' + 'a' : ch);
	}
	out[12] = '\0';
}

/* --- paths ------------------------------------------------------------------------------- */

/* Appends one path segment's components to out (len *o), resolving "." and ".." and
 * collapsing slashes; root is the length below which ".." cannot pop. */
static bool rt_path_push(char *out, size_t *o, size_t root, const char *seg, size_t cap)
{
	const char *p = seg;
	while (*p) {
		while (*p == '/')
			p++;
		const char *c = p;
		while (*p && *p != '/')
			p++;
		size_t len = (size_t)(p - c);
		if (!len || (len == 1 && c[0] == '.'))
			continue;
		if (len == 2 && c[0] == '.' && c[1] == '.') {
			size_t i = *o;
			while (i > root && out[i - 1] != '/')
				i--;
			if (i > root)
				i--; /* the slash before the popped component */
			*o = i;
			continue;
		}
		if (*o + len + 2 > cap)
			return false;
		if (*o > root || (*o > 0 && root == 0))
			out[(*o)++] = '/';
		memcpy(out + *o, c, len);
		*o += len;
	}
	return true;
}

/* Joins base (a directory, may be "" for unknown) and rel into s->path, normalized like
 * Falco's concatenate_paths: an absolute rel ignores base; no trailing slash except "/";
 * "/PATH_TOO_LONG" past RT_PATH_MAX. */
static const char *rt_path_join(struct rt_state *s, const char *base, const char *rel)
{
	char *out = s->path;
	size_t o = 0, root = 0;
	if (!rel)
		rel = "";
	const char *first = rel[0] == '/' || !base ? rel : base;
	if (first[0] == '/') {
		out[o++] = '/';
		root = 1;
	}
	bool ok = true;
	if (rel[0] != '/' && base)
		ok = rt_path_push(out, &o, root, base, RT_PATH_MAX);
	if (ok)
		ok = rt_path_push(out, &o, root, rel, RT_PATH_MAX);
	if (!ok)
		return strcpy(out, "/PATH_TOO_LONG");
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
	return out;
}

/* --- socket tuples ----------------------------------------------------------------------- */

static bool rt_is_v4_mapped(const uint8_t a[16])
{
	static const uint8_t zero[16];
	if (memcmp(a, zero, 10) != 0)
		return false;
	return (a[10] == 0xff && a[11] == 0xff) || memcmp(a + 10, zero, 6) == 0;
}

static uint16_t rt_u16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

static uint64_t rt_u64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* Removes the characters Falco's sanitize_string drops (control characters). */
static void rt_sanitize(char *p)
{
	char *w = p;
	for (; *p; p++)
		if ((unsigned char)*p >= 0x20 && *p != 0x7f)
			*w++ = *p;
	*w = '\0';
}

/* Fills f's addresses from a SOCKTUPLE and renders fd.name into s->path as Falco does:
 * "1.2.3.4:5678->9.8.7.6:80", "::1:5678->::1:80" (IPv4-mapped IPv6 as IPv4), and for unix
 * sockets "<src hex>-><dst hex> <path>". False for a short or unknown tuple. */
static bool rt_tuple_apply(struct rt_state *s, struct rt_fd *f, const uint8_t *p, uint16_t len)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	if (!p || len < 1)
		return false;
	switch (p[0]) {
	case FK_AF_INET:
		if (len < 13)
			return false;
		memset(f->sip, 0, 16);
		memset(f->dip, 0, 16);
		memcpy(f->sip, p + 1, 4);
		f->sport = rt_u16(p + 5);
		memcpy(f->dip, p + 7, 4);
		f->dport = rt_u16(p + 11);
		f->family = FK_AF_INET;
		f->type = RT_FD_IPV4;
		break;
	case FK_AF_INET6:
		if (len < 37)
			return false;
		if (rt_is_v4_mapped(p + 1) && rt_is_v4_mapped(p + 19)) {
			memset(f->sip, 0, 16);
			memset(f->dip, 0, 16);
			memcpy(f->sip, p + 13, 4);
			memcpy(f->dip, p + 31, 4);
			f->family = FK_AF_INET;
			f->type = RT_FD_IPV4;
		} else {
			memcpy(f->sip, p + 1, 16);
			memcpy(f->dip, p + 19, 16);
			f->family = FK_AF_INET6;
			f->type = RT_FD_IPV6;
		}
		f->sport = rt_u16(p + 17);
		f->dport = rt_u16(p + 35);
		break;
	case FK_AF_UNIX: {
		if (len < 17)
			return false;
		size_t plen = len - 17;
		char path[512];
		if (plen >= sizeof(path))
			plen = sizeof(path) - 1;
		memcpy(path, p + 17, plen);
		path[plen] = '\0';
		rt_sanitize(path);
		snprintf(s->path, sizeof(s->path), "%llx->%llx %s",
		         (unsigned long long)rt_u64(p + 1), (unsigned long long)rt_u64(p + 9),
		         path);
		f->family = FK_AF_UNIX;
		f->type = RT_FD_UNIX;
		f->connected = true;
		return true;
	}
	default:
		return false;
	}
	if (f->family == FK_AF_INET) {
		snprintf(s->path, sizeof(s->path), "%u.%u.%u.%u:%u->%u.%u.%u.%u:%u", f->sip[0],
		         f->sip[1], f->sip[2], f->sip[3], f->sport, f->dip[0], f->dip[1], f->dip[2],
		         f->dip[3], f->dport);
	} else {
		if (!inet_ntop(AF_INET6, f->sip, a, sizeof(a)) ||
		    !inet_ntop(AF_INET6, f->dip, b, sizeof(b)))
			return false;
		snprintf(s->path, sizeof(s->path), "%s:%u->%s:%u", a, f->sport, b, f->dport);
	}
	f->connected = true;
	return true;
}

/* Renders a SOCKADDR (bind) as Falco does: "1.2.3.4:80", "::1:80", or the unix path. */
static bool rt_sockaddr_apply(struct rt_state *s, struct rt_fd *f, const uint8_t *p, uint16_t len)
{
	char a[INET6_ADDRSTRLEN];
	if (!p || len < 1)
		return false;
	switch (p[0]) {
	case FK_AF_INET:
		if (len < 7)
			return false;
		memset(f->sip, 0, 16);
		memcpy(f->sip, p + 1, 4);
		f->sport = rt_u16(p + 5);
		f->family = FK_AF_INET;
		f->type = RT_FD_IPV4;
		snprintf(s->path, sizeof(s->path), "%u.%u.%u.%u:%u", f->sip[0], f->sip[1],
		         f->sip[2], f->sip[3], f->sport);
		return true;
	case FK_AF_INET6:
		if (len < 19)
			return false;
		memcpy(f->sip, p + 1, 16);
		f->sport = rt_u16(p + 17);
		f->family = FK_AF_INET6;
		f->type = RT_FD_IPV6;
		if (!inet_ntop(AF_INET6, f->sip, a, sizeof(a)))
			return false;
		snprintf(s->path, sizeof(s->path), "%s:%u", a, f->sport);
		return true;
	case FK_AF_UNIX: {
		size_t plen = len - 1;
		if (plen >= sizeof(s->path))
			plen = sizeof(s->path) - 1;
		memcpy(s->path, p + 1, plen);
		s->path[plen] = '\0';
		rt_sanitize(s->path);
		f->family = FK_AF_UNIX;
		f->type = RT_FD_UNIX;
		return true;
	}
	default:
		return false;
	}
}

/* --- parameter access by index ------------------------------------------------------------ */

static bool rt_pint(const struct rt_event *ev, const char *name, int64_t *out)
{
	return rt_param_s64(ev, name, out);
}

static int64_t rt_pint_or(const struct rt_event *ev, const char *name, int64_t def)
{
	int64_t v;
	return rt_param_s64(ev, name, &v) ? v : def;
}

static uint64_t rt_puint_or(const struct rt_event *ev, const char *name, uint64_t def)
{
	uint64_t v;
	return rt_param_u64(ev, name, &v) ? v : def;
}

#define rt_pbytes rt_param_bytes

/* --- event handlers ---------------------------------------------------------------------- */

static struct rt_fdtable *rt_thread_fds(struct rt_thread *t)
{
	if (!t->fds)
		t->fds = rt_fdtab_new();
	return t->fds;
}

static struct rt_fd *rt_add_fd(struct rt_state *s, struct rt_event *ev, int64_t num,
                               const struct rt_fd *tmpl)
{
	struct rt_fd *f = rt_fdtab_insert(s, rt_thread_fds(ev->thread), num, tmpl);
	if (f) {
		ev->fd = f;
		ev->fdnum = num;
	}
	return f;
}

/* Makes t a lazy thread from the header alone, or from its process's main thread when that
 * is known (threads share the process image). */
static struct rt_thread *rt_thread_lazy(struct rt_state *s, int64_t tid, int64_t pid)
{
	struct rt_thread *t = rt_thread_create(s, tid, NULL);
	s->lazy_threads++;
	t->lazy = true;
	t->pid = pid > 0 ? pid : tid;
	if (t->pid == tid) {
		t->fds = rt_fdtab_new();
		return t;
	}
	struct rt_thread *m = rt_thread_lookup(s, t->pid);
	if (!m) {
		m = rt_thread_create(s, t->pid, t);
		s->lazy_threads++;
		m->lazy = true;
		m->fds = rt_fdtab_new();
	}
	t->fds = m->fds;
	t->fds->refs++;
	memcpy(t->comm, m->comm, sizeof(t->comm));
	rt_str_set(&t->exe, m->exe);
	rt_str_set(&t->exepath, m->exepath);
	rt_args_set(t, (const uint8_t *)m->args, m->args_len);
	rt_array_set(&t->env, &t->env_len, (const uint8_t *)m->env, m->env_len);
	rt_str_set(&t->cwd, m->cwd);
	rt_cgroups_copy(t, m->cgroups);
	rt_str_set(&t->container_id, m->container_id);
	rt_set_ptid(s, t, m->ptid);
	t->vpid = m->vpid;
	t->sid = m->sid;
	t->pgid = m->pgid;
	t->uid = m->uid;
	t->gid = m->gid;
	t->euid = m->euid;
	t->egid = m->egid;
	t->loginuid = m->loginuid;
	t->tty = m->tty;
	t->exec_ts = m->exec_ts;
	t->exe_flags = m->exe_flags;
	t->exe_from_memfd = m->exe_from_memfd;
	t->cap_permitted = m->cap_permitted;
	t->cap_effective = m->cap_effective;
	t->cap_inheritable = m->cap_inheritable;
	return t;
}

static bool rt_is_clone(unsigned type)
{
	return type == FK_EVENT_CLONE || type == FK_EVENT_CLONE3 || type == FK_EVENT_FORK ||
	       type == FK_EVENT_VFORK;
}

/* Fields a child takes from the event: exe, args, comm, cwd, cgroups, uid/gid. */
static void rt_child_from_params(struct rt_thread *c, const struct rt_event *ev)
{
	const uint8_t *p;
	uint16_t len;
	const char *exe = rt_param_str(ev, "exe");
	if (exe)
		rt_str_set(&c->exe, exe);
	if (rt_pbytes(ev, "args", &p, &len))
		rt_args_set(c, p, len);
	const char *comm = rt_param_str(ev, "comm");
	if (!comm || !*comm)
		comm = exe;
	if (comm) {
		memset(c->comm, 0, sizeof(c->comm));
		strncpy(c->comm, comm, sizeof(c->comm) - 1);
	}
	const char *cwd = rt_param_str(ev, "cwd");
	if (cwd && *cwd)
		rt_cwd_set(c, cwd);
	if (rt_pbytes(ev, "cgroups", &p, &len)) {
		rt_cgroups_set(c, p, len);
		rt_container_update(c);
	}
	uint64_t v;
	if (rt_param_u64(ev, "uid", &v))
		c->uid = c->euid = (uint32_t)v;
	if (rt_param_u64(ev, "gid", &v))
		c->gid = c->egid = (uint32_t)v;
	c->clone_ts = ev->hdr->ts_ns;
}

/* What a child inherits from the thread it is copied from (Falco's caller/lookup thread). */
static void rt_child_inherit(struct rt_state *s, struct rt_thread *c, struct rt_thread *from,
                             bool thread)
{
	memcpy(c->comm, from->comm, sizeof(c->comm));
	rt_str_set(&c->exe, from->exe);
	rt_args_set(c, (const uint8_t *)from->args, from->args_len);
	rt_str_set(&c->exepath, from->exepath);
	rt_array_set(&c->env, &c->env_len, (const uint8_t *)from->env, from->env_len);
	rt_str_set(&c->cwd, rt_thread_cwd(s, from));
	rt_cgroups_copy(c, from->cgroups);
	rt_str_set(&c->container_id, from->container_id);
	c->uid = from->uid;
	c->gid = from->gid;
	c->euid = from->euid;
	c->egid = from->egid;
	c->loginuid = from->loginuid;
	c->tty = from->tty;
	c->sid = from->sid;
	c->pgid = from->pgid;
	c->exe_flags = from->exe_flags;
	c->exe_from_memfd = from->exe_from_memfd;
	c->cap_permitted = from->cap_permitted;
	c->cap_effective = from->cap_effective;
	c->cap_inheritable = from->cap_inheritable;
	c->exec_ts = thread ? from->exec_ts : 0;
	if (thread) {
		c->fds = rt_thread_fds(from);
		c->fds->refs++;
	} else {
		c->fds = rt_fdtab_copy(s, from->fds);
	}
}

/* The parent's clone exit (res = child tid > 0). Like libsinsp, the child is not made here
 * when its tid may be a namespaced one (the caller or child in a pid namespace, CLONE_PARENT)
 * or for vfork (its exit may already have been seen); the child's own event makes it. */
static void rt_clone_caller(struct rt_state *s, struct rt_event *ev)
{
	struct rt_thread *caller = ev->thread;
	int64_t child = ev->hdr->res;
	uint32_t flags = (uint32_t)rt_puint_or(ev, "flags", 0);
	if (caller->lazy) {
		/* enrich what the header could not tell */
		int64_t v;
		if (rt_pint(ev, "pid", &v) && v > 0)
			caller->pid = v;
		if (rt_pint(ev, "ptid", &v) && v >= 0)
			rt_set_ptid(s, caller, v);
		rt_child_from_params(caller, ev);
		caller->clone_ts = 0;
	}
	int64_t vtid = rt_pint_or(ev, "vtid", -1);
	if (flags & (RT_CL_CHILD_IN_PIDNS | RT_CL_CLONE_NEWPID | RT_CL_CLONE_PARENT |
	             RT_CL_CLONE_VFORK) ||
	    ev->hdr->type == FK_EVENT_VFORK || (vtid >= 0 && vtid != caller->tid))
		return;
	if (child <= 0 || child == caller->tid)
		return;
	struct rt_thread *old = rt_thread_lookup(s, child);
	if (old && rt_tnode(old)->inverted) {
		rt_tnode(old)->inverted = false; /* the child's event came first: all done */
		return;
	}
	bool thread = flags & RT_CL_CLONE_THREAD;
	struct rt_thread *c = rt_thread_create(s, child, caller); /* replaces a reused tid */
	rt_child_inherit(s, c, caller, thread);
	c->pid = thread ? caller->pid : child;
	rt_set_ptid(s, c, thread ? caller->ptid : caller->tid);
	c->vtid = c->tid;
	c->vpid = c->pid;
	rt_child_from_params(c, ev);
	rt_tnode(c)->from_caller = true;
}

/* The child's own clone exit record of a new process: the state has seen it from its
 * start, its birth is this record (fk_pf_born does the same in the kernel). */
static void rt_cwd_born(struct rt_state *s, struct rt_thread *c, const struct rt_event *ev)
{
	if (c->tid != c->pid)
		return;
	c->cwd_known = true;
	c->cwd_seq = 0;
	c->cwd_birth = ev->hdr->ts_ns;
	rt_cwd_changed(s, c);
}

/* The child's clone exit (res == 0): ev->hdr->tid is the child. Returns its thread. */
static struct rt_thread *rt_clone_child(struct rt_state *s, struct rt_event *ev)
{
	int64_t tid = ev->hdr->tid;
	struct rt_thread *old = rt_thread_lookup(s, tid);
	if (old && rt_tnode(old)->from_caller) {
		rt_tnode(old)->from_caller = false;
		rt_cwd_born(s, old, ev);
		return old;
	}
	uint32_t flags = (uint32_t)rt_puint_or(ev, "flags", 0);
	bool thread = flags & RT_CL_CLONE_THREAD;
	int64_t pid = rt_pint_or(ev, "pid", thread ? (int64_t)ev->hdr->tgid : tid);
	int64_t ptid = rt_pint_or(ev, "ptid", -1);
	if (pid <= 0)
		pid = thread ? (int64_t)ev->hdr->tgid : tid;
	struct rt_thread *c = rt_thread_create(s, tid, NULL); /* replaces a stale thread */
	int64_t from_tid = thread ? pid : ptid;
	struct rt_thread *from =
	    from_tid > 0 && from_tid != tid ? rt_thread_lookup(s, from_tid) : NULL;
	if (!from && thread && pid != tid) {
		from = rt_thread_create(s, pid, c);
		s->lazy_threads++;
		from->lazy = true;
		from->fds = rt_fdtab_new();
	}
	if (from)
		rt_child_inherit(s, c, from, thread);
	else
		c->fds = rt_fdtab_new();
	c->pid = pid;
	rt_set_ptid(s, c, ptid);
	c->vtid = rt_pint_or(ev, "vtid", tid);
	c->vpid = rt_pint_or(ev, "vpid", pid);
	rt_child_from_params(c, ev);
	rt_tnode(c)->inverted = true;
	rt_cwd_born(s, c, ev);
	return c;
}

/* execve/execveat exit: a successful one replaces the process image. */
static void rt_execve(struct rt_state *s, struct rt_event *ev)
{
	struct rt_thread *t = ev->thread;
	const uint8_t *p;
	uint16_t len;
	uint64_t u;
	int64_t v;
	if (ev->hdr->res != 0)
		return;
	const char *exe = rt_param_str(ev, "exe");
	rt_str_set(&t->exe, exe);
	if (rt_pbytes(ev, "args", &p, &len))
		rt_args_set(t, p, len);
	else
		rt_args_set(t, NULL, 0);
	const char *comm = rt_param_str(ev, "comm");
	if (!comm || !*comm)
		comm = exe ? exe : "";
	memset(t->comm, 0, sizeof(t->comm));
	strncpy(t->comm, comm, sizeof(t->comm) - 1);
	if (rt_pint(ev, "pid", &v) && v > 0)
		t->pid = v;
	if (t->lazy && rt_pint(ev, "ptid", &v) && v >= 0)
		rt_set_ptid(s, t, v);
	const char *cwd = rt_param_str(ev, "cwd");
	if (cwd && *cwd)
		rt_cwd_set(t, cwd);
	if (rt_pbytes(ev, "env", &p, &len))
		rt_array_set(&t->env, &t->env_len, p, len);
	if (rt_pbytes(ev, "cgroups", &p, &len)) {
		rt_cgroups_set(t, p, len);
		rt_container_update(t);
	}
	if (rt_param_u64(ev, "tty", &u))
		t->tty = (uint32_t)u;
	t->pgid = rt_pint_or(ev, "pgid", -1);
	if (rt_pint(ev, "sid", &v))
		t->sid = v;
	if (rt_param_u64(ev, "loginuid", &u))
		t->loginuid = (uint32_t)u;
	if (rt_param_u64(ev, "flags", &u)) {
		t->exe_flags = (uint32_t)u;
		t->exe_from_memfd = u & RT_EXE_FROM_MEMFD;
	}
	if (rt_param_u64(ev, "uid", &u))
		t->uid = t->euid = (uint32_t)u;
	if (rt_param_u64(ev, "gid", &u))
		t->gid = t->egid = (uint32_t)u;
	if (rt_pint(ev, "vpid", &v))
		t->vpid = v;
	if (rt_pint(ev, "vtid", &v))
		t->vtid = v;
	const char *exepath = rt_param_str(ev, "exepath");
	if (exepath && *exepath) {
		rt_str_set(&t->exepath, exepath);
	} else {
		/* old records: the filename, resolved against the cwd */
		const char *fn =
		    rt_param_str(ev, ev->hdr->type == FK_EVENT_EXECVE ? "filename" : "pathname");
		if (fn && *fn)
			rt_str_set(&t->exepath, rt_path_join(s, rt_thread_cwd(s, t), fn));
	}
	t->exec_ts = ev->hdr->ts_ns;
	t->lazy = false;
	/* close-on-exec fds go away with the old image */
	if (t->fds) {
		struct rt_fdnode *n = t->fds->head;
		while (n) {
			struct rt_fdnode *next = n->next;
			if (rt_fd_is_cloexec(&n->fd))
				rt_fdtab_unlink(s, t->fds, n);
			n = next;
		}
	}
}

/* The directory a *at() call resolves name against: "" for an absolute name, the cwd for
 * AT_FDCWD, the dirfd's path, or "<UNKNOWN>" (as Falco). */
static const char *rt_dirfd_base(struct rt_state *s, struct rt_thread *t, int64_t dirfd,
				 const char *name)
{
	if (name && name[0] == '/')
		return NULL;
	if (dirfd == RT_AT_FDCWD)
		return rt_thread_cwd(s, t);
	struct rt_fd *d = rt_fd_lookup(t, dirfd);
	return d ? d->name : "<UNKNOWN>";
}

static void rt_open(struct rt_state *s, struct rt_event *ev)
{
	struct rt_thread *t = ev->thread;
	int64_t fd = ev->hdr->res;
	if (fd < 0)
		return;
	unsigned type = ev->hdr->type;
	struct rt_fd f = {0};
	const char *name;
	const char *base;
	switch (type) {
	case FK_EVENT_OPENAT:
	case FK_EVENT_OPENAT2:
		name = rt_param_str(ev, "name");
		base = rt_dirfd_base(s, t, rt_pint_or(ev, "dirfd", RT_AT_FDCWD), name);
		break;
	case FK_EVENT_OPEN_BY_HANDLE_AT:
		name = rt_param_str(ev, "path");
		base = NULL;
		break;
	default:
		name = rt_param_str(ev, "name");
		base = rt_thread_cwd(s, t);
		break;
	}
	if (!name)
		strcpy(s->path, "<NA>");
	else
		rt_path_join(s, name[0] == '/' ? NULL : base, name);
	f.name = s->path;
	if (name && strcmp(name, s->path) != 0)
		f.nameraw = (char *)name; /* copied by the insert */
	if (type == FK_EVENT_CREAT)
		f.open_flags = RT_O_CREAT | RT_O_WRONLY | RT_O_TRUNC;
	else
		f.open_flags = (uint32_t)rt_puint_or(ev, "flags", 0);
	f.type = f.open_flags & RT_O_DIRECTORY ? RT_FD_DIRECTORY : RT_FD_FILE;
	f.dev = (uint32_t)rt_puint_or(ev, "dev", 0);
	f.ino = rt_puint_or(ev, "ino", 0);
	rt_add_fd(s, ev, fd, &f);
}

static void rt_socket(struct rt_state *s, struct rt_event *ev)
{
	int64_t fd = ev->hdr->res;
	if (fd < 0)
		return;
	uint32_t domain = (uint32_t)rt_puint_or(ev, "domain", 0);
	uint32_t type = (uint32_t)rt_puint_or(ev, "type", 0);
	uint32_t proto = (uint32_t)rt_puint_or(ev, "proto", 0);
	struct rt_fd f = {.name = NULL};
	f.family = (uint8_t)domain;
	switch (domain) {
	case FK_AF_INET:
		f.type = RT_FD_IPV4;
		break;
	case FK_AF_INET6:
		f.type = RT_FD_IPV6;
		break;
	case FK_AF_UNIX:
		f.type = RT_FD_UNIX;
		break;
	case RT_AF_NETLINK:
		f.type = RT_FD_NETLINK;
		break;
	default:
		f.type = RT_FD_UNKNOWN;
		break;
	}
	if (domain == FK_AF_INET || domain == FK_AF_INET6) {
		if (proto == 6)
			f.l4proto = RT_L4_TCP;
		else if (proto == 17)
			f.l4proto = RT_L4_UDP;
		else if (proto == 1 || proto == 58)
			f.l4proto = RT_L4_ICMP;
		else if ((type & RT_SOCK_TYPE_MASK) == 1)
			f.l4proto = RT_L4_TCP;
		else if ((type & RT_SOCK_TYPE_MASK) == 2)
			f.l4proto = RT_L4_UDP;
		else if ((type & RT_SOCK_TYPE_MASK) == 3)
			f.l4proto = RT_L4_RAW;
	}
	if (type & RT_SOCK_CLOEXEC)
		f.open_flags = RT_O_CLOEXEC;
	rt_add_fd(s, ev, fd, &f);
}

/* The socket fd of a connect/bind/sendto..., created when the socket predates the capture. */
static struct rt_fd *rt_socket_fd(struct rt_state *s, struct rt_event *ev, int64_t fd,
                                  uint8_t family)
{
	struct rt_fd *f = rt_fd_lookup(ev->thread, fd);
	if (f || fd < 0)
		return f;
	struct rt_fd tmpl = {.family = family};
	tmpl.type = family == FK_AF_INET    ? RT_FD_IPV4
	            : family == FK_AF_INET6 ? RT_FD_IPV6
	            : family == FK_AF_UNIX  ? RT_FD_UNIX
	                                    : RT_FD_UNKNOWN;
	return rt_add_fd(s, ev, fd, &tmpl);
}

static void rt_fd_rename(struct rt_fd *f, const char *name)
{
	rt_str_set(&f->name, name);
}

static void rt_connect(struct rt_state *s, struct rt_event *ev)
{
	const uint8_t *p;
	uint16_t len;
	if (ev->hdr->res != 0 && ev->hdr->res != -RT_EINPROGRESS)
		return;
	if (!rt_pbytes(ev, "tuple", &p, &len))
		return;
	struct rt_fd *f = rt_socket_fd(s, ev, rt_pint_or(ev, "fd", -1), p[0]);
	if (!f)
		return;
	struct rt_fd tmp = *f;
	if (!rt_tuple_apply(s, &tmp, p, len))
		return;
	tmp.name = f->name;
	tmp.is_server = false;
	if (tmp.type != RT_FD_UNIX && tmp.l4proto == RT_L4_UNKNOWN)
		tmp.l4proto = RT_L4_TCP;
	*f = tmp;
	rt_fd_rename(f, s->path);
}

static void rt_accept(struct rt_state *s, struct rt_event *ev)
{
	const uint8_t *p;
	uint16_t len;
	int64_t fd = ev->hdr->res;
	if (fd < 0 || !rt_pbytes(ev, "tuple", &p, &len))
		return;
	struct rt_fd f = {0};
	if (!rt_tuple_apply(s, &f, p, len))
		return; /* unsupported family: Falco adds nothing either */
	if (f.type != RT_FD_UNIX)
		f.l4proto = RT_L4_TCP;
	f.is_server = true;
	f.name = s->path;
	if (ev->hdr->type == FK_EVENT_ACCEPT4 && (rt_puint_or(ev, "flags", 0) & RT_O_CLOEXEC))
		f.open_flags = RT_O_CLOEXEC;
	rt_add_fd(s, ev, fd, &f);
}

static void rt_bind(struct rt_state *s, struct rt_event *ev)
{
	const uint8_t *p;
	uint16_t len;
	if (ev->hdr->res != 0 || !rt_pbytes(ev, "addr", &p, &len))
		return;
	struct rt_fd *f = rt_socket_fd(s, ev, rt_pint_or(ev, "fd", -1), p[0]);
	if (!f)
		return;
	struct rt_fd tmp = *f;
	if (!rt_sockaddr_apply(s, &tmp, p, len))
		return;
	tmp.name = f->name;
	*f = tmp;
	rt_fd_rename(f, s->path);
}

/* sendto/recvfrom/sendmsg/recvmsg: an unconnected UDP socket takes the datagram's tuple. */
static void rt_sendrecv(struct rt_state *s, struct rt_event *ev)
{
	const uint8_t *p;
	uint16_t len;
	if (ev->hdr->res < 0 || !rt_pbytes(ev, "tuple", &p, &len))
		return;
	struct rt_fd *f = rt_fd_lookup(ev->thread, rt_pint_or(ev, "fd", -1));
	if (!f || f->connected || f->l4proto != RT_L4_UDP ||
	    (f->type != RT_FD_IPV4 && f->type != RT_FD_IPV6))
		return;
	struct rt_fd tmp = *f;
	if (!rt_tuple_apply(s, &tmp, p, len) || tmp.type == RT_FD_UNIX)
		return;
	tmp.name = f->name;
	tmp.is_server = ev->hdr->type == FK_EVENT_RECVFROM || ev->hdr->type == FK_EVENT_RECVMSG;
	*f = tmp;
	rt_fd_rename(f, s->path);
}

static void rt_pipe(struct rt_state *s, struct rt_event *ev)
{
	if (ev->hdr->res != 0)
		return;
	int64_t fd1 = rt_pint_or(ev, "fd1", -1), fd2 = rt_pint_or(ev, "fd2", -1);
	struct rt_fd f = {.type = RT_FD_PIPE}; /* Falco names them "" */
	f.ino = rt_puint_or(ev, "ino", 0);
	if (ev->hdr->type == FK_EVENT_PIPE2)
		f.open_flags = (uint32_t)rt_puint_or(ev, "flags", 0);
	rt_add_fd(s, ev, fd2, &f);
	rt_add_fd(s, ev, fd1, &f);
}

static void rt_socketpair(struct rt_state *s, struct rt_event *ev)
{
	if (ev->hdr->res != 0)
		return;
	int64_t fd1 = rt_pint_or(ev, "fd1", -1), fd2 = rt_pint_or(ev, "fd2", -1);
	if (fd1 == fd2)
		return;
	uint32_t domain = (uint32_t)rt_puint_or(ev, "domain", FK_AF_UNIX);
	struct rt_fd f = {.family = (uint8_t)domain};
	f.type = domain == FK_AF_UNIX ? RT_FD_UNIX : RT_FD_UNKNOWN;
	if (rt_puint_or(ev, "type", 0) & RT_SOCK_CLOEXEC)
		f.open_flags = RT_O_CLOEXEC;
	rt_add_fd(s, ev, fd2, &f);
	rt_add_fd(s, ev, fd1, &f);
}

static void rt_memfd(struct rt_state *s, struct rt_event *ev)
{
	int64_t fd = ev->hdr->res;
	if (fd < 0)
		return;
	const char *name = rt_param_str(ev, "name");
	struct rt_fd f = {.type = RT_FD_MEMFD, .name = (char *)(name ? name : "")};
	f.open_flags = (uint32_t)rt_puint_or(ev, "flags", 0);
	rt_add_fd(s, ev, fd, &f);
}

/* dup/dup2/dup3/fcntl(F_DUPFD*): newfd becomes a copy of oldfd (FD_CLOEXEC as the call
 * sets it: only dup3(O_CLOEXEC) and F_DUPFD_CLOEXEC set it). */
static void rt_dup(struct rt_state *s, struct rt_event *ev)
{
	int64_t newfd = ev->hdr->res;
	unsigned type = ev->hdr->type;
	bool cloexec = false;
	int64_t oldfd;
	if (type == FK_EVENT_FCNTL) {
		int64_t cmd = rt_pint_or(ev, "cmd", 0);
		if (cmd != RT_FCNTL_F_DUPFD && cmd != RT_FCNTL_F_DUPFD_CLOEXEC)
			return;
		cloexec = cmd == RT_FCNTL_F_DUPFD_CLOEXEC;
		oldfd = rt_pint_or(ev, "fd", -1);
	} else {
		oldfd = rt_pint_or(ev, "oldfd", -1);
		if (type == FK_EVENT_DUP3)
			cloexec = rt_puint_or(ev, "flags", 0) & RT_O_CLOEXEC;
	}
	if (newfd < 0 || newfd == oldfd)
		return;
	struct rt_fd *old = rt_fd_lookup(ev->thread, oldfd);
	if (!old) {
		/* dup2/dup3 onto an fd closes it even when the source is unknown */
		if (type == FK_EVENT_DUP2 || type == FK_EVENT_DUP3)
			rt_fdtab_remove(s, ev->thread->fds, newfd);
		return;
	}
	struct rt_fd tmpl = *old;
	if (tmpl.type == RT_FD_MEMFD)
		tmpl.open_flags = cloexec ? RT_MFD_CLOEXEC : tmpl.open_flags & ~RT_MFD_CLOEXEC;
	else
		tmpl.open_flags =
		    cloexec ? tmpl.open_flags | RT_O_CLOEXEC : tmpl.open_flags & ~RT_O_CLOEXEC;
	rt_add_fd(s, ev, newfd, &tmpl);
}

static void rt_single_fd(struct rt_state *s, struct rt_event *ev, char type)
{
	int64_t fd = ev->hdr->res;
	if (fd < 0)
		return;
	if (type == RT_FD_BPF) {
		/* only commands that return a new fd: map/prog create, obj get, *_GET_FD_BY_ID,
		 * btf load, link create */
		switch (rt_pint_or(ev, "cmd", -1)) {
		case 0:
		case 5:
		case 7:
		case 13:
		case 14:
		case 18:
		case 19:
		case 28:
		case 29:
			break;
		default:
			return;
		}
	}
	struct rt_fd f = {.type = type};
	rt_add_fd(s, ev, fd, &f);
}

/* The cwd a successful chdir or fchdir gives t (and its process). */
static void rt_chdir_apply(struct rt_state *s, struct rt_event *ev)
{
	struct rt_thread *t = ev->thread;
	const char *dir;
	if (ev->hdr->type == FK_EVENT_CHDIR) {
		const char *path = rt_param_str(ev, "path");
		if (!path)
			return;
		dir = rt_path_join(s, path[0] == '/' ? NULL : rt_thread_cwd(s, t), path);
	} else {
		struct rt_fd *f = rt_fd_lookup(t, rt_pint_or(ev, "fd", -1));
		if (!f || !f->name || f->name[0] != '/')
			return;
		dir = f->name;
	}
	rt_cwd_set(t, dir);
	struct rt_thread *m = rt_thread_main(s, t);
	if (m != t)
		rt_cwd_set(m, t->cwd);
}

/* chdir, fchdir */
static void rt_chdir(struct rt_state *s, struct rt_event *ev)
{
	struct rt_thread *t = ev->thread;
	if (ev->hdr->res != 0)
		return;
	/* counted whatever it changes: the kernel counts every successful call */
	struct rt_thread *m = rt_thread_main(s, t);
	m->cwd_seq++;
	rt_chdir_apply(s, ev);
	rt_cwd_changed(s, m);
}

static void rt_setids(struct rt_event *ev)
{
	struct rt_thread *t = ev->thread;
	uint64_t a;
	if (ev->hdr->res != 0)
		return;
	switch (ev->hdr->type) {
	case FK_EVENT_SETUID:
		if (rt_param_u64(ev, "uid", &a) && a != UINT32_MAX)
			t->uid = t->euid = (uint32_t)a;
		break;
	case FK_EVENT_SETGID:
		if (rt_param_u64(ev, "gid", &a) && a != UINT32_MAX)
			t->gid = t->egid = (uint32_t)a;
		break;
	case FK_EVENT_SETREUID:
	case FK_EVENT_SETRESUID:
		if (rt_param_u64(ev, "euid", &a) && (uint32_t)a != UINT32_MAX)
			t->uid = t->euid = (uint32_t)a;
		break;
	case FK_EVENT_SETREGID:
	case FK_EVENT_SETRESGID:
		if (rt_param_u64(ev, "egid", &a) && (uint32_t)a != UINT32_MAX)
			t->gid = t->egid = (uint32_t)a;
		break;
	case FK_EVENT_CAPSET:
		t->cap_inheritable = rt_puint_or(ev, "cap_inheritable", t->cap_inheritable);
		t->cap_permitted = rt_puint_or(ev, "cap_permitted", t->cap_permitted);
		t->cap_effective = rt_puint_or(ev, "cap_effective", t->cap_effective);
		break;
	}
}

/* --- pre / post -------------------------------------------------------------------------- */

/* The fd an event names in its fd parameter, if it has one. */
static void rt_event_fd(struct rt_state *s, struct rt_event *ev)
{
	int64_t fd;
	const uint8_t *p;
	uint16_t len;
	unsigned type = ev->hdr->type;
	if (s->fd_param[type] < 0 || !rt_param_index(ev, s->fd_param[type], &p, &len) || len != 8)
		return;
	memcpy(&fd, p, 8);
	if (fd >= 0) {
		ev->fdnum = fd;
		ev->fd = rt_fd_lookup(ev->thread, fd);
	}
}

void rt_state_pre(struct rt_state *s, struct rt_event *ev)
{
	ev->fd = NULL;
	ev->fdnum = -1;
	if (!ev->hdr || !ev->info)
		return;
	const struct fk_event_hdr *h = ev->hdr;
	unsigned type = h->type;
	bool enter = ev->info->flags & FK_EF_ENTER;
	if (!enter && rt_is_clone(type) && h->res == 0) {
		ev->thread = rt_clone_child(s, ev);
	} else {
		ev->thread = rt_thread_lookup(s, h->tid);
		if (!ev->thread)
			ev->thread = rt_thread_lazy(s, h->tid, h->tgid);
	}
	if (!ev->thread->fds)
		ev->thread->fds = rt_fdtab_new();
	if (enter) {
		rt_event_fd(s, ev);
		ev->thread->enter_fd = ev->fdnum;
		ev->thread->enter_name = ev->info->name;
		return;
	}
	switch (type) {
	case FK_EVENT_CLONE:
	case FK_EVENT_CLONE3:
	case FK_EVENT_FORK:
	case FK_EVENT_VFORK:
		if (h->res > 0)
			rt_clone_caller(s, ev);
		break;
	case FK_EVENT_EXECVE:
	case FK_EVENT_EXECVEAT:
		rt_execve(s, ev);
		break;
	case FK_EVENT_OPEN:
	case FK_EVENT_OPENAT:
	case FK_EVENT_OPENAT2:
	case FK_EVENT_CREAT:
	case FK_EVENT_OPEN_BY_HANDLE_AT:
		rt_open(s, ev);
		break;
	case FK_EVENT_SOCKET:
		rt_socket(s, ev);
		break;
	case FK_EVENT_CONNECT:
		rt_connect(s, ev);
		break;
	case FK_EVENT_ACCEPT:
	case FK_EVENT_ACCEPT4:
		rt_accept(s, ev);
		break;
	case FK_EVENT_BIND:
		rt_bind(s, ev);
		break;
	case FK_EVENT_SENDTO:
	case FK_EVENT_RECVFROM:
	case FK_EVENT_SENDMSG:
	case FK_EVENT_RECVMSG:
		rt_sendrecv(s, ev);
		break;
	case FK_EVENT_PIPE:
	case FK_EVENT_PIPE2:
		rt_pipe(s, ev);
		break;
	case FK_EVENT_SOCKETPAIR:
		rt_socketpair(s, ev);
		break;
	case FK_EVENT_MEMFD_CREATE:
		rt_memfd(s, ev);
		break;
	case FK_EVENT_DUP:
	case FK_EVENT_DUP2:
	case FK_EVENT_DUP3:
	case FK_EVENT_FCNTL:
		rt_dup(s, ev);
		break;
	case FK_EVENT_USERFAULTFD:
		rt_single_fd(s, ev, RT_FD_USERFAULTFD);
		break;
	case FK_EVENT_BPF:
		rt_single_fd(s, ev, RT_FD_BPF);
		break;
	case FK_EVENT_CHDIR:
	case FK_EVENT_FCHDIR:
		rt_chdir(s, ev);
		break;
	case FK_EVENT_SETUID:
	case FK_EVENT_SETGID:
	case FK_EVENT_SETREUID:
	case FK_EVENT_SETREGID:
	case FK_EVENT_SETRESUID:
	case FK_EVENT_SETRESGID:
	case FK_EVENT_CAPSET:
		rt_setids(ev);
		break;
	case FK_EVENT_SETSID:
		if (h->res > 0)
			ev->thread->sid = ev->thread->pgid = h->res;
		break;
	case FK_EVENT_SETPGID: {
		int64_t pid = rt_pint_or(ev, "pid", -1), pgid = rt_pint_or(ev, "pgid", -1);
		if (h->res == 0 && (pid == 0 || pid == ev->thread->pid))
			ev->thread->pgid = pgid > 0 ? pgid : ev->thread->pid;
		break;
	}
	default:
		break;
	}
	if (ev->fdnum < 0)
		rt_event_fd(s, ev);
	/* an exit that does not carry its fd takes its entry's */
	struct rt_thread *t = ev->thread;
	if (ev->fdnum < 0 && t->enter_fd >= 0 && t->enter_name &&
	    strcmp(t->enter_name, ev->info->name) == 0) {
		ev->fdnum = t->enter_fd;
		ev->fd = rt_fd_lookup(t, t->enter_fd);
	}
	t->enter_fd = -1;
	t->enter_name = NULL;
}

/* Children of a dead thread go to the reaper the kernel chose (procexit's reaper_tid), else
 * to init. */
static void rt_reparent(struct rt_state *s, struct rt_thread *t, int64_t reaper)
{
	if (!rt_tnode(t)->nchildren)
		return;
	if (reaper <= 0 || reaper == t->tid)
		reaper = 1;
	for (struct rt_tnode *n = s->head; n; n = n->next)
		if (n->t.ptid == t->tid && &n->t != t)
			rt_set_ptid(s, &n->t, reaper);
}

void rt_state_post(struct rt_state *s, struct rt_event *ev)
{
	if (!ev->hdr || !ev->info || !ev->thread || (ev->info->flags & FK_EF_ENTER))
		return;
	struct rt_thread *t = ev->thread;
	switch (ev->hdr->type) {
	case FK_EVENT_CLOSE:
		if (ev->hdr->res == 0 && ev->fdnum >= 0 && rt_fdtab_remove(s, t->fds, ev->fdnum))
			ev->fd = NULL;
		break;
	case FK_EVENT_PROCEXIT:
		rt_reparent(s, t, rt_pint_or(ev, "reaper_tid", 0));
		rt_thread_remove(s, t);
		ev->thread = NULL; /* freed: nothing may read it after post */
		ev->fd = NULL;
		break;
	case FK_EVENT_EXECVE:
	case FK_EVENT_EXECVEAT:
		/* the other threads of the group die with the old image */
		if (ev->hdr->res == 0 && t->fds && t->fds->refs > 1) {
			struct rt_tnode *n = s->head;
			while (n) {
				struct rt_tnode *next = n->next;
				if (&n->t != t && n->t.pid == t->pid && n->t.fds == t->fds)
					rt_thread_remove(s, &n->t);
				n = next;
			}
		}
		break;
	default:
		break;
	}
}

/* --- snapshots --------------------------------------------------------------------------- */

struct rt_thread *rt_state_add_thread(struct rt_state *s, const struct rt_thread *src)
{
	if (!src)
		return NULL;
	struct rt_fdtable *fds = NULL;
	struct rt_thread *old = rt_thread_lookup(s, src->tid);
	if (old && old->fds) {
		fds = old->fds; /* a snapshot refreshes the thread; its fds stay */
		fds->refs++;
	}
	struct rt_thread *t = rt_thread_create(s, src->tid, NULL);
	t->pid = src->pid > 0 ? src->pid : src->tid;
	rt_set_ptid(s, t, src->ptid);
	t->vtid = src->vtid;
	t->vpid = src->vpid;
	t->sid = src->sid;
	t->pgid = src->pgid;
	memcpy(t->comm, src->comm, sizeof(t->comm));
	t->comm[sizeof(t->comm) - 1] = '\0';
	rt_str_set(&t->exe, src->exe);
	rt_str_set(&t->exepath, src->exepath);
	rt_args_set(t, (const uint8_t *)src->args, src->args ? src->args_len : 0);
	rt_array_set(&t->env, &t->env_len, (const uint8_t *)src->env, src->env ? src->env_len : 0);
	if (src->cwd && *src->cwd)
		rt_cwd_set(t, src->cwd);
	rt_cgroups_copy(t, src->cgroups);
	if (src->container_id && *src->container_id)
		rt_str_set(&t->container_id, src->container_id);
	else
		rt_container_update(t);
	t->uid = src->uid;
	t->gid = src->gid;
	t->euid = src->euid;
	t->egid = src->egid;
	t->loginuid = src->loginuid;
	t->tty = src->tty;
	t->clone_ts = src->clone_ts;
	t->exec_ts = src->exec_ts;
	t->cap_permitted = src->cap_permitted;
	t->cap_effective = src->cap_effective;
	t->cap_inheritable = src->cap_inheritable;
	t->exe_flags = src->exe_flags;
	t->exe_from_memfd = src->exe_from_memfd;
	t->lazy = src->lazy;
	if (t->tid == t->pid && !t->lazy) {
		t->cwd_known = true;    /* a snapshot: what the process had at its start */
		rt_cwd_changed(s, t);
	}
	if (!fds && t->pid != t->tid) {
		struct rt_thread *m = rt_thread_lookup(s, t->pid);
		if (m && m->fds) {
			fds = m->fds;
			fds->refs++;
		}
	}
	t->fds = fds ? fds : rt_fdtab_new();
	/* threads that named this tid as parent before it was known */
	for (struct rt_tnode *n = s->head; n; n = n->next)
		if (n->t.ptid == t->tid && &n->t != t)
			rt_tnode(t)->nchildren++;
	return t;
}

struct rt_fd *rt_state_add_fd(struct rt_state *s, int64_t tid, const struct rt_fd *fd)
{
	struct rt_thread *t = rt_thread_lookup(s, tid);
	if (!t || !fd)
		return NULL;
	return rt_fdtab_insert(s, rt_thread_fds(t), fd->num, fd);
}

/* --- users and groups --------------------------------------------------------------------- */

/* The users and groups tables are arrays sorted by id, the id (uint32_t) first in each
 * element: the position of id in such an array of n elements of size sz (where it is, or
 * where it would go). */
static size_t rt_id_pos(const void *arr, size_t n, size_t sz, uint32_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		uint32_t m;
		memcpy(&m, (const char *)arr + mid * sz, sizeof(m));
		if (m < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The element with this id in the sorted array *arr: the existing one (*found), or a new
 * zeroed one inserted in order (growing the array; aborts on OOM like the other tables). */
static void *rt_id_slot(void **arr, size_t *n, size_t *cap, size_t sz, uint32_t id, bool *found)
{
	size_t i = rt_id_pos(*arr, *n, sz, id);
	char *a = *arr;
	uint32_t at;
	if (i < *n && (memcpy(&at, a + i * sz, sizeof(at)), at == id)) {
		*found = true;
		return a + i * sz;
	}
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		a = realloc(a, *cap * sz);
		if (!a)
			abort();
		*arr = a;
	}
	memmove(a + (i + 1) * sz, a + i * sz, (*n - i) * sz);
	memset(a + i * sz, 0, sz);
	(*n)++;
	*found = false;
	return a + i * sz;
}

void rt_state_add_user(struct rt_state *s, uint32_t uid, uint32_t gid, const char *name,
                       const char *homedir, const char *shell)
{
	bool found;
	void *arr = s->users;
	struct rt_user *u = rt_id_slot(&arr, &s->nusers, &s->users_cap, sizeof(*s->users), uid,
				       &found);
	s->users = arr;
	if (found) {
		rt_str_free(u->name);
		rt_str_free(u->homedir);
		rt_str_free(u->shell);
	}
	u->uid = uid;
	u->gid = gid;
	u->name = rt_str_dup(name);
	u->homedir = rt_str_dup(homedir);
	u->shell = rt_str_dup(shell);
}

void rt_state_add_group(struct rt_state *s, uint32_t gid, const char *name)
{
	bool found;
	void *arr = s->groups;
	struct rt_group *g = rt_id_slot(&arr, &s->ngroups, &s->groups_cap, sizeof(*s->groups),
					gid, &found);
	s->groups = arr;
	if (found)
		rt_str_free(g->name);
	g->gid = gid;
	g->name = rt_str_dup(name);
}

const struct rt_user *rt_state_user(struct rt_state *s, uint32_t uid)
{
	size_t i = rt_id_pos(s->users, s->nusers, sizeof(*s->users), uid);
	return i < s->nusers && s->users[i].uid == uid ? &s->users[i] : NULL;
}

const struct rt_group *rt_state_group(struct rt_state *s, uint32_t gid)
{
	size_t i = rt_id_pos(s->groups, s->ngroups, sizeof(*s->groups), gid);
	return i < s->ngroups && s->groups[i].gid == gid ? &s->groups[i] : NULL;
}

/* Splits line at ':' into at most max fields; returns the count. */
static int rt_split(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;
	while (n < max) {
		f[n++] = p;
		p = strchr(p, ':');
		if (!p)
			break;
		*p++ = '\0';
	}
	return n;
}

static bool rt_parse_id(const char *p, uint32_t *out)
{
	char *end;
	if (!*p || *p == '-' || *p == '+')
		return false;
	errno = 0;
	unsigned long long v = strtoull(p, &end, 10);
	if (errno || *end || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static FILE *rt_open_under(const char *root, const char *path)
{
	char buf[RT_PATH_MAX];
	if (!root || !*root)
		root = "/";
	size_t n = strlen(root);
	snprintf(buf, sizeof(buf), "%s%s", root, root[n - 1] == '/' ? path + 1 : path);
	return fopen(buf, "r");
}

/* First entry wins, as getpwuid() does; lines that do not parse are skipped. */
int rt_state_load_users(struct rt_state *s, const char *root)
{
	char line[4096];
	char *f[8];
	int ret = 0;
	FILE *fp = rt_open_under(root, "/etc/passwd");
	if (!fp) {
		ret = -errno;
	} else {
		while (fgets(line, sizeof(line), fp)) {
			line[strcspn(line, "\r\n")] = '\0';
			if (!line[0] || line[0] == '#' || line[0] == '+' || line[0] == '-')
				continue;
			int n = rt_split(line, f, 7);
			uint32_t uid, gid;
			if (n < 4 || !*f[0] || !rt_parse_id(f[2], &uid) || !rt_parse_id(f[3], &gid))
				continue;
			if (rt_state_user(s, uid))
				continue;
			rt_state_add_user(s, uid, gid, f[0], n > 5 ? f[5] : "", n > 6 ? f[6] : "");
		}
		fclose(fp);
	}
	fp = rt_open_under(root, "/etc/group");
	if (!fp)
		return ret ? ret : -errno;
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#' || line[0] == '+' || line[0] == '-')
			continue;
		int n = rt_split(line, f, 4);
		uint32_t gid;
		if (n < 3 || !*f[0] || !rt_parse_id(f[2], &gid) || rt_state_group(s, gid))
			continue;
		rt_state_add_group(s, gid, f[0]);
	}
	fclose(fp);
	return ret;
}

/* --- the state ---------------------------------------------------------------------------- */

struct rt_state *rt_state_new(void)
{
	struct rt_state *s = rt_xcalloc(1, sizeof(*s));
	s->nbuckets = 1024;
	s->buckets = rt_xcalloc(s->nbuckets, sizeof(*s->buckets));
	s->max_threads = RT_MAX_THREADS_DEFAULT;
	s->max_fds = RT_MAX_FDS_DEFAULT;
	for (unsigned i = 0; i < FK_EVENT_COUNT; i++) {
		int k = rt_event_param_index(i, "fd");
		const struct rt_event_info *info = rt_event_info(i);
		s->fd_param[i] = (int8_t)(k >= 0 && info->params[k].type == FK_PT_FD ? k : -1);
	}
	char host[256] = "";
	if (gethostname(host, sizeof(host) - 1) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	s->hostname = rt_str_dup(host);
	return s;
}

void rt_state_free(struct rt_state *s)
{
	if (!s)
		return;
	while (s->head) {
		struct rt_tnode *n = s->head;
		s->head = n->next;
		rt_thread_free_fields(s, &n->t);
		free(n);
	}
	free(s->buckets);
	for (size_t i = 0; i < s->nusers; i++) {
		rt_str_free(s->users[i].name);
		rt_str_free(s->users[i].homedir);
		rt_str_free(s->users[i].shell);
	}
	free(s->users);
	for (size_t i = 0; i < s->ngroups; i++)
		rt_str_free(s->groups[i].name);
	free(s->groups);
	rt_str_free(s->hostname);
	free(s);
}

void rt_state_set_limits(struct rt_state *s, size_t max_threads, size_t max_fds)
{
	if (max_threads)
		s->max_threads = max_threads;
	if (max_fds)
		s->max_fds = max_fds;
}

void rt_state_set_hostname(struct rt_state *s, const char *hostname)
{
	rt_str_set(&s->hostname, hostname);
}

const char *rt_state_hostname(const struct rt_state *s)
{
	return s->hostname;
}

void rt_state_stats(const struct rt_state *s, struct rt_state_stats *out)
{
	out->threads = s->nthreads;
	out->fds = s->nfds;
	out->lazy_threads = s->lazy_threads;
	out->removed_threads = s->removed_threads;
}

void rt_state_each_thread(struct rt_state *s, void (*fn)(struct rt_thread *t, void *ctx), void *ctx)
{
	struct rt_tnode *n = s->head;
	while (n) {
		struct rt_tnode *next = n->next;
		fn(&n->t, ctx);
		n = next;
	}
}

void rt_fd_each(struct rt_thread *t, void (*fn)(struct rt_fd *fd, void *ctx), void *ctx)
{
	if (!t || !t->fds)
		return;
	struct rt_fdnode *n = t->fds->head;
	while (n) {
		struct rt_fdnode *next = n->next;
		fn(&n->fd, ctx);
		n = next;
	}
}
