// SPDX-License-Identifier: GPL-2.0
/* fk_syscalls.bpf.c - the kernel side of the capture: one dispatcher on the sys_exit
 * tracepoint, per-syscall handlers reached by tail call, and the two scheduler events
 * (successful exec, process exit). Each handler builds one record in the fk_shared.h layout
 * in the per-CPU scratch buffer and submits it (fk_core.bpf.h). No filtering by rules here:
 * which syscalls are captured is the loader's choice (fk_interesting), what is dropped by
 * rules is the generated prefilters' (the hook is in fk_submit).
 *
 * Flow:  sys_exit -> fk_sys_exit: nr = regs->orig_ax; fk_interesting[nr] == 0 -> return
 *                    scratch.type = fk_interesting[nr] - 1; tail call fk_handlers[nr]
 *        fk_h_*    -> fk_begin (header), parameters in fk_events.def order, fk_submit
 *
 * Handlers are SEC("tp_btf/sys_exit") like the dispatcher: recent kernels (the commit "bpf:
 * Prevent tail call between progs attached to different hooks") require a tail call target
 * to have the caller's attach point. The loader turns their autoattach off. */
#include "bpf/fk_core.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, FK_MAX_SYSCALLS);
	__type(key, __u32);
	__type(value, __u32);
} fk_handlers SEC(".maps");

#define FK_HANDLER(name) \
	SEC("tp_btf/sys_exit") int BPF_PROG(name, struct pt_regs *regs, long ret)

/* The record begun for the type the dispatcher chose, or NULL. */
static __always_inline struct fk_scratch *fk_begin_type(long ret)
{
	struct fk_scratch *s = fk_scratch_get();
	return s ? fk_begin(s, s->type, ret) : NULL;
}

/* x86_64 number of openat, the densest captured syscall: its handler is tail-called with a
 * constant key, which the x86-64 JIT makes a direct jump (patched when the slot changes)
 * instead of an indirect one through a retpoline. Same slot, same program as the variable
 * key would reach. */
#define FK_NR_OPENAT 257
#define FK_NR_PIPE 22
#define FK_NR_PIPE2 293

SEC("tp_btf/sys_exit")
int BPF_PROG(fk_sys_exit, struct pt_regs *regs, long ret)
{
	__u32 nr = regs->orig_ax;
	if (nr >= FK_MAX_SYSCALLS)
		return 0;
	__u32 *want = bpf_map_lookup_elem(&fk_interesting, &nr);
	if (!want || !*want)
		return 0;
	struct task_struct *t = bpf_get_current_task_btf();
	if (fk_skip_current(t))
		return 0;
	if (nr == FK_NR_PIPE || nr == FK_NR_PIPE2) {
		fk_pf_note_pipe(t, (const void *)regs->di, ret);
		if (*want == FK_WANT_BOOKKEEP)
			return 0;
	}
	struct fk_scratch *s = fk_scratch_get();
	if (!s)
		return 0;
	__u32 type = *want - 1;
	if (type == FK_EVENT_CLOSE) {
		/* A close's state need is known before its record: decided here, a state-only
		 * close that userspace does not need is dropped without the handler's tail call
		 * (fk_pf_early_drop, the same decision and count as in fk_h_args); a kept one
		 * passes the need on, so that the fd set is looked up once. */
		__u32 need = fk_pf_close_need(s, t, (__s32)regs->di, ret);
		if (fk_pf_early_drop(type, need))
			return 0;
		s->close_need = need;
	}
	s->type = type;
	s->nr = nr;
	s->task = (__u64)t;
	if (nr == FK_NR_OPENAT)
		bpf_tail_call_static(ctx, &fk_handlers, FK_NR_OPENAT);
	else
		bpf_tail_call(ctx, &fk_handlers, nr);
	fk_count(FK_CNT_NO_HANDLER);
	return 0;
}

/* A syscall without an event of its own: ID is left empty (the syscall's name is not known
 * in the kernel; the loader fills it in from nativeID). */
