/* SPDX-License-Identifier: Apache-2.0 */
/* rt_scap.c - a reader of Falco/sysdig capture files (.scap) into our event model: the
 * block layer (section header, machine info, process, fd, user and interface lists, event
 * blocks of every version), the state snapshot into rt_state, and the conversion of each
 * scap event (PPME_* code) into an fk_event record. The format is documented in
 * docs/capture.md ("Reading Falco's .scap files"); this is our own reader, not libscap's code.
 *
 * What does not belong here: following state through the events (rt_state.c does that with
 * the converted records) and anything about writing captures (rt_capture.c). */
#include "runtime/rt_scap.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bpf/fk_shared.h"
#include "runtime/rt_event.h"
#include "runtime/rt_state.h"

/* --- block types ---------------------------------------------------------------------------
 * Each block is: u32 type | u32 total length | body | u32 total length again. The "_INT"
 * numbers are the ones sysdig used before the format had official numbers. */
#define SCAP_SHB 0x0A0D0D0Au
#define SCAP_SHB_MAGIC 0x1A2B3C4Du
#define SCAP_MI 0x201u
#define SCAP_MI_INT 0x8002ABCDu
#define SCAP_PL_V1 0x202u
#define SCAP_PL_V1_INT 0x8000ABCDu
#define SCAP_PL_V2 0x207u
#define SCAP_PL_V2_INT 0x8013ABCDu
#define SCAP_PL_V3 0x209u
#define SCAP_PL_V3_INT 0x8014ABCDu
#define SCAP_PL_V4 0x210u
#define SCAP_PL_V5 0x211u
#define SCAP_PL_V6 0x212u
#define SCAP_PL_V7 0x213u
#define SCAP_PL_V8 0x214u
#define SCAP_PL_V9 0x215u
#define SCAP_FDL 0x203u
#define SCAP_FDL_INT 0x8001ABCDu
#define SCAP_FDL_V2 0x218u
#define SCAP_EV 0x204u
#define SCAP_EV_INT 0x8010ABCDu
#define SCAP_EV_V2 0x216u
#define SCAP_EV_V2_LARGE 0x221u
#define SCAP_EVF 0x208u
#define SCAP_EVF_V2 0x217u
#define SCAP_EVF_V2_LARGE 0x222u
#define SCAP_IL 0x205u
#define SCAP_IL_INT 0x8011ABCDu
#define SCAP_IL_V2 0x219u
#define SCAP_UL 0x206u
#define SCAP_UL_INT 0x8012ABCDu
#define SCAP_UL_V2 0x220u

#define SCAP_MAX_BLOCK (256u << 20) /* bigger blocks are taken as corruption */
#define SCAP_MAX_MEM_INFLATE (1ull << 30)
#define SCAP_MAX_EVT_PARAMS 64

/* fd types of the fd list (scap's numbering) */
enum {
	SFD_UNKNOWN = 0,
	SFD_FILE,
	SFD_DIRECTORY,
	SFD_IPV4_SOCK,
	SFD_IPV6_SOCK,
	SFD_IPV4_SERVSOCK,
	SFD_IPV6_SERVSOCK,
	SFD_FIFO,
	SFD_UNIX_SOCK,
	SFD_EVENT,
	SFD_UNSUPPORTED,
	SFD_SIGNALFD,
	SFD_EVENTPOLL,
	SFD_INOTIFY,
	SFD_TIMERFD,
	SFD_NETLINK,
	SFD_FILE_V2,
	SFD_BPF,
	SFD_USERFAULTFD,
	SFD_IOURING,
	SFD_MEMFD,
	SFD_PIDFD,
};

/* --- the event table ------------------------------------------------------------------------
 * PPME_* codes of the captures' event table: the system call (evt.type) and the parameter
 * names of each version, in file order. Later versions only append parameters, so one list
 * per code serves every version; a capture holds a prefix of it. Conversion takes our
 * parameters from these by name. */
enum scap_kind {
	SK_NONE = 0, /* not in the table: skipped as unknown */
	SK_SYSCALL,  /* a system call's entry or exit */
	SK_GENERIC,  /* PPME_GENERIC_E/X: the syscall is the ID parameter */
	SK_PROCEXIT, /* a process's exit (a scheduler event, not a system call) */
	SK_INTERNAL, /* procinfo, switch, drop, container, ...: skipped, counted */
};

struct scap_evt {
	uint8_t kind;
	uint8_t enter;
	uint8_t large; /* parameter lengths are 32-bit (EF_LARGE_PAYLOAD) */
	const char *name;
	const char *params; /* space-separated parameter names, file order */
};

#define SCAP_NCODES 338
#define EP(c, n, pe, px) [c] = {SK_SYSCALL, 1, 0, n, pe}, [(c) + 1] = {SK_SYSCALL, 0, 0, n, px}
#define IN(c, n) [c] = {SK_INTERNAL, 1, 0, n, ""}, [(c) + 1] = {SK_INTERNAL, 0, 0, n, ""}

#define CLONE_11 "res exe args tid pid ptid cwd fdlimit flags uid gid"
#define CLONE_16                                                                                   \
	"res exe args tid pid ptid cwd fdlimit pgft_maj pgft_min vm_size vm_rss vm_swap "          \
	"flags uid gid"
#define CLONE_17                                                                                   \
	"res exe args tid pid ptid cwd fdlimit pgft_maj pgft_min vm_size vm_rss vm_swap "          \
	"comm flags uid gid"
#define CLONE_20                                                                                   \
	"res exe args tid pid ptid cwd fdlimit pgft_maj pgft_min vm_size vm_rss vm_swap "          \
	"comm cgroups flags uid gid vtid vpid"
#define EXECVE_13 "res exe args tid pid ptid cwd fdlimit pgft_maj pgft_min vm_size vm_rss vm_swap"
#define EXECVE_17 EXECVE_13 " comm cgroups env tty"
#define EXECVE_19                                                                                  \
	EXECVE_17 " pgid loginuid flags cap_inheritable cap_permitted cap_effective "              \
	          "exe_ino exe_ino_ctime exe_ino_mtime uid trusted_exepath"
#define MEMX "res vm_size vm_rss vm_swap"

