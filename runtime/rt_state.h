/* SPDX-License-Identifier: Apache-2.0 */
/* rt_state.h - what the runtime knows about the machine beyond one event: threads and
 * processes, their file descriptors, users and groups, containers. State follows the
 * events (clone copies, execve replaces, exit removes, open/socket/dup create fds, close
 * removes them) and is built lazily for threads first seen mid-stream.
 *
 * Ownership: the state owns every thread, fd table, fd and string in it. Pointers handed
 * out (rt_thread *, rt_fd *) stay valid until the event that removes them has been
 * post-processed (rt_state_post); never keep them across events. */
#ifndef RT_STATE_H
#define RT_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "runtime/rt_event.h"

/* Encodings of flag parameters the state reads. They are Falco's PPM_* values (driver/
 * ppm_events_public.h), so records converted from scap captures map 1:1; the kernel side
 * must translate kernel bits to these. */

/* clone/clone3/fork/vfork `flags` (Falco's PPM_CL_*). */
#define RT_CL_CLONE_FILES (1u << 0)
#define RT_CL_CLONE_FS (1u << 1)
#define RT_CL_CLONE_NEWPID (1u << 6)
#define RT_CL_CLONE_PARENT (1u << 8)
#define RT_CL_CLONE_SIGHAND (1u << 11)
#define RT_CL_CLONE_THREAD (1u << 13)
#define RT_CL_CLONE_VM (1u << 15)
#define RT_CL_CLONE_NEWUSER (1u << 20)
#define RT_CL_CLONE_VFORK (1u << 27)
#define RT_CL_CHILD_IN_PIDNS (1u << 29) /* the caller lives in a pid namespace */

/* open/openat/openat2/open_by_handle_at/pipe2/dup3 `flags` (Falco's PPM_O_*). */
#define RT_O_RDONLY (1u << 0)
#define RT_O_WRONLY (1u << 1)
#define RT_O_CREAT (1u << 2)
#define RT_O_APPEND (1u << 3)
#define RT_O_TRUNC (1u << 8)
#define RT_O_DIRECTORY (1u << 10)
#define RT_O_CLOEXEC (1u << 12)
#define RT_O_TMPFILE (1u << 13)

/* execve/execveat `flags` (Falco's PPM_EXE_*), kept in rt_thread.exe_flags. */
#define RT_EXE_WRITABLE (1u << 0)
#define RT_EXE_UPPER_LAYER (1u << 1)
#define RT_EXE_FROM_MEMFD (1u << 2)
#define RT_EXE_LOWER_LAYER (1u << 3)

/* The dirfd value meaning "relative to the cwd" (Falco's PPM_AT_FDCWD). */
#define RT_AT_FDCWD (-100)

/* fd.typechar as Falco prints it. */
enum rt_fd_type {
	RT_FD_UNKNOWN = '?',
	RT_FD_FILE = 'f',
	RT_FD_DIRECTORY = 'd',
	RT_FD_IPV4 = '4',
	RT_FD_IPV6 = '6',
	RT_FD_UNIX = 'u',
	RT_FD_PIPE = 'p',
	RT_FD_EVENT = 'e',
	RT_FD_SIGNALFD = 's',
	RT_FD_EVENTPOLL = 'l',
	RT_FD_INOTIFY = 'i',
	RT_FD_TIMERFD = 't',
	RT_FD_NETLINK = 'n',
	RT_FD_BPF = 'b',
	RT_FD_USERFAULTFD = 'y',
	RT_FD_MEMFD = 'm',
};

/* l4 protocol of a socket (fd.l4proto). */
enum rt_l4proto { RT_L4_UNKNOWN, RT_L4_TCP, RT_L4_UDP, RT_L4_ICMP, RT_L4_RAW };

struct rt_fd {
	int64_t num;
	char type;                      /* enum rt_fd_type */
	char *name;                     /* owned: path, or socket tuple text, or pipe:[ino] */
	char *nameraw;                  /* owned: the path as the open gave it (fd.nameraw), or
					 * NULL when it equals name or is unknown */
	uint32_t open_flags;            /* O_* flags it was opened with */
	uint32_t dev;
	uint64_t ino;
	/* sockets */
	uint8_t family;                 /* enum fk_family */
	uint8_t l4proto;                /* enum rt_l4proto */
	bool is_server;                 /* accepted (role server) vs connected (client) */
	uint8_t sip[16], dip[16];       /* IPv4 in the first 4 bytes */
	uint16_t sport, dport;
	bool connected;                 /* a tuple is known */
};

struct rt_fdtable;                      /* shared by the threads of one process */

