// SPDX-License-Identifier: GPL-2.0
/* bench_floor.bpf.c - the floor any eBPF syscall monitor pays, for bench_live: one tp_btf
 * program on sys_exit that does nothing but count the syscall in a per-CPU counter. No
 * filtering, no record, no ring buffer. The counter (summed over CPUs by bench_live) is the
 * number of syscalls that returned on the whole machine while it was attached. */
#include "vmlinux.h"

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} bench_floor_count SEC(".maps");

SEC("tp_btf/sys_exit")
int BPF_PROG(bench_floor_sys_exit, struct pt_regs *regs, long ret)
{
	__u32 k = 0;
	__u64 *n = bpf_map_lookup_elem(&bench_floor_count, &k);
	if (n)
		*n += 1;
	return 0;
}