FK_HANDLER(fk_h_generic)
{
	struct fk_scratch *s = fk_scratch_get();
	if (!s)
		return 0;
	__u32 nr = s->nr;
	if (!fk_begin(s, FK_EVENT_GENERIC, ret))
		return 0;
	fk_put_empty(s);
	fk_put_int(s, nr, 2);
	return fk_submit(s);
}

/* fcntl commands that make an fd (include/uapi/asm-generic/fcntl.h, linux/fcntl.h). */
#define FK_F_DUPFD 0
#define FK_F_DUPFD_CLOEXEC 1030

/* Every event whose parameters after the result are the syscall's arguments in order, typed
 * by fk_events.def: strings are read from user memory, byte buffers are left absent. The
 * loader (rt_bpf.c) lists which events these are. */
FK_HANDLER(fk_h_args)
{
	struct fk_scratch *s = fk_scratch_get();
	if (!s)
		return 0;
	__u32 type = s->type;
	if (type >= FK_EVENT_COUNT)
		return 0;
	/* the state need first: with a state-only prefilter, it decides before any work (a
	 * close's was decided by the dispatcher, which dropped it already if it could; of the
	 * fcntl commands the state reads only the fd duplications) */
	__u32 need = 0;
	if (type == FK_EVENT_CLOSE)
		need = s->close_need;
	else if (type == FK_EVENT_FCNTL)
		need = ret >= 0 && ((__u32)regs->si == FK_F_DUPFD ||
				    (__u32)regs->si == FK_F_DUPFD_CLOEXEC);
	long chdirs = -1;
	if ((type == FK_EVENT_CHDIR || type == FK_EVENT_FCHDIR) && ret == 0)
		chdirs = fk_pf_count_chdir();
	if (fk_pf_early_drop(type, need) || !fk_begin(s, type, ret))
		return 0;
	__u32 n = fk_nparams[type];
	fk_put_int(s, ret, 8);
	for (int i = 1; i < 7; i++) {
		if (i >= n)
			break;
		fk_put_arg(s, type, i, fk_arg(regs, i - 1));
	}
	s->pf_need = need;
	if (type == FK_EVENT_CHDIR && chdirs >= 0 && fk_pf_active) {
		/* a state record, never filtered; the cwd entry follows only a chdir whose
		 * record is in the ring, so that userspace will apply it too */
		if (fk_submit_ok(s))
			fk_pf_chdir_follow(s, chdirs);
		return 0;
	}
	return fk_submit_pf(ctx, s);
}

/* AT_FDCWD (include/uapi/linux/fcntl.h) */
#define FK_AT_FDCWD -100

/* FMODE_CREATED (include/linux/fs.h): the open created the file. */
#define FK_FMODE_CREATED (1u << 20)

/* open, creat, openat, openat2: the path, flags (PPM_O_*, with O_F_CREATED) and mode, then
 * dev and ino of the new fd. Written through a register cursor (fk_cur) starting at a
 * constant offset, one copy per type: it is the handler of the densest captured event. */
