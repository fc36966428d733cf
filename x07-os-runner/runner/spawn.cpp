#include "spawn.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <memory>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fsutil.hpp"
#include "live_stderr.hpp"
#include "runner_error.hpp"
#include "sandbox/x07_sandbox.h"

extern char** environ;

namespace x07::runner {

namespace {

using Clock = std::chrono::steady_clock;

// What the child reports through the exec-status pipe when setup fails.
struct ChildFailure {
  int stage;  // 0 = exec/setup, otherwise 100 + sandbox step
  int err;
};

[[noreturn]] void child_fail(int fd, int stage, int err) {
  ChildFailure f{stage, err};
  ssize_t ignored = write(fd, &f, sizeof f);
  (void)ignored;
  _exit(127);
}

// Runs in the vfork'ed child (shares our memory until exec): only async-signal-safe
// calls, no allocation, never returns.
[[noreturn]] void child_main(const SpawnRequest& req, int in_fd, int out_fd, int err_fd, int status_fd,
                             int frame_fd, char* const* argv, char* const* envp) {
  setpgid(0, 0);  // own process group, so the runner can kill the whole tree
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // a runner killed outright takes the program with it
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGPIPE, SIG_DFL);
  if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) child_fail(status_fd, 0, errno);
  if (frame_fd >= 0) {  // the frame channel on fd 3 (dup2 onto itself would keep CLOEXEC)
    if (frame_fd == 3 ? fcntl(3, F_SETFD, 0) < 0 : dup2(frame_fd, 3) < 0) child_fail(status_fd, 0, errno);
  }
  if (req.cwd && chdir(req.cwd->c_str()) != 0) child_fail(status_fd, 0, errno);
  for (const auto& r : req.rlimits) {
    rlimit lim{static_cast<rlim_t>(r.value), static_cast<rlim_t>(r.value)};
    if (setrlimit(r.resource, &lim) != 0) child_fail(status_fd, 0, errno);
  }
  // Kernel sandbox (run-os-sandboxed, backend os): Landlock + seccomp + policy rlimits.
  if (req.sandbox) {
    int step = 0;
    int e = x07_sandbox_apply(req.sandbox, &step);
    if (e != 0) child_fail(status_fd, 100 + step, -e);
    // the sandbox marks every fd above 2 close-on-exec; the frame channel must survive
    if (frame_fd >= 0 && fcntl(3, F_SETFD, 0) < 0) child_fail(status_fd, 0, errno);
  }
  execve(argv[0], argv, envp);
  child_fail(status_fd, 0, errno);
}

struct ChildArgs {
  const SpawnRequest* req;
  int in_fd, out_fd, err_fd, status_fd, frame_fd;
  char* const* argv;
  char* const* envp;
};

int child_trampoline(void* p) {
  const auto* a = static_cast<const ChildArgs*>(p);
  child_main(*a->req, a->in_fd, a->out_fd, a->err_fd, a->status_fd, a->frame_fd, a->argv, a->envp);
}

// vfork() into new namespaces (the kernel sandbox's pid/ipc/uts/mount/net layer):
// clone with CLONE_VM|CLONE_VFORK on a stack of its own, so we resume after exec.
// The stack is a fresh mapping the kernel fills on first touch: the child uses a
// few pages of it (zero-filling a 256 KiB vector cost ~0.15 ms per run).
class ChildStack {
 public:
  static constexpr size_t kSize = 256 * 1024;
  ChildStack() : base_(map()) {}
  ~ChildStack() {
    if (base_) munmap(base_, kSize);
  }
  ChildStack(const ChildStack&) = delete;
  ChildStack& operator=(const ChildStack&) = delete;
  char* top() const { return base_ ? base_ + kSize : nullptr; }

 private:
  // out of line: spawn_program calls vfork(), and locals inlined into it draw -Wclobbered
  [[gnu::noinline]] static char* map() {
    void* p = mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? nullptr : static_cast<char*>(p);
  }
  char* base_;
};

pid_t clone_into_namespaces(unsigned long ns_flags, ChildArgs& args, const ChildStack& stack) {
  if (!stack.top()) return -1;  // errno from mmap
  return clone(child_trampoline, stack.top(), CLONE_VM | CLONE_VFORK | SIGCHLD | ns_flags, &args);
}

int pidfd_open_compat(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  errno = ENOSYS;
  return -1;
#endif
}

// The program runs in its own process group, so terminal signals aimed at the
// runner do not reach it: forward a fatal signal as SIGKILL to the group first.
volatile sig_atomic_t g_program_group = 0;

