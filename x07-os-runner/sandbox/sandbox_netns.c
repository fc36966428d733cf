/* The empty network namespace of runs with networking off, shared (uid 0).
 *
 * Creating a network namespace costs ~0.4-0.8 ms per run (loopback device,
 * per-namespace sysctls; more under load), the biggest part of the sandbox's
 * start-up. With networking off the program only needs *a* network namespace
 * without interfaces, so as uid 0 the runs share one: /run/x07/netns-empty,
 * created once the way `ip netns add` does (a child unshares CLONE_NEWNET and
 * bind-mounts its /proc/self/ns/net there), and entered with setns() (~µs).
 * Sharing it gives programs no channel to each other: with networking off
 * seccomp refuses every socket (unix ones included), its loopback stays down
 * (nobody in it has CAP_NET_ADMIN), and Landlock keeps /proc/sys out of reach.
 * Only a root-owned, not group/other-writable /run/x07 is trusted; anything
 * unexpected (no /run, not an nsfs file, another namespace type) falls back to
 * a new namespace per run. Not used in a user namespace (the namespace must be
 * owned by the run's own user namespace to be entered).
 */
#include "sandbox_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define NETNS_DIR "/run/x07"
#define NETNS_FILE NETNS_DIR "/netns-empty"
#define X07_NSFS_MAGIC 0x6e736673
#define X07_NS_GET_NSTYPE 0xb703 /* _IO(0xb7, 0x3) */

static int open_checked(void) {
  int fd = open(NETNS_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return -1;
  struct statfs sfs;
  if (fstatfs(fd, &sfs) != 0 || (unsigned long)sfs.f_type != X07_NSFS_MAGIC ||
      ioctl(fd, X07_NS_GET_NSTYPE) != CLONE_NEWNET) {
    close(fd);
    return -1;
  }
  return fd;
}

static int make_namespace_child(void *arg) {
  (void)arg;
  if (unshare(CLONE_NEWNET) != 0) return 1;
  return mount("/proc/self/ns/net", NETNS_FILE, NULL, MS_BIND, NULL) == 0 ? 0 : 2;
}

int x07_sb_shared_netns(void) {
  if (geteuid() != 0) return -1;
  int fd = open_checked();
  if (fd >= 0) return fd;
  if (mkdir(NETNS_DIR, 0700) != 0 && errno != EEXIST) return -1;
  struct stat st;
  if (lstat(NETNS_DIR, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022)) return -1;
  int lock = open(NETNS_DIR "/netns.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (lock < 0) return -1;
  if (flock(lock, LOCK_EX) == 0) {
    fd = open_checked(); /* another runner may have made it meanwhile */
    if (fd < 0) {
      int f = open(NETNS_FILE, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0400);
      if (f >= 0) close(f);
      static char stack[16384] __attribute__((aligned(16)));
      pid_t pid = clone(make_namespace_child, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
      int status = 0;
      if (pid > 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
      fd = open_checked();
    }
  }
  close(lock);
  return fd;
}