static __always_inline int fk_open_build(void *ctx, struct pt_regs *regs, long ret,
					 struct fk_scratch *s, const __u32 type)
{
	struct file *f = fk_fd_file(fk_task(s), ret);
	struct inode *ino = f ? f->f_inode : NULL;
	bool created = f && (f->f_mode & FK_FMODE_CREATED);
	struct fk_cur c = { .off = FK_HDR_SIZE + 2 * fk_nparams[type], .idx = 0 };
	__u32 noff;             /* the name parameter */
	fk_cur_int(s, &c, ret, 8);
	if (type == FK_EVENT_OPENAT) {
		fk_cur_int(s, &c, (__s64)(__s32)regs->di, 8);
		noff = c.off;
		fk_cur_user_str(s, &c, (const void *)regs->si);
		fk_cur_int(s, &c, fk_open_flags(regs->dx, created), 4);
		fk_cur_int(s, &c, fk_open_mode(regs->dx, regs->r10), 4);
	} else if (type == FK_EVENT_OPEN) {
		noff = c.off;
		fk_cur_user_str(s, &c, (const void *)regs->di);
		fk_cur_int(s, &c, fk_open_flags(regs->si, created), 4);
		fk_cur_int(s, &c, fk_open_mode(regs->si, regs->dx), 4);
	} else if (type == FK_EVENT_CREAT) {
		noff = c.off;
		fk_cur_user_str(s, &c, (const void *)regs->di);
		fk_cur_int(s, &c, fk_open_mode(0100, regs->si), 4);
	} else {
		struct open_how how = {};
		bpf_probe_read_user(&how, sizeof(how), (const void *)regs->dx);
		fk_cur_int(s, &c, (__s64)(__s32)regs->di, 8);
		noff = c.off;
		fk_cur_user_str(s, &c, (const void *)regs->si);
		fk_cur_int(s, &c, fk_open_flags(how.flags, created), 4);
		fk_cur_int(s, &c, fk_open_mode(how.flags, how.mode), 4);
		fk_cur_int(s, &c, fk_resolve_flags(how.resolve), 4);
	}
	if (ino) {
		fk_cur_int(s, &c, fk_encode_dev(ino->i_sb->s_dev), 4);
		fk_cur_int(s, &c, ino->i_ino, 8);
	} else {
		fk_cur_done(s, &c, 0);
		fk_cur_done(s, &c, 0);
	}
	fk_cur_end(s, &c);
	/* a directory fd is a base for *at() paths and fchdir: the state tables need it (an
	 * fd whose file cannot be read is kept too) */
	if (ret >= 0 && (!ino || (ino->i_mode & FK_S_IFMT) == FK_S_IFDIR))
		s->pf_need = 1;
	/* a relative path from the cwd (not from another dirfd): resolved when the kernel
	 * knows the cwd userspace will use */
	__u32 nlen = *(__u16 *)(s->buf + FK_HDR_SIZE + 2 * (type == FK_EVENT_OPENAT ||
							    type == FK_EVENT_OPENAT2 ? 2 : 1));
	if (fk_pf_active && ret >= 0 && nlen >= 2 && *fk_at(s, noff) != '/' &&
	    (type == FK_EVENT_OPEN || type == FK_EVENT_CREAT || (__s32)regs->di == FK_AT_FDCWD))
		fk_pf_resolve(s, noff, nlen);
	return fk_submit_pf_type(ctx, s, type);
}

FK_HANDLER(fk_h_open)
{
	struct fk_scratch *s = fk_begin_type(ret);
	if (!s)
		return 0;
	switch (s->type) {
	case FK_EVENT_OPENAT:
		return fk_open_build(ctx, regs, ret, s, FK_EVENT_OPENAT);
	case FK_EVENT_OPEN:
		return fk_open_build(ctx, regs, ret, s, FK_EVENT_OPEN);
	case FK_EVENT_CREAT:
		return fk_open_build(ctx, regs, ret, s, FK_EVENT_CREAT);
	default:
		return fk_open_build(ctx, regs, ret, s, FK_EVENT_OPENAT2);
	}
}

/* read, write, pread64, pwrite64: the fd and the size, no data. */
FK_HANDLER(fk_h_rw)
{
	struct fk_scratch *s = fk_scratch_get();
	if (!s || fk_pf_early_drop(s->type, 0) || !fk_begin(s, s->type, ret))
		return 0;
	__u32 type = s->type;
	fk_put_int(s, ret, 8);
	fk_put_empty(s);
	fk_put_int(s, (__s64)(__s32)regs->di, 8);
	fk_put_int(s, regs->dx, 4);
	if (type == FK_EVENT_PREAD || type == FK_EVENT_PWRITE)
		fk_put_int(s, regs->r10, 8);
	return fk_submit_pf(ctx, s);
}

