/* SPDX-License-Identifier: Apache-2.0 */
/* rt_proc.h - the start-up scan of /proc: every process and thread that exists before the
 * first event, with its file descriptors, put into the state the way libsinsp fills its
 * thread table from libscap's proc scan. Events keep the state current afterwards; nothing
 * here runs per event. Users and groups are not read here (rt_state_load_users). */
#ifndef RT_PROC_H
#define RT_PROC_H

#include <stddef.h>

struct rt_state;

enum rt_proc_flags {
	RT_PROC_SKIP_SELF = 1u << 0,    /* leave out the calling process (getpid()) */
	RT_PROC_NO_FDS = 1u << 1,       /* threads only */
};

/* Adds every /PID/task/TID under procfs_root ("/proc", or a fake tree in tests; "/host/proc"
 * when the host's root is mounted) to s through rt_state_add_thread, and every fd of each
 * process through rt_state_add_fd. Processes that exit mid-scan, and files that cannot be
 * read (permissions), are skipped silently: fields that could not be read stay unknown.
 * Socket fds are resolved through PID/net/{tcp,tcp6,udp,udp6,raw,raw6,unix,netlink}, read
 * once per network namespace. Returns 0, or -errno with a message in err when procfs_root
 * itself cannot be read. */
int rt_proc_scan(struct rt_state *s, const char *procfs_root, char *err, size_t errlen);
int rt_proc_scan_flags(struct rt_state *s, const char *procfs_root, unsigned flags, char *err,
		       size_t errlen);

#endif /* RT_PROC_H */