static const struct scap_evt scap_events[SCAP_NCODES] = {
    [0] = {SK_GENERIC, 1, 0, "syscall", "ID nativeID"},
    [1] = {SK_GENERIC, 0, 0, "syscall", "ID"},
    EP(2, "open", "name flags mode", "fd name flags mode dev ino"),
    EP(4, "close", "fd", "res fd"),
    EP(6, "read", "fd size", "res data fd size"),
    EP(8, "write", "fd size", "res data fd size"),
    EP(10, "brk", "size", "res"),
    EP(12, "execve", "", "res exe args tid pid ptid cwd fdlimit"),
    EP(14, "clone", "", CLONE_11),
    [16] = {SK_PROCEXIT, 1, 0, "procexit", ""},
    [17] = {SK_INTERNAL, 0, 0, "NA1", ""},
    EP(18, "socket", "domain type proto", "fd domain type proto"),
    EP(20, "bind", "fd", "res addr fd"),
    EP(22, "connect", "fd addr", "res tuple fd addr"),
    EP(24, "listen", "fd backlog", "res fd backlog"),
    EP(26, "accept", "", "fd tuple queuepct"),
    EP(28, "send", "fd size", "res data"),
    EP(30, "sendto", "fd size tuple", "res data fd size tuple"),
    EP(32, "recv", "fd size", "res data"),
    EP(34, "recvfrom", "fd size", "res data tuple fd size"),
    EP(36, "shutdown", "fd how", "res"),
    EP(38, "getsockname", "", ""),
    EP(40, "getpeername", "", ""),
    EP(42, "socketpair", "domain type proto", "res fd1 fd2 source peer"),
    EP(44, "setsockopt", "", "res fd level optname val optlen"),
    EP(46, "getsockopt", "", "res fd level optname val optlen"),
    EP(48, "sendmsg", "fd size tuple", "res data fd size tuple"),
    EP(50, "sendmmsg", "", ""),
    EP(52, "recvmsg", "fd", "res size data tuple"),
    EP(54, "recvmmsg", "", ""),
    EP(56, "accept", "flags", "fd tuple queuepct"),
    EP(58, "creat", "name mode", "fd name mode dev ino"),
    EP(60, "pipe", "", "res fd1 fd2 ino"),
    EP(62, "eventfd", "initval flags", "res"),
    EP(64, "futex", "addr op val", "res"),
    EP(66, "stat", "", "res path"),
    EP(68, "lstat", "", "res path"),
    EP(70, "fstat", "fd", "res"),
    EP(72, "stat64", "", "res path"),
    EP(74, "lstat64", "", "res path"),
    EP(76, "fstat64", "fd", "res"),
    EP(78, "epoll_wait", "maxevents", "res"),
    EP(80, "poll", "fds timeout", "res fds"),
    EP(82, "select", "", "res"),
    EP(84, "select", "", "res"),
    EP(86, "lseek", "fd offset whence", "res"),
    EP(88, "llseek", "fd offset whence", "res"),
    EP(90, "ioctl", "fd request", "res"),
    EP(92, "getcwd", "", "res path"),
    EP(94, "chdir", "", "res path"),
    EP(96, "fchdir", "fd", "res"),
    EP(98, "mkdir", "path mode", "res"),
    EP(100, "rmdir", "path", "res"),
    EP(102, "openat", "dirfd name flags mode", "fd"),
    EP(104, "link", "oldpath newpath", "res"),
    EP(106, "linkat", "olddir oldpath newdir newpath", "res"),
    EP(108, "unlink", "path", "res"),
    EP(110, "unlinkat", "dirfd name", "res"),
    EP(112, "pread", "fd size pos", "res data"),
    EP(114, "pwrite", "fd size pos", "res data"),
    EP(116, "readv", "fd", "res size data"),
    EP(118, "writev", "fd size", "res data"),
    EP(120, "preadv", "fd pos", "res size data"),
    EP(122, "pwritev", "fd size pos", "res data"),
    EP(124, "dup", "fd", "res"),
    EP(126, "signalfd", "fd mask flags", "res"),
    EP(128, "kill", "pid sig", "res"),
    EP(130, "tkill", "tid sig", "res"),
    EP(132, "tgkill", "pid tid sig", "res"),
    EP(134, "nanosleep", "interval", "res"),
    EP(136, "timerfd_create", "clockid flags", "res"),
    EP(138, "inotify_init", "flags", "res"),
    EP(140, "getrlimit", "resource", "res cur max"),
    EP(142, "setrlimit", "resource", "res cur max"),
    EP(144, "prlimit", "pid resource", "res newcur newmax oldcur oldmax"),
    IN(146, "switch"),
    IN(148, "drop"),
    EP(150, "fcntl", "fd cmd", "res"),
    IN(152, "switch"),
    EP(154, "execve", "", EXECVE_13),
    EP(156, "clone", "", CLONE_16),
    EP(158, "brk", "addr", MEMX),
    EP(160, "mmap", "addr length prot flags fd offset", MEMX),
    EP(162, "mmap2", "addr length prot flags fd pgoffset", MEMX),
    EP(164, "munmap", "addr length", MEMX),
    EP(166, "splice", "fd_in fd_out size flags", "res"),
    EP(168, "ptrace", "request pid", "res"),
    EP(170, "ioctl", "fd request argument", "res"),
    EP(172, "execve", "", EXECVE_13 " env"),
    EP(174, "rename", "", "res oldpath newpath"),
    EP(176, "renameat", "", "res olddirfd oldpath newdirfd newpath"),
    EP(178, "symlink", "", "res target linkpath"),
    EP(180, "symlinkat", "", "res target linkdirfd linkpath"),
    EP(182, "fork", "", CLONE_16),
    EP(184, "vfork", "", CLONE_16),
    [186] = {SK_PROCEXIT, 1, 0, "procexit", "status ret sig core reaper_tid"},
    [187] = {SK_INTERNAL, 0, 0, "NA1", ""},
    EP(188, "sendfile", "out_fd in_fd offset size", "res offset"),
    EP(190, "quotactl", "cmd type id quota_fmt", "res special"),
    EP(192, "setresuid", "ruid euid suid", "res"),
    EP(194, "setresgid", "rgid egid sgid", "res"),
    IN(196, "scapevent"),
    EP(198, "setuid", "uid", "res"),
    EP(200, "setgid", "gid", "res"),
    EP(202, "getuid", "", "uid"),
    EP(204, "geteuid", "", "euid"),
    EP(206, "getgid", "", "gid"),
    EP(208, "getegid", "", "egid"),
    EP(210, "getresuid", "", "res ruid euid suid"),
    EP(212, "getresgid", "", "res rgid egid sgid"),
    EP(214, "execve", "", EXECVE_13 " comm env"),
    EP(216, "clone", "", CLONE_17),
    EP(218, "fork", "", CLONE_17),
    EP(220, "vfork", "", CLONE_17),
    EP(222, "clone", "", CLONE_20),
    EP(224, "fork", "", CLONE_20),
    EP(226, "vfork", "", CLONE_20),
    IN(228, "container"),
    EP(230, "execve", "", EXECVE_13 " comm cgroups env"),
    IN(232, "signaldeliver"),
    IN(234, "procinfo"),
    EP(236, "getdents", "fd", "res"),
    EP(238, "getdents64", "fd", "res"),
    EP(240, "setns", "fd nstype", "res"),
    EP(242, "flock", "fd operation", "res"),
    IN(244, "cpu_hotplug"),
    EP(246, "accept", "", "fd tuple queuepct queuelen queuemax"),
    EP(248, "accept", "flags", "fd tuple queuepct queuelen queuemax"),
    EP(250, "semop", "semid", "res"),
    EP(252, "semctl", "semid semnum cmd val", "res"),
    EP(254, "ppoll", "fds timeout sigmask", "res fds"),
    EP(256, "mount", "flags", "res dev dir type"),
    EP(258, "umount", "flags", "res name"),
    IN(260, "k8s"),
    EP(262, "semget", "key nsems semflg", "res"),
    EP(264, "access", "mode", "res name"),
    EP(266, "chroot", "", "res path"),
    IN(268, "tracer"),
    IN(270, "mesos"),
    IN(272, "container"),
    EP(274, "setsid", "", "res"),
    EP(276, "mkdir", "mode", "res path"),
    EP(278, "rmdir", "", "res path"),
    IN(280, "notification"),
    EP(282, "execve", "", EXECVE_17),
    EP(284, "unshare", "flags", "res"),
    IN(286, "infra"),
    EP(288, "execve", "filename", EXECVE_17),
    IN(290, "page_fault"),
    EP(292, "execve", "filename", EXECVE_19),
    EP(294, "setpgid", "pid pgid", "res"),
    EP(296, "bpf", "cmd", "res_or_fd"),
    EP(298, "seccomp", "op flags", "res"),
    EP(300, "unlink", "", "res path"),
    EP(302, "unlinkat", "", "res dirfd name flags"),
    EP(304, "mkdirat", "", "res dirfd path mode"),
    EP(306, "openat", "dirfd name flags mode", "fd dirfd name flags mode dev ino"),
    EP(308, "link", "", "res oldpath newpath"),
    EP(310, "linkat", "", "res olddir oldpath newdir newpath flags"),
    EP(312, "fchmodat", "", "res dirfd filename mode"),
    EP(314, "chmod", "", "res filename mode"),
    EP(316, "fchmod", "", "res fd mode"),
    EP(318, "renameat2", "", "res olddirfd oldpath newdirfd newpath flags"),
    EP(320, "userfaultfd", "", "res flags"),
    [322] = {SK_INTERNAL, 1, 1, "pluginevent", ""},
    [323] = {SK_INTERNAL, 0, 0, "pluginevent", ""},
    [324] = {SK_INTERNAL, 1, 1, "container", ""},
    [325] = {SK_INTERNAL, 0, 0, "container", ""},
    EP(326, "openat2", "dirfd name flags mode resolve", "fd dirfd name flags mode resolve"),
    EP(328, "mprotect", "addr length prot", "res"),
    EP(330, "execveat", "dirfd pathname flags", EXECVE_19),
    EP(332, "copy_file_range", "fdin offin len", "res fdout offout"),
    EP(334, "clone3", "", CLONE_20),
    EP(336, "open_by_handle_at", "", "fd mountfd flags path dev ino"),
};
#undef EP
#undef IN

/* PPM_SC_* system call codes of the ID parameter of generic events, in the numbering the
 * captures written by sysdig and Falco up to libs 0.10 use. 0 is "<unknown>", as sysdig
 * prints it. */