/* ptrace(request, pid, addr, data) -> res, addr, data, request, pid. */
FK_HANDLER(fk_h_ptrace)
{
	struct fk_scratch *s = fk_begin_type(ret);
	if (!s)
		return 0;
	fk_put_int(s, ret, 8);
	fk_put_int(s, regs->dx, 8);
	fk_put_int(s, regs->r10, 8);
	fk_put_int(s, fk_ptrace_req(regs->di), 2);
	fk_put_int(s, (__s64)(__s32)regs->si, 8);
	return fk_submit_pf(ctx, s);
}

/* connect(fd, addr, addrlen) -> res, tuple (local -> remote, from the socket), fd, addr. */
FK_HANDLER(fk_h_connect)
{
	struct fk_scratch *s = fk_begin_type(ret);
	if (!s)
		return 0;
	__s64 fd = (__s32)regs->di;
	fk_put_int(s, ret, 8);
	fk_put_socktuple(s, fk_file_sock(fk_fd_file(fk_task(s), fd)), false);
	fk_put_int(s, fd, 8);
	fk_put_sockaddr_user(s, regs->si, regs->dx);
	return fk_submit_pf(ctx, s);
}

/* bind(fd, addr, addrlen) -> res, addr, fd. */
FK_HANDLER(fk_h_bind)
{
	struct fk_scratch *s = fk_begin_type(ret);
	if (!s)
		return 0;
	fk_put_int(s, ret, 8);
	fk_put_sockaddr_user(s, regs->si, regs->dx);
	fk_put_int(s, (__s64)(__s32)regs->di, 8);
	return fk_submit_pf(ctx, s);
}

/* accept, accept4 -> fd, tuple (remote -> local, from the new socket), the listening
 * socket's queue fill (percent, length, max) [, flags]. */
FK_HANDLER(fk_h_accept)
{
	struct fk_scratch *s = fk_begin_type(ret);
	if (!s)
		return 0;
	__u32 type = s->type;
	struct task_struct *t = fk_task(s);
	fk_put_int(s, ret, 8);
	fk_put_socktuple(s, ret >= 0 ? fk_file_sock(fk_fd_file(t, ret)) : NULL, true);
	struct sock *ls = fk_file_sock(fk_fd_file(t, (__s32)regs->di));
	__u32 qlen = ls ? BPF_CORE_READ(ls, sk_ack_backlog) : 0;
	__u32 qmax = ls ? BPF_CORE_READ(ls, sk_max_ack_backlog) : 0;
	fk_put_int(s, qmax ? qlen * 100 / qmax : 0, 1);
	fk_put_int(s, qlen, 4);
	fk_put_int(s, qmax, 4);
	if (type == FK_EVENT_ACCEPT4)
		fk_put_int(s, regs->r10, 4);
	return fk_submit_pf(ctx, s);
}

/* sendto, recvfrom, sendmsg, recvmsg: no data (data is absent), the socket's tuple
 * (sends: local -> remote; receives: remote -> local), fd, size. */
FK_HANDLER(fk_h_sendrecv)
{
	struct fk_scratch *s = fk_begin_type(ret);
	if (!s)
		return 0;
	__u32 type = s->type;
	__s64 fd = (__s32)regs->di;
	struct sock *sk = fk_file_sock(fk_fd_file(fk_task(s), fd));
	fk_put_int(s, ret, 8);
	if (type == FK_EVENT_SENDTO) {
		fk_put_empty(s);
		fk_put_int(s, fd, 8);
		fk_put_int(s, regs->dx, 4);
		fk_put_socktuple(s, sk, false);
	} else if (type == FK_EVENT_RECVFROM) {
		fk_put_empty(s);
		fk_put_socktuple(s, sk, true);
		fk_put_int(s, fd, 8);
		fk_put_int(s, regs->dx, 4);
	} else if (type == FK_EVENT_SENDMSG) {
		fk_put_empty(s);
		fk_put_socktuple(s, sk, false);
		fk_put_int(s, fd, 8);
		fk_put_empty(s);
	} else {
		fk_put_empty(s);
		fk_put_empty(s);
		fk_put_socktuple(s, sk, true);
		fk_put_int(s, fd, 8);
	}
	return fk_submit_pf(ctx, s);
}