struct rt_thread {
	int64_t tid, pid, ptid;         /* pid is the thread group id */
	int64_t vtid, vpid;             /* ids inside the pid namespace, -1 if unknown */
	int64_t sid, pgid;
	char comm[FK_COMM_LEN];         /* proc.name (the kernel's comm) */
	char *exe;                      /* argv[0] as executed (proc.exe), owned */
	char *exepath;                  /* full path of the executable (proc.exepath), owned */
	char *args;                     /* argv[1..] NUL-separated, owned; nargs strings */
	size_t args_len;
	unsigned nargs;
	char *env;                      /* NUL-separated, owned */
	size_t env_len;
	char *cwd;                      /* with a trailing '/', owned */
	char *cgroups;                  /* NUL-separated "subsys=path" pairs ending with an
					 * empty one (a double NUL), owned */
	char *container_id;             /* "host" or the 12-char id, owned */
	uint32_t uid, gid, euid, egid;
	uint32_t loginuid;              /* UINT32_MAX when unset */
	uint32_t tty;
	uint64_t clone_ts;              /* proc start time, ns */
	uint64_t exec_ts;
	uint64_t cap_permitted, cap_effective, cap_inheritable;
	uint32_t exe_flags;             /* PPM_EXE_* style flags: writable, upper layer, ... */
	bool exe_from_memfd;
	bool lazy;                      /* made up from a single event: fields may be unknown */
	/* A main thread whose process the state saw from its start (its own clone record, or
	 * the /proc scan): cwd_seq counts the successful chdir/fchdir records applied to the
	 * process since, cwd_birth is that clone record's ts_ns (0: the scan). What the kernel
	 * needs to resolve the process's relative paths as the state will (rt_state_set_cwd_hook,
	 * docs/prefilter.md, "Relative paths"). */
	bool cwd_known;
	uint32_t cwd_seq;
	uint64_t cwd_birth;
	/* Old captures split a system call in an entry and an exit event, and some exits do not
	 * repeat the fd of their entry (read, close, connect): the last entry's fd and event
	 * name, so the exit can find it as Falco does. */
	int64_t enter_fd;
	const char *enter_name;         /* static table name, NULL when none */
	struct rt_fdtable *fds;
	/* internal: hash chain */
	struct rt_thread *hnext;
};

struct rt_user {
	uint32_t uid, gid;
	char *name, *homedir, *shell;
};

struct rt_group {
	uint32_t gid;
	char *name;
};

struct rt_state;

/* Options: where users and groups come from (NULL: /etc/passwd and /etc/group of this
 * machine, as Falco reads them; a replayed capture brings its own). */
struct rt_state *rt_state_new(void);
void rt_state_free(struct rt_state *s);

/* Before rules run: resolve the event's thread (creating it lazily) and fd, and apply the
 * changes whose result rules must see (execve replaces the process image first, open adds
 * its fd, connect records its tuple). */
void rt_state_pre(struct rt_state *s, struct rt_event *ev);
/* After rules ran: removals (close, procexit) and bookkeeping. */
void rt_state_post(struct rt_state *s, struct rt_event *ev);

struct rt_thread *rt_thread_lookup(struct rt_state *s, int64_t tid);
/* The thread group leader (the process) of t, or t itself. */
struct rt_thread *rt_thread_main(struct rt_state *s, struct rt_thread *t);
/* The cwd t's relative paths resolve against: its process's, kept by the main thread (as
 * Falco's get_cwd: threads share it), or t's own when its main thread is not known. */
const char *rt_thread_cwd(struct rt_state *s, struct rt_thread *t);
/* The parent process of t (by ptid), or NULL. */
struct rt_thread *rt_thread_parent(struct rt_state *s, struct rt_thread *t);
struct rt_fd *rt_fd_lookup(struct rt_thread *t, int64_t fd);

/* Adds or replaces a thread from a snapshot (a capture's process list, /proc). The state
 * copies everything; fields left zero/NULL are unknown. */
struct rt_thread *rt_state_add_thread(struct rt_state *s, const struct rt_thread *t);
/* Adds an fd to the process of tid from a snapshot; copies. */
struct rt_fd *rt_state_add_fd(struct rt_state *s, int64_t tid, const struct rt_fd *fd);
void rt_state_add_user(struct rt_state *s, uint32_t uid, uint32_t gid, const char *name,
		       const char *homedir, const char *shell);
void rt_state_add_group(struct rt_state *s, uint32_t gid, const char *name);
const struct rt_user *rt_state_user(struct rt_state *s, uint32_t uid);
const struct rt_group *rt_state_group(struct rt_state *s, uint32_t gid);
/* Loads /etc/passwd and /etc/group (or files under root, for tests). */
int rt_state_load_users(struct rt_state *s, const char *root);

/* Called with a process's main thread m whenever the cwd its relative paths resolve against,
 * or the count of chdir/fchdir records applied to it, may have changed (m->cwd_known set),
 * and with m NULL when the process tgid left the state: live, falcod publishes the cwd to
 * the kernel (rt_bpf_pf_cwd_publish). NULL: none (the default). */
typedef void (*rt_cwd_hook)(void *ctx, uint32_t tgid, const struct rt_thread *m);
void rt_state_set_cwd_hook(struct rt_state *s, rt_cwd_hook fn, void *ctx);

/* Machine information for outputs (hostname). */
void rt_state_set_hostname(struct rt_state *s, const char *hostname);
const char *rt_state_hostname(const struct rt_state *s);

/* The container id a cgroup path names ("host" for none): docker, containerd/cri, cri-o
 * and podman layouts. Writes at most 12 hex characters and a NUL to out. */
void rt_container_id_from_cgroup(const char *cgroup_path, char out[13]);

/* Bounds on memory: at most max_threads threads (default 131072) and max_fds fds per process
 * (default 65536). Past them the oldest lazily created thread (else the oldest thread) and
 * the oldest fd of the process are dropped. 0 leaves a bound unchanged. */
void rt_state_set_limits(struct rt_state *s, size_t max_threads, size_t max_fds);

/* Counters, for metrics and tests. */
struct rt_state_stats {
	uint64_t threads, fds, lazy_threads, removed_threads;
};
void rt_state_stats(const struct rt_state *s, struct rt_state_stats *out);
/* Calls fn for every thread (order unspecified); used by capture writers. */
void rt_state_each_thread(struct rt_state *s, void (*fn)(struct rt_thread *t, void *ctx),
			  void *ctx);
/* Calls fn for every fd of t's process. */
void rt_fd_each(struct rt_thread *t, void (*fn)(struct rt_fd *fd, void *ctx), void *ctx);

#endif /* RT_STATE_H */
