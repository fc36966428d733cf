/* Stage-2 seccomp filter, installed by the x07 runtime at startup.
 *
 * Stage 1 must allow execve because the runner execs the artifact after
 * installing it. Once the program runs, exec is no longer needed unless the
 * policy allows spawning; this filter closes that door (including exec of
 * the dynamic loader or of a memfd through /proc/self/fd). Hand-written BPF
 * so programs need no libseccomp. Self-contained (checks the arch itself). */
#include "sandbox_internal.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define X07_AUDIT_ARCH AUDIT_ARCH_X86_64
#define X07_X32_BIT 0x40000000U
#elif defined(__aarch64__)
#define X07_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

/* offsets in struct seccomp_data */
#define SD_NR 0
#define SD_ARCH 4
#define SD_ARG0_LO 16 /* little-endian low word of args[0] */

int x07_sb_install_bpf(const void *insns, unsigned short len, unsigned int flags) {
  struct {
    unsigned short len;
    const void *filter;
  } prog = {len, insns}; /* layout of struct sock_fprog */
  if (syscall(SYS_seccomp, X07_SECCOMP_SET_MODE_FILTER, flags, &prog) != 0) return -errno;
  return 0;
}

static int env_is_one(const char *name) {
  const char *v = getenv(name);
  return v && v[0] == '1';
}

int x07_sandbox_runtime_lockdown(void) {
  if (!env_is_one("X07_OS_SANDBOXED")) return 0;
  if (env_is_one("X07_OS_PROC") && env_is_one("X07_OS_PROC_ALLOW_SPAWN")) return 0;
#ifndef X07_AUDIT_ARCH
  return -ENOSYS;
#else
#define DENY(err) BPF_STMT(BPF_RET | BPF_K, X07_SECCOMP_RET_ERRNO | (err))
  struct sock_filter prog[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SD_ARCH),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, X07_AUDIT_ARCH, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, X07_SECCOMP_RET_KILL_PROCESS),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SD_NR),
#ifdef X07_X32_BIT
      BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X07_X32_BIT, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, X07_SECCOMP_RET_KILL_PROCESS),
#endif
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_execve, 0, 1),
      DENY(EACCES),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_execveat, 0, 1),
      DENY(EACCES),
#ifdef __NR_fork
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_fork, 0, 1),
      DENY(EPERM),
#endif
#ifdef __NR_vfork
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_vfork, 0, 1),
      DENY(EPERM),
#endif
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1),
      DENY(ENOSYS),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SD_ARG0_LO),
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x00010000 /* CLONE_THREAD */, 1, 0),
      DENY(EPERM),
      BPF_STMT(BPF_RET | BPF_K, X07_SECCOMP_RET_ALLOW),
  };
#undef DENY
  /* no_new_privs is already set by stage 1; setting it again is harmless and
   * makes this work on its own (weaker-isolation runs without stage 1). */
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -errno;
  return x07_sb_install_bpf(prog, (unsigned short)(sizeof prog / sizeof prog[0]), 1 /* TSYNC */);
#endif
}