/* Kernel clone flags (include/uapi/linux/sched.h) implied by vfork; fork implies none. */
#define FK_CLONE_VM 0x00000100
#define FK_CLONE_VFORK 0x00004000
#define FK_CL_CHILD_IN_PIDNS (1u << 29) /* PPM_CL_CHILD_IN_PIDNS: caller not in the root pidns */

/* clone, clone3, fork, vfork, in the parent (res = child tid) and in the child (res = 0):
 * the process head, flags (PPM_CL_*), euid, egid, vtid, vpid. */
FK_HANDLER(fk_h_clone)
{
	struct fk_scratch *s = fk_begin_type(ret);
	if (!s)
		return 0;
	__u32 type = s->type;
	struct task_struct *t = fk_task(s);
	__u64 flags = 0;
	if (type == FK_EVENT_CLONE)
		flags = regs->di;
	else if (type == FK_EVENT_CLONE3)
		bpf_probe_read_user(&flags, sizeof(flags), (const void *)regs->di);
	else if (type == FK_EVENT_VFORK)
		flags = FK_CLONE_VM | FK_CLONE_VFORK;
	__u32 ppm = fk_clone_flags(flags);
	if (BPF_CORE_READ(t, thread_pid, level))
		ppm |= FK_CL_CHILD_IN_PIDNS;
	fk_put_proc_head(s, t, ret);
	fk_put_int(s, ppm, 4);
	fk_put_int(s, BPF_CORE_READ(t, cred, euid.val), 4);
	fk_put_int(s, BPF_CORE_READ(t, cred, egid.val), 4);
	fk_put_int(s, fk_pid_vnr(BPF_CORE_READ(t, thread_pid)), 8);
	fk_put_int(s, fk_pid_vnr(BPF_CORE_READ(t, group_leader, thread_pid)), 8);
	if (ret == 0 && t->pid == t->tgid && fk_pf_active) {
		/* the child of a new process: its record is its birth (fk_pf_born); a state
		 * record, never filtered */
		struct fk_event_hdr *h = (void *)s->buf;
		if (fk_submit_ok(s))
			fk_pf_born(h->ts_ns);
		return 0;
	}
	return fk_submit_pf(ctx, s);
}

/* The parameters of execve/execveat after the head, for the task t whose image is now
 * current. kfile: the file name the kernel resolved (bprm->filename) on success, NULL on
 * failure, where the user's argument ufile is read instead (its memory is gone after a
 * successful exec). */
static __always_inline void fk_put_exec(struct fk_scratch *s, struct task_struct *t,
					struct pt_regs *regs, __s64 res, const char *kfile)
{
	__u32 type = s->type;
	struct signal_struct *sig = BPF_CORE_READ(t, signal);
	fk_put_proc_head(s, t, res);
	fk_put_env(s, t);
	fk_put_int(s, fk_task_tty(t), 4);
	fk_put_int(s, BPF_CORE_READ(sig, pids[PIDTYPE_PGID], numbers[0].nr), 8);
	fk_put_int(s, BPF_CORE_READ(t, loginuid.val), 4);
	fk_put_int(s, 0, 4);                                    /* flags: exe flags, not yet */
	fk_put_int(s, BPF_CORE_READ(t, cred, euid.val), 4);
	fk_put_int(s, BPF_CORE_READ(t, cred, egid.val), 4);
	if (type == FK_EVENT_EXECVEAT) {
		fk_put_int(s, (__s64)(__s32)BPF_CORE_READ(regs, di), 8);
		if (kfile)
			fk_put_kernel_str(s, kfile, FK_PATH_MAX);
		else
			fk_put_user_str(s, (const void *)BPF_CORE_READ(regs, si));
	} else {
		if (kfile)
			fk_put_kernel_str(s, kfile, FK_PATH_MAX);
		else
			fk_put_user_str(s, (const void *)BPF_CORE_READ(regs, di));
	}
	/* exepath: the file the kernel opened; not yet resolved to an absolute path. */
	if (kfile)
		fk_put_kernel_str(s, kfile, FK_PATH_MAX);
	else
		fk_put_empty(s);
	fk_put_int(s, BPF_CORE_READ(sig, pids[PIDTYPE_SID], numbers[0].nr), 8);
	fk_put_int(s, fk_pid_vnr(BPF_CORE_READ(t, group_leader, thread_pid)), 8);
	fk_put_int(s, fk_pid_vnr(BPF_CORE_READ(t, thread_pid)), 8);
}