static const char *const scap_sc_names[] = {
    "<unknown>",
    "restart_syscall",
    "exit",
    "read",
    "write",
    "open",
    "close",
    "creat",
    "link",
    "unlink",
    "chdir",
    "time",
    "mknod",
    "chmod",
    "stat",
    "lseek",
    "getpid",
    "mount",
    "ptrace",
    "alarm",
    "fstat",
    "pause",
    "utime",
    "access",
    "sync",
    "kill",
    "rename",
    "mkdir",
    "rmdir",
    "dup",
    "pipe",
    "times",
    "brk",
    "acct",
    "ioctl",
    "fcntl",
    "setpgid",
    "umask",
    "chroot",
    "ustat",
    "dup2",
    "getppid",
    "getpgrp",
    "setsid",
    "sethostname",
    "setrlimit",
    "getrusage",
    "gettimeofday",
    "settimeofday",
    "symlink",
    "lstat",
    "readlink",
    "uselib",
    "swapon",
    "reboot",
    "mmap",
    "munmap",
    "truncate",
    "ftruncate",
    "fchmod",
    "getpriority",
    "setpriority",
    "statfs",
    "fstatfs",
    "syslog",
    "setitimer",
    "getitimer",
    "uname",
    "vhangup",
    "wait4",
    "swapoff",
    "sysinfo",
    "fsync",
    "setdomainname",
    "adjtimex",
    "mprotect",
    "init_module",
    "delete_module",
    "quotactl",
    "getpgid",
    "fchdir",
    "sysfs",
    "personality",
    "getdents",
    "select",
    "flock",
    "msync",
    "readv",
    "writev",
    "getsid",
    "fdatasync",
    "mlock",
    "munlock",
    "mlockall",
    "munlockall",
    "sched_setparam",
    "sched_getparam",
    "sched_setscheduler",
    "sched_getscheduler",
    "sched_yield",
    "sched_get_priority_max",
    "sched_get_priority_min",
    "sched_rr_get_interval",
    "nanosleep",
    "mremap",
    "poll",
    "prctl",
    "rt_sigaction",
    "rt_sigprocmask",
    "rt_sigpending",
    "rt_sigtimedwait",
    "rt_sigqueueinfo",
    "rt_sigsuspend",
    "getcwd",
    "capget",
    "capset",
    "sendfile",
    "getrlimit",
    "lchown",
    "getuid",
    "getgid",
    "geteuid",
    "getegid",
    "setreuid",
    "setregid",
    "getgroups",
    "setgroups",
    "fchown",
    "setresuid",
    "getresuid",
    "setresgid",
    "getresgid",
    "chown",
    "setuid",
    "setgid",
    "setfsuid",
    "setfsgid",
    "pivot_root",
    "mincore",
    "madvise",
    "gettid",
    "setxattr",
    "lsetxattr",
    "fsetxattr",
    "getxattr",
    "lgetxattr",
    "fgetxattr",
    "listxattr",
    "llistxattr",
    "flistxattr",
    "removexattr",
    "lremovexattr",
    "fremovexattr",
    "tkill",
    "futex",
    "sched_setaffinity",
    "sched_getaffinity",
    "set_thread_area",
    "get_thread_area",
    "io_setup",
    "io_destroy",
    "io_getevents",
    "io_submit",
    "io_cancel",
    "exit_group",
    "epoll_create",
    "epoll_ctl",
    "epoll_wait",
    "remap_file_pages",
    "set_tid_address",
    "timer_create",
    "timer_settime",
    "timer_gettime",
    "timer_getoverrun",
    "timer_delete",
    "clock_settime",
    "clock_gettime",
    "clock_getres",
    "clock_nanosleep",
    "tgkill",
    "utimes",
    "mq_open",
    "mq_unlink",
    "mq_timedsend",
    "mq_timedreceive",
    "mq_notify",
    "mq_getsetattr",
    "kexec_load",
    "waitid",
    "add_key",
    "request_key",
    "keyctl",
    "ioprio_set",
    "ioprio_get",
    "inotify_init",
    "inotify_add_watch",
    "inotify_rm_watch",
    "openat",
    "mkdirat",
    "mknodat",
    "fchownat",
    "futimesat",
    "unlinkat",
    "renameat",
    "linkat",
    "symlinkat",
    "readlinkat",
    "fchmodat",
    "faccessat",
    "pselect6",
    "ppoll",
    "unshare",
    "set_robust_list",
    "get_robust_list",
    "splice",
    "tee",
    "vmsplice",
    "getcpu",
    "epoll_pwait",
    "utimensat",
    "signalfd",
    "timerfd_create",
    "eventfd",
    "timerfd_settime",
    "timerfd_gettime",
    "signalfd4",
    "eventfd2",
    "epoll_create1",
    "dup3",
    "pipe2",
    "inotify_init1",
    "preadv",
    "pwritev",
    "rt_tgsigqueueinfo",
    "perf_event_open",
    "fanotify_init",
    "prlimit64",
    "clock_adjtime",
    "syncfs",
    "setns",
    "getdents64",
    "socket",
    "bind",
    "connect",
    "listen",
    "accept",
    "getsockname",
    "getpeername",
    "socketpair",
    "sendto",
    "recvfrom",
    "shutdown",
    "setsockopt",
    "getsockopt",
    "sendmsg",
    "sendmmsg",
    "recvmsg",
    "recvmmsg",
    "accept4",
    "semop",
    "semget",
    "semctl",
    "msgsnd",
    "msgrcv",
    "msgget",
    "msgctl",
    "shmdt",
    "shmget",
    "shmctl",
    "statfs64",
    "fstatfs64",
    "fstatat64",
    "sendfile64",
    "ugetrlimit",
    "bdflush",
    "sigprocmask",
    "ipc",
    "socketcall",
    "stat64",
    "lstat64",
    "fstat64",
    "fcntl64",
    "mmap2",
    "_newselect",
    "sgetmask",
    "ssetmask",
    "sigpending",
    "olduname",
    "umount",
    "signal",
    "nice",
    "stime",
    "_llseek",
    "waitpid",
    "pread64",
    "pwrite64",
    "arch_prctl",
    "shmat",
    "sigreturn",
    "fallocate",
    "newfstatat",
    "process_vm_readv",
    "process_vm_writev",
    "fork",
    "vfork",
    "setuid32",
    "getuid32",
    "setgid32",
    "geteuid32",
    "getgid32",
    "setresuid32",
    "setresgid32",
    "getresuid32",
    "getresgid32",
};
#define SCAP_NSC (sizeof(scap_sc_names) / sizeof(scap_sc_names[0]))

/* --- the reader ------------------------------------------------------------------------------ */

struct scap_tidmap {          /* tid -> pid, for fk_event_hdr.tgid */
	int64_t *keys, *vals; /* key 0 is "empty" (tid 0 is never an event's) */
	size_t cap, n;
};

#define SCAP_NENTRIES 1024

struct rt_scap {
	gzFile gz;          /* a file source, or: */
	const uint8_t *mem; /* a memory source (borrowed or owned) */
	uint8_t *owned;
	size_t memlen, mempos;
	uint64_t off; /* stream offset of the next byte */
	/* the current block */
	uint8_t *blk;
	size_t blkcap;
	uint32_t btype, blen;
	uint64_t boff;
	bool pending; /* the current block was read but not used yet */
	bool state_loaded, started, failed;
	char failmsg[256];
	int16_t target[SCAP_NCODES]; /* PPME code -> enum fk_event_type, -1: generic */
	struct rt_event_builder b;
	struct rt_scap_stats st;
	uint64_t evnum, lastnum;
	struct scap_tidmap pids;
	/* The last entry event of each thread, for the parameters its exit lacks (old
	 * captures put execve's filename, socket's domain, read's and close's fd in the entry
	 * only). Direct-mapped by tid; a collision forgets the older entry. */
	struct scap_entry {
		int64_t tid;
		const char *name;       /* scap_events[].name, NULL: empty slot */
		const char *params;     /* scap_events[].params of the entry */
		uint8_t *data;          /* parameter bytes, back to back; owned */
		uint32_t len[SCAP_MAX_EVT_PARAMS];
		unsigned n;
	} entries[SCAP_NENTRIES];
};

static int scap_fail(struct rt_scap *r, char *err, size_t errlen, uint64_t off, const char *fmt,
                     ...) __attribute__((format(printf, 5, 6)));

static int scap_fail(struct rt_scap *r, char *err, size_t errlen, uint64_t off, const char *fmt,
                     ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(r->failmsg, sizeof(r->failmsg), "offset %llu: %s", (unsigned long long)off, msg);
	r->failed = true;
	if (err && errlen)
		snprintf(err, errlen, "%s", r->failmsg);
	return -1;
}

/* Reads up to n bytes; returns how many (fewer only at the end), or -1 on a gzip error. */
static long scap_src_read(struct rt_scap *r, void *buf, size_t n)
{
	if (r->gz) {
		size_t got = 0;
		while (got < n) {
			size_t want = n - got > (1u << 30) ? (1u << 30) : n - got;
			int k = gzread(r->gz, (uint8_t *)buf + got, (unsigned)want);
			if (k < 0)
				return -1;
			if (k == 0)
				break;
			got += (size_t)k;
		}
		r->off += got;
		return (long)got;
	}
	size_t k = r->memlen - r->mempos < n ? r->memlen - r->mempos : n;
	memcpy(buf, r->mem + r->mempos, k);
	r->mempos += k;
	r->off += k;
	return (long)k;
}

