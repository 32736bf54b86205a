// SPDX-License-Identifier: GPL-2.0
/* bench_floor.bpf.c - the floors any eBPF syscall monitor pays, for bench_live. Two tp_btf
 * programs on sys_exit; bench_live attaches one at a time:
 *   bench_floor_sys_exit (condition 2): does nothing but count the syscall in a per-CPU
 *     counter. No filtering, no record, no ring buffer.
 *   bench_floor_path_sys_exit (condition 2b): the same count, plus, for open, openat, openat2
 *     and creat, a bpf_probe_read_user_str of the path argument into a 4 KiB per-CPU buffer.
 *     Nothing is done with the copy: it is the least a monitor that looks at open paths pays
 *     on top of the bare floor.
 * The counter (summed over CPUs by bench_live) is the number of syscalls that returned on the
 * whole machine while either program was attached. */
#include "vmlinux.h"

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define BENCH_PATH_MAX 4096 /* PATH_MAX, what a monitor must be ready to copy */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} bench_floor_count SEC(".maps");

/* the scratch buffer a monitor copies paths into: 4 KiB does not fit the 512-byte BPF stack,
 * and per-CPU so that CPUs copying at once do not write the same cache lines */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[BENCH_PATH_MAX]);
} bench_floor_path SEC(".maps");

static __always_inline void count(void)
{
	__u32 k = 0;
	__u64 *n = bpf_map_lookup_elem(&bench_floor_count, &k);
	if (n)
		*n += 1;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(bench_floor_sys_exit, struct pt_regs *regs, long ret)
{
	count();
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(bench_floor_path_sys_exit, struct pt_regs *regs, long ret)
{
	const void *path;

	count();
	switch (regs->orig_ax) { /* x86_64 syscall numbers */
	case 2:         /* open(path, flags, mode) */
	case 85:        /* creat(path, mode) */
		path = (const void *)regs->di;
		break;
	case 257:       /* openat(dirfd, path, flags, mode) */
	case 437:       /* openat2(dirfd, path, how, size) */
		path = (const void *)regs->si;
		break;
	default:
		return 0;
	}
	__u32 k = 0;
	char *buf = bpf_map_lookup_elem(&bench_floor_path, &k);
	if (buf)
		bpf_probe_read_user_str(buf, BENCH_PATH_MAX, path);
	return 0;
}