/* execve, execveat at sys_exit: only failures (a success was recorded by fk_sched_exec,
 * with the new image, before the syscall returned). The process fields are the caller's. */
FK_HANDLER(fk_h_execve)
{
	if (ret == 0)
		return 0;
	struct fk_scratch *s = fk_begin_type(ret);
	if (!s)
		return 0;
	fk_put_exec(s, fk_task(s), regs, ret, NULL);
	return fk_submit_pf(ctx, s);
}

/* A successful execve/execveat, once the new image is in place: argv, env and comm are the
 * new program's. Captured when the loader marked the calling syscall interesting. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(fk_sched_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	if (fk_skip_current(p))
		return 0;
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(p);
	__u32 nr = BPF_CORE_READ(regs, orig_ax);
	if (nr >= FK_MAX_SYSCALLS)
		return 0;
	__u32 *want = bpf_map_lookup_elem(&fk_interesting, &nr);
	if (!want || (*want != FK_WANT(FK_EVENT_EXECVE) && *want != FK_WANT(FK_EVENT_EXECVEAT)))
		return 0;
	struct fk_scratch *s = fk_begin(fk_scratch_get(), *want - 1, 0);
	if (!s)
		return 0;
	fk_put_exec(s, p, regs, 0, BPF_CORE_READ(bprm, filename));
	return fk_submit(s);
}

/* The ends of a prefilter (fk_pf_exits): keep submits the record the filter saw complete in
 * the scratch buffer; drop counts it and, for an open that made an fd, remembers the fd so
 * that its close can be dropped too (fk_pf_close_need). Reached by tail call only. */
