#include "subprocess.hpp"

#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fsutil.hpp"
#include "facade_error.hpp"

extern char** environ;

namespace x07::facade {

namespace {

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Captured run_captured(const std::filesystem::path& program, const std::vector<std::string>& args,
                      const std::filesystem::path& cwd, bool inherit_stderr) {
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw Failure("pipe: " + fsutil::os_error_text(errno));
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    throw Failure("pipe: " + fsutil::os_error_text(errno));
  }
  Fd out_r{out_pipe[0]}, out_w{out_pipe[1]}, err_r{err_pipe[0]}, err_w{err_pipe[1]};

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  // text mode: our stdout as the runner's fd 3 (before fd 1 is replaced), where the
  // program's own stdout writes go live
  if (inherit_stderr) posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, 3);
  posix_spawn_file_actions_adddup2(&fa, out_w.fd, STDOUT_FILENO);
  if (!inherit_stderr) posix_spawn_file_actions_adddup2(&fa, err_w.fd, STDERR_FILENO);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());

  std::string prog = program.string();
  std::vector<char*> argv;
  argv.push_back(prog.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = 0;
  int rc = program.has_parent_path() ? posix_spawn(&pid, prog.c_str(), &fa, nullptr, argv.data(), environ)
                                     : posix_spawnp(&pid, prog.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw Failure("exec " + prog + ": " + fsutil::os_error_text(rc));
  ::close(out_w.fd);
  out_w.fd = -1;
  ::close(err_w.fd);
  err_w.fd = -1;

  Captured c;
  pollfd fds[2] = {{out_r.fd, POLLIN, 0}, {err_r.fd, POLLIN, 0}};
  std::string* sinks[2] = {&c.out, &c.err};
  int open_count = 2;
  if (inherit_stderr) {  // nothing will arrive on the stderr pipe: stop watching it
    ::close(err_r.fd);
    err_r.fd = -1;
    fds[1].fd = -1;
    open_count = 1;
  }
  char buf[65536];
  while (open_count > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open_count;
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) {
    c.exit_code = WEXITSTATUS(status);
  } else {
    c.exit_code = -1;
    c.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }
  return c;
}

}  // namespace x07::facade