static int scap_src_error(struct rt_scap *r, char *err, size_t errlen)
{
	int zerr = 0;
	const char *m = r->gz ? gzerror(r->gz, &zerr) : "read error";
	return scap_fail(r, err, errlen, r->off, "gzip: %s", m);
}

static const char *scap_block_name(uint32_t t)
{
	switch (t) {
	case SCAP_SHB:
		return "section header";
	case SCAP_MI:
	case SCAP_MI_INT:
		return "machine info";
	case SCAP_PL_V1:
	case SCAP_PL_V1_INT:
	case SCAP_PL_V2:
	case SCAP_PL_V2_INT:
	case SCAP_PL_V3:
	case SCAP_PL_V3_INT:
	case SCAP_PL_V4:
	case SCAP_PL_V5:
	case SCAP_PL_V6:
	case SCAP_PL_V7:
	case SCAP_PL_V8:
	case SCAP_PL_V9:
		return "process list";
	case SCAP_FDL:
	case SCAP_FDL_INT:
	case SCAP_FDL_V2:
		return "fd list";
	case SCAP_EV:
	case SCAP_EV_INT:
	case SCAP_EV_V2:
	case SCAP_EV_V2_LARGE:
	case SCAP_EVF:
	case SCAP_EVF_V2:
	case SCAP_EVF_V2_LARGE:
		return "event";
	case SCAP_IL:
	case SCAP_IL_INT:
	case SCAP_IL_V2:
		return "interface list";
	case SCAP_UL:
	case SCAP_UL_INT:
	case SCAP_UL_V2:
		return "user list";
	default:
		return "unknown";
	}
}

static bool scap_is_event_block(uint32_t t)
{
	return t == SCAP_EV || t == SCAP_EV_INT || t == SCAP_EV_V2 || t == SCAP_EV_V2_LARGE ||
	       t == SCAP_EVF || t == SCAP_EVF_V2 || t == SCAP_EVF_V2_LARGE;
}

/* Reads the next block into r->blk (body only). 1: a block, 0: clean end, -1: error. */
static int scap_read_block(struct rt_scap *r, char *err, size_t errlen)
{
	if (r->pending) {
		r->pending = false;
		return 1;
	}
	uint8_t h[8];
	uint64_t start = r->off;
	long got = scap_src_read(r, h, sizeof(h));
	if (got < 0)
		return scap_src_error(r, err, errlen);
	if (got == 0)
		return 0;
	if (got < (long)sizeof(h))
		return scap_fail(r, err, errlen, start, "truncated block header (%ld of 8 bytes)",
		                 got);
	uint32_t type, len;
	memcpy(&type, h, 4);
	memcpy(&len, h + 4, 4);
	if (r->st.blocks == 0 && type != SCAP_SHB)
		return scap_fail(r, err, errlen, start,
		                 "not a capture: first block type 0x%x is not a section header",
		                 type);
	if (len < 12)
		return scap_fail(r, err, errlen, start,
		                 "%s block 0x%x: total length %u is shorter than its header",
		                 scap_block_name(type), type, len);
	if (len > SCAP_MAX_BLOCK)
		return scap_fail(r, err, errlen, start,
		                 "%s block 0x%x: total length %u is implausibly large",
		                 scap_block_name(type), type, len);
	size_t body = len - 12;
	if (body + 4 > r->blkcap) {
		size_t cap = r->blkcap ? r->blkcap : 4096;
		while (cap < body + 4)
			cap *= 2;
		uint8_t *p = realloc(r->blk, cap);
		if (!p)
			return scap_fail(r, err, errlen, start, "out of memory for a %u-byte block",
			                 len);
		r->blk = p;
		r->blkcap = cap;
	}
	got = scap_src_read(r, r->blk, body + 4);
	if (got < 0)
		return scap_src_error(r, err, errlen);
	if ((size_t)got < body + 4)
		return scap_fail(r, err, errlen, start, "%s block 0x%x truncated: %ld of %u bytes",
		                 scap_block_name(type), type, got + 8, len);
	uint32_t trailer;
	memcpy(&trailer, r->blk + body, 4);
	if (trailer != len)
		return scap_fail(r, err, errlen, start + len - 4,
		                 "%s block 0x%x: trailing length %u differs from the header's %u",
		                 scap_block_name(type), type, trailer, len);
	r->btype = type;
	r->blen = (uint32_t)body;
	r->boff = start;
	r->st.blocks++;
	return 1;
}

/* --- a bounded cursor over a block's body --------------------------------------------------- */

struct scap_cur {
	const uint8_t *p;
	size_t len, pos;
	uint64_t base; /* stream offset of p[0] */
	bool bad;
	uint64_t bad_off;
};

static bool cur_need(struct scap_cur *c, size_t n)
{
	if (c->bad)
		return false;
	if (n > c->len - c->pos) {
		c->bad = true;
		c->bad_off = c->base + c->pos;
		return false;
	}
	return true;
}

static uint64_t cur_uint(struct scap_cur *c, unsigned size)
{
	if (!cur_need(c, size))
		return 0;
	uint64_t v = 0;
	switch (size) {
	case 1:
		v = c->p[c->pos];
		break;
	case 2: {
		uint16_t x;
		memcpy(&x, c->p + c->pos, 2);
		v = x;
		break;
	}
	case 4: {
		uint32_t x;
		memcpy(&x, c->p + c->pos, 4);
		v = x;
		break;
	}
	default:
		memcpy(&v, c->p + c->pos, 8);
		break;
	}
	c->pos += size;
	return v;
}

static const uint8_t *cur_bytes(struct scap_cur *c, size_t n)
{
	if (!cur_need(c, n))
		return NULL;
	const uint8_t *p = c->p + c->pos;
	c->pos += n;
	return p;
}

/* A u16-length-prefixed string (not NUL-terminated in the file), copied into a fresh
 * buffer with two NULs appended. NULL on truncation (c->bad set) or out of memory. */
static char *cur_str(struct scap_cur *c, size_t *lenp)
{
	size_t n = (size_t)cur_uint(c, 2);
	const uint8_t *p = cur_bytes(c, n);
	if (!p)
		return NULL;
	char *s = malloc(n + 2);
	if (!s) {
		c->bad = true;
		c->bad_off = c->base + c->pos;
		return NULL;
	}
	memcpy(s, p, n);
	s[n] = s[n + 1] = '\0';
	if (lenp)
		*lenp = n;
	return s;
}

/* --- tid -> pid ------------------------------------------------------------------------------ */

static void tidmap_put(struct scap_tidmap *m, int64_t tid, int64_t pid)
{
	if (tid == 0)
		return;
	if ((m->n + 1) * 2 > m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		int64_t *k = calloc(cap, sizeof(*k)), *v = calloc(cap, sizeof(*v));
		if (!k || !v) {
			free(k);
			free(v);
			return; /* the map is a hint: tgid falls back to tid */
		}
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->keys[i])
				continue;
			size_t j =
			    (size_t)((uint64_t)m->keys[i] * 0x9E3779B97F4A7C15ull) & (cap - 1);
			while (k[j])
				j = (j + 1) & (cap - 1);
			k[j] = m->keys[i];
			v[j] = m->vals[i];
		}
		free(m->keys);
		free(m->vals);
		m->keys = k;
		m->vals = v;
		m->cap = cap;
	}
	size_t j = (size_t)((uint64_t)tid * 0x9E3779B97F4A7C15ull) & (m->cap - 1);
	while (m->keys[j] && m->keys[j] != tid)
		j = (j + 1) & (m->cap - 1);
	if (!m->keys[j])
		m->n++;
	m->keys[j] = tid;
	m->vals[j] = pid;
}

static int64_t tidmap_get(const struct scap_tidmap *m, int64_t tid)
{
	if (!m->cap || tid == 0)
		return tid;
	size_t j = (size_t)((uint64_t)tid * 0x9E3779B97F4A7C15ull) & (m->cap - 1);
	while (m->keys[j]) {
		if (m->keys[j] == tid)
			return m->vals[j];
		j = (j + 1) & (m->cap - 1);
	}
	return tid;
}

/* --- open / close ---------------------------------------------------------------------------- */

static struct rt_scap *scap_new(void)
{
	struct rt_scap *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	for (unsigned i = 0; i < SCAP_NCODES; i++) {
		const struct scap_evt *e = &scap_events[i];
		r->target[i] = -1;
		if (e->kind == SK_SYSCALL)
			r->target[i] = (int16_t)rt_event_type_lookup(e->name, e->enter);
		else if (e->kind == SK_PROCEXIT)
			r->target[i] = (int16_t)rt_event_type_lookup("procexit", false);
	}
	return r;
}