extern "C" void forward_fatal_signal(int sig) {
  if (g_program_group > 0) kill(-g_program_group, SIGKILL);
  signal(sig, SIG_DFL);
  raise(sig);
}

struct FatalSignalGuard {
  static constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
  struct sigaction old[4];
  explicit FatalSignalGuard(pid_t group) {
    g_program_group = group;
    struct sigaction sa {};
    sa.sa_handler = forward_fatal_signal;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 4; ++i) sigaction(kSignals[i], &sa, &old[i]);
  }
  ~FatalSignalGuard() {
    for (int i = 0; i < 4; ++i) sigaction(kSignals[i], &old[i], nullptr);
    g_program_group = 0;
  }
};

// Blocking write of everything (a closed reader just ends the forwarding).
void write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

// Like drain, for the program's own stdout under --stream-output: every byte goes on to
// `to` (when >= 0); the first `cap` bytes are kept for the report.
bool forward_live(int fd, int to, std::string& kept, size_t cap) {
  char tmp[65536];
  for (;;) {
    ssize_t n = read(fd, tmp, sizeof tmp);
    if (n > 0) {
      if (to >= 0) write_all(to, std::string_view(tmp, static_cast<size_t>(n)));
      size_t room = cap > kept.size() ? cap - kept.size() : 0;
      kept.append(tmp, std::min(room, static_cast<size_t>(n)));
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
}

void set_nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

void append_to(std::string& buf, const char* p, size_t n) { buf.append(p, n); }
void append_to(Spool& buf, const char* p, size_t n) { buf.append(p, n); }

// Reads what is available; keeps at most `cap` bytes and drops the rest.
// Returns false at EOF or on a hard error.
template <class Sink>
bool drain(int fd, Sink& buf, size_t cap, bool& truncated) {
  char tmp[65536];
  for (;;) {
    ssize_t n = read(fd, tmp, sizeof tmp);
    if (n > 0) {
      size_t room = cap > buf.size() ? cap - static_cast<size_t>(buf.size()) : 0;
      size_t keep = std::min(room, static_cast<size_t>(n));
      append_to(buf, tmp, keep);
      if (keep < static_cast<size_t>(n)) truncated = true;
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
}

// The stdin pipe is made big enough for inputs up to this size, so all of a small input
// is in it before the program starts; the stdout pipe gets as much room. Pipe buffers
// count towards the user's fs.pipe-user-pages-soft (64 MiB by default): 2 x 256 KiB per
// run keeps well below it even for dozens of concurrent runs.
constexpr uint64_t kStdinPipeMax = 256 * 1024;
constexpr int kStdoutPipeBytes = 256 * 1024;

// Best effort: grows the empty pipe `fd` to hold `bytes` plus what is left of `file`.
void size_stdin_pipe(int fd, size_t bytes, int file) {
  uint64_t total = bytes;
  struct stat st {};
  if (file >= 0) {
    off_t at = lseek(file, 0, SEEK_CUR);
    if (fstat(file, &st) != 0 || at < 0 || at > st.st_size) return;
    total += static_cast<uint64_t>(st.st_size - at);
  }
  if (total <= 65536 || total > kStdinPipeMax) return;  // a pipe holds 64 KiB unless told otherwise
  int want = 65536;
  while (static_cast<uint64_t>(want) < total) want *= 2;
  fcntl(fd, F_SETPIPE_SZ, want);
}

}  // namespace

std::vector<std::string> build_env(const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    std::string_view key = kv.substr(0, kv.find('='));
    bool replaced = false;
    for (const auto& [k, v] : overrides) replaced = replaced || key == k;
    if (!replaced) env.emplace_back(kv);
  }
  for (const auto& [k, v] : overrides) env.push_back(k + "=" + v);
  return env;
}

SpawnOutcome spawn_program(const SpawnRequest& req) {
  auto spawn_error = [&](int e) { return RunnerError("spawn artifact: " + req.exe + ": " + fsutil::os_error_text(e)); };
  int in_p[2], out_p[2], err_p[2], st_p[2], fr_p[2] = {-1, -1};
  if (pipe2(in_p, O_CLOEXEC) || pipe2(out_p, O_CLOEXEC) || pipe2(err_p, O_CLOEXEC) || pipe2(st_p, O_CLOEXEC) ||
      (req.frame_on_fd3 && pipe2(fr_p, O_CLOEXEC)))
    throw spawn_error(errno);

  // stdin: req.stdin_bytes, then req.stdin_file to its end, one chunk in memory at a time.
  std::string file_chunk;
  std::string_view pending = req.stdin_bytes;
  bool file_left = req.stdin_file >= 0;
  auto refill = [&]() {
    while (pending.empty() && file_left) {
      file_chunk.resize(65536);
      ssize_t r = read(req.stdin_file, file_chunk.data(), file_chunk.size());
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        file_left = false;
        break;
      }
      file_chunk.resize(static_cast<size_t>(r));
      pending = file_chunk;
    }
  };
  // All of a small input goes into its pipe before the program starts (the pipe is grown
  // for it), so the program never waits for the runner to be scheduled again to get it:
  // with namespaces it used to reach its first read before the runner's first write
  // under load. A small output likewise fits in its pipe without the runner draining it
  // first. Best effort: a pipe that stays small only means waiting.
  set_nonblock(in_p[1]);
  size_stdin_pipe(in_p[1], req.stdin_bytes.size(), req.stdin_file);
  fcntl(out_p[1], F_SETPIPE_SZ, kStdoutPipeBytes);
  while (!pending.empty()) {  // the frame header (or all of an input read into memory)
    ssize_t w = write(in_p[1], pending.data(), pending.size());
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    pending.remove_prefix(static_cast<size_t>(w));
  }
  // an input file moves into the pipe by page reference, not through our memory
  while (pending.empty() && file_left) {
    ssize_t n = splice(req.stdin_file, nullptr, in_p[1], nullptr, 1 << 20, SPLICE_F_NONBLOCK);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) file_left = false;
    if (n <= 0) break;  // full, or splice unsupported for this file: the loop below reads and writes
  }

  // Everything the child needs is prepared before fork (no allocation after it).
  std::vector<char*> argv{const_cast<char*>(req.exe.c_str()), nullptr};
  std::vector<char*> envp;
  for (const auto& e : req.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  // The network supervisor must run while the child hands it the seccomp listener.
  char sup_err[256] = {0};
  std::unique_ptr<x07_sandbox_netsup, void (*)(x07_sandbox_netsup*)> netsup(
      x07_sandbox_netsup_start(req.sandbox, sup_err, sizeof sup_err), x07_sandbox_netsup_stop);
  if (sup_err[0]) throw RunnerError(std::string("spawn artifact: ") + req.exe + ": " + sup_err);

  // A fatal signal that arrives between fork and the guard below would kill the runner
  // but not the program's group: hold those signals until the guard is in place (the
  // child clears its signal mask before exec).
  sigset_t fatal, saved_mask;
  sigemptyset(&fatal);
  for (int sig : FatalSignalGuard::kSignals) sigaddset(&fatal, sig);
  sigprocmask(SIG_BLOCK, &fatal, &saved_mask);

  // vfork: no page-table copy (the child only makes syscalls, then execs or _exits),
  // which keeps the warm path cheap.
  const unsigned long ns_flags = req.sandbox ? x07_sandbox_clone_flags(req.sandbox) : 0;
  ChildArgs child_args{&req, in_p[0], out_p[1], err_p[1], st_p[1], fr_p[1], argv.data(), envp.data()};
  std::optional<ChildStack> child_stack;
  if (ns_flags) child_stack.emplace();
  pid_t pid = ns_flags ? clone_into_namespaces(ns_flags, child_args, *child_stack) : vfork();
  if (pid < 0) {
    int e = errno;
    sigprocmask(SIG_SETMASK, &saved_mask, nullptr);
    throw spawn_error(e);
  }
  if (pid == 0) child_main(req, in_p[0], out_p[1], err_p[1], st_p[1], fr_p[1], argv.data(), envp.data());
  setpgid(pid, pid);  // also from the parent, so the group exists before we might kill it
  FatalSignalGuard forward(pid);
  sigprocmask(SIG_SETMASK, &saved_mask, nullptr);  // a pending fatal signal now kills the group first
  const auto start = Clock::now();
  close(in_p[0]);
  close(out_p[1]);
  close(err_p[1]);
  close(st_p[1]);
  if (fr_p[1] >= 0) close(fr_p[1]);

  // exec closes the status pipe (CLOEXEC); data on it means setup failed.
  ChildFailure failure{};
  ssize_t got;
  while ((got = read(st_p[0], &failure, sizeof failure)) < 0 && errno == EINTR) {
  }
  close(st_p[0]);
  if (got == static_cast<ssize_t>(sizeof failure)) {
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    close(in_p[1]);
    close(out_p[0]);
    close(err_p[0]);
    if (fr_p[0] >= 0) close(fr_p[0]);
    if (failure.stage >= 100) {
      throw RunnerError("spawn artifact: " + req.exe + ": kernel sandbox step " +
                        x07_sandbox_step_name(failure.stage - 100) + " failed: " +
                        fsutil::os_error_text(failure.err));
    }
    throw spawn_error(failure.err);
  }

  SpawnOutcome res;
  std::optional<LiveStderr> live;
  if (req.live_stderr) live.emplace(STDERR_FILENO);
  int in_fd = in_p[1], out_fd = out_p[0], err_fd = err_p[0], frame_fd = fr_p[0];
  if (frame_fd >= 0) set_nonblock(frame_fd);
  set_nonblock(out_fd);
  set_nonblock(err_fd);
  refill();
  if (pending.empty()) {
    close(in_fd);
    in_fd = -1;
  }
  int pid_fd = pidfd_open_compat(pid);
  bool reaped = false;
  int status = 0;
  const auto deadline = start + std::chrono::milliseconds(std::max<uint64_t>(req.wall_ms, 1));
  std::optional<Clock::time_point> drain_deadline;  // bounded drain after the program is gone

  auto reap = [&](int flags) {
    pid_t r;
    while ((r = waitpid(pid, &status, flags)) < 0 && errno == EINTR) {
    }
    if (r == pid) {
      reaped = true;
      // Stragglers left in the program's group would hold our pipes open: end them.
      kill(-pid, SIGKILL);
      drain_deadline = Clock::now() + std::chrono::milliseconds(500);
      if (in_fd >= 0) {
        close(in_fd);
        in_fd = -1;
      }
    }
  };

  while (!reaped || out_fd >= 0 || err_fd >= 0 || frame_fd >= 0) {
    auto now = Clock::now();
    if (!reaped && now >= deadline) {
      res.timed_out = true;
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      reap(0);
      continue;
    }
    if (reaped && drain_deadline && now >= *drain_deadline) break;
    pollfd fds[5];
    int n = 0;
    int idx_in = -1, idx_out = -1, idx_err = -1, idx_pid = -1, idx_frame = -1;
    if (frame_fd >= 0) idx_frame = n, fds[n++] = {frame_fd, POLLIN, 0};
    if (in_fd >= 0) idx_in = n, fds[n++] = {in_fd, POLLOUT, 0};
    if (out_fd >= 0) idx_out = n, fds[n++] = {out_fd, POLLIN, 0};
    if (err_fd >= 0) idx_err = n, fds[n++] = {err_fd, POLLIN, 0};
    if (!reaped && pid_fd >= 0) idx_pid = n, fds[n++] = {pid_fd, POLLIN, 0};
    auto until = reaped ? *drain_deadline : deadline;
    long long wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count() + 1;
    if (!reaped && pid_fd < 0) wait_ms = std::min<long long>(wait_ms, 5);  // no pidfd: poll for exit
    int pr = poll(fds, n, static_cast<int>(std::min<long long>(wait_ms, 1 << 30)));
    if (pr < 0 && errno != EINTR) break;
    if (pr > 0) {
      if (idx_in >= 0 && (fds[idx_in].revents & (POLLOUT | POLLERR | POLLHUP))) {
        ssize_t w = write(in_fd, pending.data(), pending.size());
        if (w > 0) pending.remove_prefix(static_cast<size_t>(w));
        refill();
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || pending.empty()) {
          close(in_fd);  // write errors (EPIPE) are ignored: the program chose not to read
          in_fd = -1;
        }
      }
      if (idx_frame >= 0 && fds[idx_frame].revents && !drain(frame_fd, res.out, req.stdout_cap, res.out_truncated)) {
        close(frame_fd);
        frame_fd = -1;
      }
      if (idx_out >= 0 && fds[idx_out].revents) {
        bool open = req.frame_on_fd3 ? forward_live(out_fd, req.live_stdout_fd, res.live_out, req.stdout_cap)
                                     : drain(out_fd, res.out, req.stdout_cap, res.out_truncated);
        if (!open) {
          close(out_fd);
          out_fd = -1;
        }
      }
      if (idx_err >= 0 && fds[idx_err].revents) {
        const size_t before = res.err.size();
        bool open = drain(err_fd, res.err, req.stderr_cap, res.err_truncated);
        if (live) live->feed(std::string_view(res.err).substr(before));
        if (!open) {
          close(err_fd);
          err_fd = -1;
        }
      }
    }
    if (!reaped && (pid_fd < 0 || (idx_pid >= 0 && pr > 0 && fds[idx_pid].revents))) reap(WNOHANG);
  }
  if (!reaped) reap(0);
  if (live) live->finish();
  for (int fd : {in_fd, out_fd, err_fd, pid_fd, frame_fd}) {
    if (fd >= 0) close(fd);
  }
  if (WIFEXITED(status)) {
    res.exited = true;
    res.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    res.signaled = true;
    res.signal = WTERMSIG(status);
  }
  return res;
}

}  // namespace x07::runner