SEC("tp_btf/sys_exit")
int BPF_PROG(fk_pf_submit, struct pt_regs *regs, long ret)
{
	struct fk_scratch *s = fk_scratch_get();
	if (!s)
		return 0;
	fk_count(FK_CNT_PF_KEPT);
	return fk_submit(s);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(fk_pf_drop, struct pt_regs *regs, long ret)
{
	struct fk_scratch *s = fk_scratch_get();
	if (!s)
		return 0;
	fk_count(FK_CNT_PF_DROPPED);
	struct fk_event_hdr *h = (void *)s->buf;
	__s64 fd = h->res;
	struct task_struct *t = fk_task(s);
	if (fd >= 0 && fd < FK_PF_FD_MAX && fk_pf_is_open(h->type) && !fk_pf_files_shared(t))
		fk_pf_pending_put(s, t, fd);
	return 0;
}

/* A new process, in its parent's fork, before it first runs: it starts in the cwd userspace
 * will give it, its parent's, so with prefilters on the parent's valid entry is copied to
 * the child (birth FK_PF_BIRTH_PENDING until its clone record, fk_pf_born): a compiler
 * started by make opens its relative paths long before falcod reads its clone record and
 * publishes. Only where userspace copies exactly that string: the parent is its process's
 * main thread and the only one (no other thread can chdir in between), the child's parent
 * is the caller (no CLONE_PARENT), and the child is created either while the caller waits
 * (vfork) or in the root pid namespace (userspace then makes it from the caller's record,
 * before any later chdir of the caller). Any other child's stale entry (an earlier process
 * with the same tgid) is removed. Under the same conditions, a child with its own copy of
 * the fd table gets a copy of the parent's set of dropped opens (fk_pf_fork_fds). */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(fk_sched_fork, struct task_struct *parent, struct task_struct *child)
{
	if (!fk_pf_active || child->pid != child->tgid)
		return 0;
	__u32 k = child->tgid, pk = parent->tgid, zero = 0;
	struct fk_pf_cwd *e = NULL;
	struct fk_pf_cwd_buf *b = NULL;
	bool inherits = parent->pid == parent->tgid && parent->signal->nr_threads == 1 &&
		      child->real_parent == parent &&
		      (child->vfork_done || !child->thread_pid->level);
	if (inherits && child->files != parent->files)
		fk_pf_fork_fds(parent, child);
	if (inherits) {
		e = bpf_map_lookup_elem(&fk_pf_cwds, &pk);
		b = bpf_map_lookup_elem(&fk_pf_cwd_tmp, &zero);
	}
	if (!e || !b) {
		bpf_map_delete_elem(&fk_pf_cwds, &k);
		return 0;
	}
	__u64 birth = e->birth, len = e->len;
	__u32 seq = e->seq;
	if (!fk_pf_cwd_valid(parent, birth, seq)) {
		bpf_map_delete_elem(&fk_pf_cwds, &k);
		return 0;
	}
	FK_BARRIER_VAR(len);
	if (len == 0 || len > FK_PF_CWD_MAX) {
		bpf_map_delete_elem(&fk_pf_cwds, &k);
		return 0;
	}
	struct fk_pf_cwd *c = &b->v;
	c->birth = FK_PF_BIRTH_PENDING;
	c->seq = 0;
	c->len = len;
	bpf_probe_read_kernel(c->cwd, len, e->cwd);
	if (!fk_pf_cwd_same(e, birth, seq, len))
		bpf_map_delete_elem(&fk_pf_cwds, &k);
	else
		bpf_map_update_elem(&fk_pf_cwds, &k, c, BPF_ANY);
	return 0;
}

/* The third end of a prefilter (fk_pf_exits[FK_PF_EXIT_NORMALIZE]): the filter found an
 * absolute path that is not normal. Normalizes it as userspace will (fk_pf_normalize_path)
 * and runs the type's filter again, which then reads it (or, when it could not, finds the
 * record normalized already and leaves its path undecided). Reached by tail call only. */
SEC("tp_btf/sys_exit")
int BPF_PROG(fk_pf_normalize, struct pt_regs *regs, long ret)
{
	struct fk_scratch *s = fk_scratch_get();
	if (!s)
		return 0;
	struct fk_event_hdr *h = (void *)s->buf;
	s->pf_normalized = 1;
	fk_pf_normalize_path(s);
	bpf_tail_call(ctx, &fk_prefilters, h->type);
	fk_count(FK_CNT_PF_KEPT);
	return fk_submit(s);
}

/* procexit, for every exiting thread: the exit code as wait(2) sees it, split. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(fk_sched_exit, struct task_struct *p)
{
	if (!fk_want_procexit || fk_skip_current(bpf_get_current_task_btf()))
		return 0;
	struct fk_scratch *s = fk_begin(fk_scratch_get(), FK_EVENT_PROCEXIT, 0);
	if (!s)
		return 0;
	__s32 code = BPF_CORE_READ(p, exit_code);
	fk_put_int(s, code, 8);
	fk_put_int(s, code >> 8, 8);
	fk_put_int(s, code & 0x7f, 1);
	fk_put_int(s, (code & 0x80) != 0, 1);
	fk_put_empty(s);                                        /* reaper_tid: not yet */
	return fk_submit(s);
}