/* Reads and checks the section header block. */
static int scap_read_shb(struct rt_scap *r, char *err, size_t errlen)
{
	int rc = scap_read_block(r, err, errlen);
	if (rc <= 0)
		return rc < 0 ? -1 : scap_fail(r, err, errlen, 0, "empty file: not a capture");
	if (r->btype != SCAP_SHB)
		return scap_fail(r, err, errlen, 0,
		                 "not a capture: first block type 0x%x is not a section header",
		                 r->btype);
	struct scap_cur c = {r->blk, r->blen, 0, r->boff + 8, false, 0};
	uint32_t magic = (uint32_t)cur_uint(&c, 4);
	uint16_t major = (uint16_t)cur_uint(&c, 2);
	uint16_t minor = (uint16_t)cur_uint(&c, 2);
	if (c.bad)
		return scap_fail(r, err, errlen, c.bad_off, "section header truncated");
	if (magic == 0x4D3C2B1Au)
		return scap_fail(r, err, errlen, c.base, "big-endian captures are not supported");
	if (magic != SCAP_SHB_MAGIC)
		return scap_fail(r, err, errlen, c.base, "bad byte-order magic 0x%08x", magic);
	if (major != 1)
		return scap_fail(r, err, errlen, c.base + 4,
		                 "capture format version %u.%u is not supported (1.x only)", major,
		                 minor);
	r->st.major = major;
	r->st.minor = minor;
	return 0;
}

struct rt_scap *rt_scap_open(const char *path, char *err, size_t errlen)
{
	struct rt_scap *r = scap_new();
	if (!r) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	r->gz = gzopen(path, "rb");
	if (!r->gz) {
		snprintf(err, errlen, "%s: cannot open", path);
		rt_scap_close(r);
		return NULL;
	}
	gzbuffer(r->gz, 128 * 1024);
	char msg[256];
	if (scap_read_shb(r, msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "%s: %s", path, msg);
		rt_scap_close(r);
		return NULL;
	}
	return r;
}

/* Inflates a gzip buffer. A truncated or corrupt stream keeps what was inflated, so the
 * block reader reports the truncation with its offset. */
static uint8_t *scap_inflate(const uint8_t *in, size_t len, size_t *outlen)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return NULL;
	size_t cap = len * 4 + 4096, n = 0;
	uint8_t *out = malloc(cap);
	size_t inpos = 0;
	while (out) {
		if (n == cap) {
			if (cap >= SCAP_MAX_MEM_INFLATE)
				break;
			uint8_t *p = realloc(out, cap * 2);
			if (!p) {
				free(out);
				out = NULL;
				break;
			}
			out = p;
			cap *= 2;
		}
		size_t ichunk = len - inpos > (1u << 30) ? (1u << 30) : len - inpos;
		z.next_in = (Bytef *)(uintptr_t)(in + inpos);
		z.avail_in = (uInt)ichunk;
		size_t ochunk = cap - n > (1u << 30) ? (1u << 30) : cap - n;
		z.next_out = out + n;
		z.avail_out = (uInt)ochunk;
		int rc = inflate(&z, Z_NO_FLUSH);
		inpos += ichunk - z.avail_in;
		n += ochunk - z.avail_out;
		if (rc == Z_STREAM_END) {
			/* concatenated members: go on with the next one */
			if (inpos < len && inflateReset(&z) == Z_OK)
				continue;
			break;
		}
		if (rc != Z_OK || (z.avail_in == 0 && inpos >= len && z.avail_out != 0))
			break;
	}
	inflateEnd(&z);
	*outlen = n;
	return out;
}

struct rt_scap *rt_scap_open_mem(const void *buf, size_t len, char *err, size_t errlen)
{
	struct rt_scap *r = scap_new();
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	const uint8_t *b = buf;
	if (len >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
		r->owned = scap_inflate(b, len, &r->memlen);
		if (!r->owned) {
			snprintf(err, errlen, "cannot inflate the gzip stream");
			rt_scap_close(r);
			return NULL;
		}
		r->mem = r->owned;
	} else {
		r->mem = b;
		r->memlen = len;
	}
	if (scap_read_shb(r, err, errlen) < 0) {
		rt_scap_close(r);
		return NULL;
	}
	return r;
}

void rt_scap_close(struct rt_scap *r)
{
	if (!r)
		return;
	if (r->gz)
		gzclose(r->gz);
	free(r->owned);
	free(r->blk);
	free(r->pids.keys);
	free(r->pids.vals);
	for (unsigned i = 0; i < SCAP_NENTRIES; i++)
		free(r->entries[i].data);
	rt_event_builder_fini(&r->b);
	free(r);
}

void rt_scap_stats(const struct rt_scap *r, struct rt_scap_stats *out)
{
	*out = r->st;
}

uint64_t rt_scap_event_num(const struct rt_scap *r)
{
	return r->lastnum;
}

/* --- state blocks ---------------------------------------------------------------------------- */

static int scap_pl_version(uint32_t t)
{
	switch (t) {
	case SCAP_PL_V1:
	case SCAP_PL_V1_INT:
		return 1;
	case SCAP_PL_V2:
	case SCAP_PL_V2_INT:
		return 2;
	case SCAP_PL_V3:
	case SCAP_PL_V3_INT:
		return 3;
	case SCAP_PL_V4:
		return 4;
	case SCAP_PL_V5:
		return 5;
	case SCAP_PL_V6:
		return 6;
	case SCAP_PL_V7:
		return 7;
	case SCAP_PL_V8:
		return 8;
	case SCAP_PL_V9:
		return 9;
	default:
		return 0;
	}
}

static void scap_thread_free(struct rt_thread *t, char *comm)
{
	free(comm);
	free(t->exe);
	free(t->exepath);
	free(t->args);
	free(t->env);
	free(t->cwd);
	free(t->cgroups);
}

/* One process list entry (layout by version, see docs/capture.md). */
static int scap_pl_entry(struct rt_scap *r, struct rt_state *s, struct scap_cur *c, int ver,
                         char *err, size_t errlen)
{
	size_t start = c->pos;
	uint32_t sub_len = 0;
	if (ver >= 9) {
		sub_len = (uint32_t)cur_uint(c, 4);
		if (!c->bad && (sub_len < 4 || sub_len > c->len - start))
			return scap_fail(r, err, errlen, c->base + start,
			                 "process list entry length %u outside its block", sub_len);
	}
	struct rt_thread t;
	memset(&t, 0, sizeof(t));
	t.vtid = t.vpid = t.sid = t.pgid = -1;
	t.loginuid = UINT32_MAX;
	t.tid = (int64_t)cur_uint(c, 8);
	t.pid = (int64_t)cur_uint(c, 8);
	t.ptid = (int64_t)cur_uint(c, 8);
	if (ver >= 6)
		t.sid = (int64_t)cur_uint(c, 8);
	if (ver >= 8)
		t.pgid = (int64_t)cur_uint(c, 8);
	size_t n = 0;
	char *comm = cur_str(c, &n);
	t.exe = cur_str(c, NULL);
	if (ver >= 7)
		t.exepath = cur_str(c, NULL);
	t.args = cur_str(c, &t.args_len);
	char *cwd = cur_str(c, &n);
	if (cwd && (n == 0 || cwd[n - 1] != '/')) {
		cwd[n] = '/'; /* cur_str left room for it */
	}
	t.cwd = cwd;
	cur_uint(c, 8); /* fdlimit */
	cur_uint(c, 4); /* flags */
	t.uid = t.euid = (uint32_t)cur_uint(c, 4);
	t.gid = t.egid = (uint32_t)cur_uint(c, 4);
	if (ver >= 2) {
		cur_uint(c, 4); /* vmsize_kb, vmrss_kb, vmswap_kb */
		cur_uint(c, 4);
		cur_uint(c, 4);
		cur_uint(c, 8); /* pfmajor, pfminor */
		cur_uint(c, 8);
	}
	if (ver >= 3)
		t.env = cur_str(c, &t.env_len);
	if (ver >= 4) {
		t.vtid = (int64_t)cur_uint(c, 8);
		t.vpid = (int64_t)cur_uint(c, 8);
		t.cgroups = cur_str(c, NULL);
	}
	if (ver >= 5)
		free(cur_str(c, NULL)); /* root */
	if (ver >= 9 && !c->bad) {
		/* Appended fields, present as far as the entry's length goes. Writers before
		 * libs 0.10 had only loginuid, exe_writable and the three capabilities (29 bytes)
		 * here; later ones put pidns_init_start_ts and tty first. */
		size_t used = c->pos - start;
		size_t left = sub_len > used ? sub_len - used : 0;
#define HAVE(k) (c->pos - start + (k) <= sub_len)
		if (left > 29) {
			if (HAVE(8))
				cur_uint(c, 8); /* pidns_init_start_ts */
			if (HAVE(4))
				t.tty = (uint32_t)cur_uint(c, 4);
		}
		if (HAVE(4))
			t.loginuid = (uint32_t)cur_uint(c, 4);
		if (HAVE(1) && cur_uint(c, 1))
			t.exe_flags |= RT_EXE_WRITABLE;
		if (HAVE(8))
			t.cap_inheritable = cur_uint(c, 8);
		if (HAVE(8))
			t.cap_permitted = cur_uint(c, 8);
		if (HAVE(8))
			t.cap_effective = cur_uint(c, 8);
		if (HAVE(1) && cur_uint(c, 1))
			t.exe_flags |= RT_EXE_UPPER_LAYER;
		for (int i = 0; i < 3 && HAVE(8); i++)
			cur_uint(c, 8); /* exe_ino, exe_ino_ctime, exe_ino_mtime */
		if (HAVE(1) && cur_uint(c, 1)) {
			t.exe_from_memfd = true;
			t.exe_flags |= RT_EXE_FROM_MEMFD;
		}
#undef HAVE
	}
	if (c->bad) {
		scap_thread_free(&t, comm);
		return scap_fail(r, err, errlen, c->bad_off,
		                 "process list entry (tid %lld) truncated", (long long)t.tid);
	}
	if (ver >= 9) {
		size_t used = c->pos - start;
		if (used > sub_len) {
			scap_thread_free(&t, comm);
			return scap_fail(r, err, errlen, c->base + start,
			                 "process list entry uses %zu bytes, its length says %u",
			                 used, sub_len);
		}
		c->pos = start + sub_len;
	}
	snprintf(t.comm, sizeof(t.comm), "%s", comm ? comm : "");
	if (t.args)
		for (size_t i = 0; i < t.args_len; i++)
			t.nargs += t.args[i] == '\0';
	if (s)
		rt_state_add_thread(s, &t);
	tidmap_put(&r->pids, t.tid, t.pid);
	r->st.threads++;
	scap_thread_free(&t, comm);
	return 0;
}

static int scap_read_pl(struct rt_scap *r, struct rt_state *s, char *err, size_t errlen)
{
	int ver = scap_pl_version(r->btype);
	struct scap_cur c = {r->blk, r->blen, 0, r->boff + 8, false, 0};
	while (c.len - c.pos >= 4)
		if (scap_pl_entry(r, s, &c, ver, err, errlen) < 0)
			return -1;
	return 0;
}

static void scap_ip4_text(char *buf, size_t n, const uint8_t ip[4])
{
	inet_ntop(AF_INET, ip, buf, (socklen_t)n);
}

static void scap_ip6_text(char *buf, size_t n, const uint8_t ip[16])
{
	inet_ntop(AF_INET6, ip, buf, (socklen_t)n);
}

static uint8_t scap_l4(uint8_t p)
{
	switch (p) {
	case 2:
		return RT_L4_TCP;
	case 3:
		return RT_L4_UDP;
	case 4:
		return RT_L4_ICMP;
	case 5:
		return RT_L4_RAW;
	default:
		return RT_L4_UNKNOWN;
	}
}

/* An IPv4 (alen 4) or IPv6 (16) socket of the fd list: a connected one is source address,
 * destination address, source port, destination port, protocol; a server socket has only
 * the source half. Its name is as libsinsp prints it. */
static void scap_fd_sock(struct scap_cur *c, struct rt_fd *fd, unsigned alen, bool server)
{
	char text[2 * INET6_ADDRSTRLEN + 32];
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	const uint8_t *p;
	if ((p = cur_bytes(c, alen)))
		memcpy(fd->sip, p, alen);
	if (!server && (p = cur_bytes(c, alen)))
		memcpy(fd->dip, p, alen);
	fd->sport = (uint16_t)cur_uint(c, 2);
	if (!server)
		fd->dport = (uint16_t)cur_uint(c, 2);
	fd->l4proto = scap_l4((uint8_t)cur_uint(c, 1));
	fd->type = alen == 4 ? RT_FD_IPV4 : RT_FD_IPV6;
	fd->family = alen == 4 ? FK_AF_INET : FK_AF_INET6;
	fd->connected = !server;
	fd->is_server = server;
	if (alen == 4) {
		scap_ip4_text(a, sizeof(a), fd->sip);
		scap_ip4_text(b, sizeof(b), fd->dip);
	} else {
		scap_ip6_text(a, sizeof(a), fd->sip);
		scap_ip6_text(b, sizeof(b), fd->dip);
	}
	if (server)
		snprintf(text, sizeof(text), "%s:%u", a, fd->sport);
	else
		snprintf(text, sizeof(text), "%s:%u->%s:%u", a, fd->sport, b, fd->dport);
	fd->name = strdup(text);
}

/* One fd list entry; fills fd (name owned by the caller). 1: keep it, 0: skip it. */
static int scap_fd_entry(struct rt_scap *r, struct scap_cur *c, bool v2, struct rt_fd *fd,
                         char *err, size_t errlen)
{
	size_t start = c->pos;
	uint32_t sub_len = 0;
	if (v2) {
		sub_len = (uint32_t)cur_uint(c, 4);
		if (!c->bad && (sub_len < 4 || sub_len > c->len - start))
			return scap_fail(r, err, errlen, c->base + start,
			                 "fd list entry length %u outside its block", sub_len);
	}
	memset(fd, 0, sizeof(*fd));
	fd->num = (int64_t)cur_uint(c, 8);
	fd->ino = cur_uint(c, 8);
	uint8_t type = (uint8_t)cur_uint(c, 1);
	int keep = 1;
	fd->type = RT_FD_UNKNOWN;
	switch (type) {
	case SFD_IPV4_SOCK:
	case SFD_IPV4_SERVSOCK:
		scap_fd_sock(c, fd, 4, type == SFD_IPV4_SERVSOCK);
		break;
	case SFD_IPV6_SOCK:
	case SFD_IPV6_SERVSOCK:
		scap_fd_sock(c, fd, 16, type == SFD_IPV6_SERVSOCK);
		break;
	case SFD_UNIX_SOCK:
		cur_uint(c, 8); /* source and destination socket addresses */
		cur_uint(c, 8);
		fd->type = RT_FD_UNIX;
		fd->family = FK_AF_UNIX;
		fd->name = cur_str(c, NULL);
		break;
	case SFD_FILE_V2:
		fd->open_flags = (uint32_t)cur_uint(c, 4);
		fd->type = RT_FD_FILE;
		fd->name = cur_str(c, NULL);
		if (v2 && c->pos - start + 4 <= sub_len)
			fd->dev = (uint32_t)cur_uint(c, 4);
		break;
	case SFD_FILE:
		fd->type = RT_FD_FILE;
		goto named;
	case SFD_DIRECTORY:
		fd->type = RT_FD_DIRECTORY;
		goto named;
	case SFD_FIFO:
		fd->type = RT_FD_PIPE;
		goto named;
	case SFD_EVENT:
		fd->type = RT_FD_EVENT;
		goto named;
	case SFD_SIGNALFD:
		fd->type = RT_FD_SIGNALFD;
		goto named;
	case SFD_EVENTPOLL:
		fd->type = RT_FD_EVENTPOLL;
		goto named;
	case SFD_INOTIFY:
		fd->type = RT_FD_INOTIFY;
		goto named;
	case SFD_TIMERFD:
		fd->type = RT_FD_TIMERFD;
		goto named;
	case SFD_NETLINK:
		fd->type = RT_FD_NETLINK;
		goto named;
	case SFD_BPF:
		fd->type = RT_FD_BPF;
		goto named;
	case SFD_USERFAULTFD:
		fd->type = RT_FD_USERFAULTFD;
		goto named;
	case SFD_MEMFD:
		fd->type = RT_FD_MEMFD;
		goto named;
	case SFD_UNSUPPORTED:
	case SFD_IOURING:
	case SFD_PIDFD:
	named:
		fd->name = cur_str(c, NULL);
		break;
	case SFD_UNKNOWN:
		keep = 0; /* nothing follows */
		break;
	default:
		if (!v2)
			return scap_fail(r, err, errlen, c->base + start,
			                 "fd list entry of unknown type %u", type);
		keep = 0; /* a newer writer's type: its length skips it */
		break;
	}
	if (c->bad) {
		free(fd->name);
		fd->name = NULL;
		return scap_fail(r, err, errlen, c->bad_off, "fd list entry (fd %lld) truncated",
		                 (long long)fd->num);
	}
	if (v2) {
		size_t used = c->pos - start;
		if (used > sub_len) {
			free(fd->name);
			fd->name = NULL;
			return scap_fail(r, err, errlen, c->base + start,
			                 "fd list entry uses %zu bytes, its length says %u", used,
			                 sub_len);
		}
		c->pos = start + sub_len;
	}
	return keep;
}

static int scap_read_fdl(struct rt_scap *r, struct rt_state *s, char *err, size_t errlen)
{
	struct scap_cur c = {r->blk, r->blen, 0, r->boff + 8, false, 0};
	int64_t tid = (int64_t)cur_uint(&c, 8);
	if (c.bad)
		return scap_fail(r, err, errlen, c.bad_off, "fd list block truncated");
	bool known = s && rt_thread_lookup(s, tid) != NULL;
	bool v2 = r->btype == SCAP_FDL_V2;
	while (c.len - c.pos >= 4) {
		struct rt_fd fd;
		int k = scap_fd_entry(r, &c, v2, &fd, err, errlen);
		if (k < 0)
			return -1;
		if (k && known) {
			if (!fd.name)
				fd.name = strdup("");
			rt_state_add_fd(s, tid, &fd);
			r->st.fds++;
		}
		free(fd.name);
	}
	return 0;
}

static int scap_read_ul(struct rt_scap *r, struct rt_state *s, char *err, size_t errlen)
{
	struct scap_cur c = {r->blk, r->blen, 0, r->boff + 8, false, 0};
	bool v2 = r->btype == SCAP_UL_V2;
	while (c.len - c.pos >= 4) {
		size_t start = c.pos;
		uint32_t sub_len = 0;
		if (v2) {
			sub_len = (uint32_t)cur_uint(&c, 4);
			if (!c.bad && (sub_len < 4 || sub_len > c.len - start))
				return scap_fail(r, err, errlen, c.base + start,
				                 "user list entry length %u outside its block",
				                 sub_len);
		}
		uint8_t type = (uint8_t)cur_uint(&c, 1);
		if (type == 0) { /* a user */
			uint32_t uid = (uint32_t)cur_uint(&c, 4);
			uint32_t gid = (uint32_t)cur_uint(&c, 4);
			char *name = cur_str(&c, NULL);
			char *home = cur_str(&c, NULL);
			char *shell = cur_str(&c, NULL);
			if (!c.bad && s) {
				rt_state_add_user(s, uid, gid, name, home, shell);
				r->st.users++;
			}
			free(name);
			free(home);
			free(shell);
		} else { /* a group */
			uint32_t gid = (uint32_t)cur_uint(&c, 4);
			char *name = cur_str(&c, NULL);
			if (!c.bad && s) {
				rt_state_add_group(s, gid, name);
				r->st.groups++;
			}
			free(name);
		}
		if (c.bad)
			return scap_fail(r, err, errlen, c.bad_off, "user list entry truncated");
		if (v2) {
			if (c.pos - start > sub_len)
				return scap_fail(
				    r, err, errlen, c.base + start,
				    "user list entry uses %zu bytes, its length says %u",
				    c.pos - start, sub_len);
			c.pos = start + sub_len;
		}
	}
	return 0;
}

static int scap_read_mi(struct rt_scap *r, struct rt_state *s, char *err, size_t errlen)
{
	/* u32 num_cpus | u64 memory bytes | u64 max pid | char hostname[128] | ... */
	if (r->blen < 20 + 128)
		return scap_fail(r, err, errlen, r->boff + 8,
		                 "machine info block too short (%u bytes)", r->blen);
	char host[129];
	memcpy(host, r->blk + 20, 128);
	host[128] = '\0';
	if (s)
		rt_state_set_hostname(s, host);
	return 0;
}

int rt_scap_load_state(struct rt_scap *r, struct rt_state *s, char *err, size_t errlen)
{
	if (r->failed) {
		snprintf(err, errlen, "%s", r->failmsg);
		return -1;
	}
	if (r->state_loaded || r->started) {
		snprintf(err, errlen, "the capture's state was already read");
		return -1;
	}
	r->state_loaded = true;
	for (;;) {
		int rc = scap_read_block(r, err, errlen);
		if (rc <= 0)
			return rc;
		switch (r->btype) {
		case SCAP_MI:
		case SCAP_MI_INT:
			rc = scap_read_mi(r, s, err, errlen);
			break;
		case SCAP_PL_V1:
		case SCAP_PL_V1_INT:
		case SCAP_PL_V2:
		case SCAP_PL_V2_INT:
		case SCAP_PL_V3:
		case SCAP_PL_V3_INT:
		case SCAP_PL_V4:
		case SCAP_PL_V5:
		case SCAP_PL_V6:
		case SCAP_PL_V7:
		case SCAP_PL_V8:
		case SCAP_PL_V9:
			rc = scap_read_pl(r, s, err, errlen);
			break;
		case SCAP_FDL:
		case SCAP_FDL_INT:
		case SCAP_FDL_V2:
			rc = scap_read_fdl(r, s, err, errlen);
			break;
		case SCAP_UL:
		case SCAP_UL_INT:
		case SCAP_UL_V2:
			rc = scap_read_ul(r, s, err, errlen);
			break;
		case SCAP_IL:
		case SCAP_IL_INT:
		case SCAP_IL_V2:
			break; /* interfaces: nothing in our state keeps them */
		default:
			if (scap_is_event_block(r->btype)) {
				r->pending = true;
				return 0;
			}
			r->st.skipped_blocks++;
			break;
		}
		if (rc < 0)
			return -1;
	}
}

/* --- events ---------------------------------------------------------------------------------- */

/* Index of the parameter called name in a space-separated list, or -1. */
static int scap_param_index(const char *list, const char *name)
{
	size_t n = strlen(name);
	int i = 0;
	for (const char *p = list; *p;) {
		const char *e = strchr(p, ' ');
		size_t k = e ? (size_t)(e - p) : strlen(p);
		if (k == n && memcmp(p, name, n) == 0)
			return i;
		i++;
		if (!e)
			break;
		p = e + 1;
	}
	return -1;
}

static unsigned scap_param_count(const char *list)
{
	if (!*list)
		return 0;
	unsigned n = 1;
	for (const char *p = list; *p; p++)
		n += *p == ' ';
	return n;
}

struct scap_params {
	unsigned n;
	const uint8_t *v[SCAP_MAX_EVT_PARAMS];
	uint32_t len[SCAP_MAX_EVT_PARAMS];
};

static uint32_t scap_len_at(const uint8_t *p, unsigned lsz)
{
	if (lsz == 2) {
		uint16_t x;
		memcpy(&x, p, 2);
		return x;
	}
	uint32_t x;
	memcpy(&x, p, 4);
	return x;
}

/* Splits the parameters of an event whose data (after the scap header) is d[0..n). */
static bool scap_split(struct scap_params *ps, const uint8_t *d, size_t n, unsigned np,
                       unsigned lsz)
{
	if (np > SCAP_MAX_EVT_PARAMS || (size_t)np * lsz > n)
		return false;
	size_t off = (size_t)np * lsz;
	for (unsigned i = 0; i < np; i++) {
		uint32_t l = scap_len_at(d + i * lsz, lsz);
		if (l > n - off)
			return false;
		ps->v[i] = d + off;
		ps->len[i] = l;
		off += l;
	}
	ps->n = np;
	return true;
}

/* Old (v1) event blocks do not record the number of parameters: it is the count whose
 * lengths add up to the event's length, trying the table's count first and then fewer. */
static bool scap_guess_nparams(const uint8_t *d, size_t n, unsigned max, unsigned lsz,
                               unsigned *out)
{
	for (int np = (int)max; np >= 0; np--) {
		if ((size_t)np * lsz > n)
			continue;
		size_t sum = (size_t)np * lsz;
		for (int i = 0; i < np; i++)
			sum += scap_len_at(d + i * lsz, lsz);
		if (sum == n) {
			*out = (unsigned)np;
			return true;
		}
	}
	return false;
}

static int64_t scap_s64(const struct scap_params *ps, int i)
{
	if (i < 0 || (unsigned)i >= ps->n)
		return 0;
	switch (ps->len[i]) {
	case 1:
		return (int8_t)ps->v[i][0];
	case 2: {
		int16_t x;
		memcpy(&x, ps->v[i], 2);
		return x;
	}
	case 4: {
		int32_t x;
		memcpy(&x, ps->v[i], 4);
		return x;
	}
	case 8: {
		int64_t x;
		memcpy(&x, ps->v[i], 8);
		return x;
	}
	default:
		return 0;
	}
}

static void scap_add(struct rt_event_builder *b, const uint8_t *p, uint32_t len)
{
	rt_event_builder_add(b, p, (uint16_t)(len > 65535 ? 65535 : len));
}

/* Builds our record for a scap event e (code) with parameters ps. */
/* The parameter called name of a saved entry event. */
static bool scap_entry_param(const struct scap_entry *ent, const char *name, const uint8_t **p,
			     uint32_t *len)
{
	int j = scap_param_index(ent->params, name);
	if (j < 0 || (unsigned)j >= ent->n || ent->len[j] == 0)
		return false;
	size_t off = 0;
	for (int i = 0; i < j; i++)
		off += ent->len[i];
	*p = ent->data + off;
	*len = ent->len[j];
	return true;
}

static const struct fk_event_hdr *scap_convert(struct rt_scap *r, unsigned code,
                                               const struct scap_params *ps, uint64_t ts,
                                               int64_t tid)
{
	const struct scap_evt *e = &scap_events[code];
	struct rt_event_builder *b = &r->b;
	int64_t tgid = tidmap_get(&r->pids, tid);
	int64_t res = 0;
	int fk = r->target[code];

	if (e->kind == SK_GENERIC) {
		uint16_t id = 0;
		if (ps->n >= 1 && ps->len[0] == 2)
			memcpy(&id, ps->v[0], 2);
		rt_event_builder_begin(b, e->enter ? FK_EVENT_GENERIC_E : FK_EVENT_GENERIC, ts,
		                       (uint32_t)tid, (uint32_t)tgid, 0);
		rt_event_builder_add_str(b, id < SCAP_NSC ? scap_sc_names[id] : "<unknown>");
		if (ps->n >= 2)
			scap_add(b, ps->v[1], ps->len[1]);
		else
			rt_event_builder_add_empty(b);
		return rt_event_builder_finish(b);
	}

	/* The result of an exit is its first parameter (res, fd, or the uid of getuid ...). */
	if (!e->enter && ps->n >= 1)
		res = scap_s64(ps, 0);
	if (fk < 0) {
		rt_event_builder_begin(b, e->enter ? FK_EVENT_GENERIC_E : FK_EVENT_GENERIC, ts,
		                       (uint32_t)tid, (uint32_t)tgid, res);
		rt_event_builder_add_str(b, e->name);
		rt_event_builder_add_empty(b);
		return rt_event_builder_finish(b);
	}

	const struct rt_event_info *info = rt_event_info((unsigned)fk);
	struct scap_entry *ent = &r->entries[(uint64_t)tid % SCAP_NENTRIES];
	if (e->enter || ent->tid != tid || !ent->name || strcmp(ent->name, e->name) != 0)
		ent = NULL;
	if (e->kind == SK_PROCEXIT)
		res = scap_s64(ps, scap_param_index(e->params, "status"));
	rt_event_builder_begin(b, (unsigned)fk, ts, (uint32_t)tid, (uint32_t)tgid, res);
	for (unsigned i = 0; i < info->nparams; i++) {
		const char *pn = info->params[i].name;
		int j = scap_param_index(e->params, pn);
		if (j < 0 && strcmp(pn, "exepath") == 0)
			j = scap_param_index(e->params, "trusted_exepath");
		const uint8_t *ev_p;
		uint32_t ev_len;
		if (j >= 0 && (unsigned)j < ps->n) {
			scap_add(b, ps->v[j], ps->len[j]);
		} else if (ent && scap_entry_param(ent, pn, &ev_p, &ev_len)) {
			/* old captures: a parameter of the entry (execve's filename, the fd) */
			scap_add(b, ev_p, ev_len);
		} else {
			rt_event_builder_add_empty(b);
		}
	}
	return rt_event_builder_finish(b);
}

/* Remembers what later events need: the pid of new threads and processes, the path of an
 * execve entry for its exit. */
static void scap_track(struct rt_scap *r, unsigned code, const struct scap_params *ps, int64_t tid)
{
	const struct scap_evt *e = &scap_events[code];
	int fk = r->target[code];
	struct scap_entry *ent = &r->entries[(uint64_t)tid % SCAP_NENTRIES];
	if (e->enter) {
		size_t total = 0;
		for (unsigned i = 0; i < ps->n; i++)
			total += ps->len[i];
		uint8_t *data = malloc(total ? total : 1);
		if (!data)
			return;
		size_t off = 0;
		for (unsigned i = 0; i < ps->n; i++) {
			memcpy(data + off, ps->v[i], ps->len[i]);
			ent->len[i] = ps->len[i];
			off += ps->len[i];
		}
		free(ent->data);
		ent->data = data;
		ent->n = ps->n;
		ent->tid = tid;
		ent->name = e->name;
		ent->params = e->params;
		return;
	}
	if (ent->tid == tid)
		ent->name = NULL; /* an exit ends its entry */
	bool proc = fk == FK_EVENT_EXECVE || fk == FK_EVENT_CLONE || fk == FK_EVENT_FORK ||
	            fk == FK_EVENT_VFORK || fk == FK_EVENT_CLONE3 || fk == FK_EVENT_EXECVEAT;
	if (!proc || e->enter || scap_s64(ps, 0) != 0)
		return;
	int jt = scap_param_index(e->params, "tid"), jp = scap_param_index(e->params, "pid");
	if (jt >= 0 && jp >= 0 && (unsigned)jt < ps->n && (unsigned)jp < ps->n)
		tidmap_put(&r->pids, scap_s64(ps, jt), scap_s64(ps, jp));
}

/* Converts the event block in r->blk. 1: *rec set, 0: skipped, -1: corrupt. */
static int scap_event(struct rt_scap *r, const struct fk_event_hdr **rec, char *err, size_t errlen)
{
	uint32_t t = r->btype;
	bool v2 =
	    t == SCAP_EV_V2 || t == SCAP_EV_V2_LARGE || t == SCAP_EVF_V2 || t == SCAP_EVF_V2_LARGE;
	bool flags = t == SCAP_EVF || t == SCAP_EVF_V2 || t == SCAP_EVF_V2_LARGE;
	size_t pre = 2 + (flags ? 4 : 0); /* cpu id, then the flags of EVF blocks */
	size_t hlen = v2 ? 26 : 22;       /* ts, tid, len, type [, nparams] */
	struct scap_cur c = {r->blk, r->blen, 0, r->boff + 8, false, 0};
	r->evnum++;
	r->st.events++;
	cur_bytes(&c, pre);
	uint64_t ts = cur_uint(&c, 8);
	int64_t tid = (int64_t)cur_uint(&c, 8);
	uint32_t len = (uint32_t)cur_uint(&c, 4);
	uint16_t code = (uint16_t)cur_uint(&c, 2);
	uint32_t np = v2 ? (uint32_t)cur_uint(&c, 4) : 0;
	if (c.bad)
		return scap_fail(r, err, errlen, c.bad_off, "event %llu: header truncated",
		                 (unsigned long long)r->evnum);
	if (len < hlen || len > r->blen - pre)
		return scap_fail(r, err, errlen, c.base + pre + 16,
		                 "event %llu: length %u outside its %u-byte block",
		                 (unsigned long long)r->evnum, len, r->blen);
	const struct scap_evt *e = code < SCAP_NCODES ? &scap_events[code] : NULL;
	if (!e || e->kind == SK_NONE) {
		r->st.skipped_unknown++;
		return 0;
	}
	if (e->kind == SK_INTERNAL) {
		r->st.skipped_internal++;
		return 0;
	}
	const uint8_t *d = r->blk + pre + hlen;
	size_t n = len - hlen;
	unsigned lsz = e->large ? 4 : 2;
	struct scap_params ps;
	if (!v2) {
		unsigned max = scap_param_count(e->params);
		if (!scap_guess_nparams(d, n, max ? max : 20, lsz, &np))
			return scap_fail(r, err, errlen, c.base + pre + hlen,
			                 "event %llu (%s): parameter lengths do not add up to the "
			                 "event's length %u",
			                 (unsigned long long)r->evnum, e->name, len);
	}
	if (!scap_split(&ps, d, n, np, lsz))
		return scap_fail(r, err, errlen, c.base + pre + hlen,
		                 "event %llu (%s): %u parameters do not fit in its %u bytes",
		                 (unsigned long long)r->evnum, e->name, np, len);
	*rec = scap_convert(r, code, &ps, ts, tid);
	scap_track(r, code, &ps, tid);
	r->lastnum = r->evnum;
	r->st.converted++;
	return 1;
}

int rt_scap_next(struct rt_scap *r, const struct fk_event_hdr **rec, char *err, size_t errlen)
{
	if (r->failed) {
		snprintf(err, errlen, "%s", r->failmsg);
		return -1;
	}
	r->started = true;
	for (;;) {
		int rc = scap_read_block(r, err, errlen);
		if (rc <= 0)
			return rc;
		if (!scap_is_event_block(r->btype)) {
			r->st.skipped_blocks++;
			continue;
		}
		rc = scap_event(r, rec, err, errlen);
		if (rc != 0)
			return rc;
	}
}
