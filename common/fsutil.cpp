#include "common/fsutil.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace x07::fsutil {

namespace fs = std::filesystem;

std::string os_error_text(int err) {
  return std::string(std::strerror(err)) + " (os error " + std::to_string(err) + ")";
}

namespace {

bool fail(std::string* err, int e) {
  if (err) *err = os_error_text(e);
  return false;
}

bool write_all_fd(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

fs::path parent_or_dot(const fs::path& p) {
  fs::path parent = p.parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

}  // namespace

bool read_file(const fs::path& path, std::string& out, std::string* err) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(err, errno);
  out.clear();
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return fail(err, EISDIR);
  }
  if (st.st_size > 0) out.reserve(static_cast<size_t>(st.st_size));
  char buf[65536];
  for (;;) {
    ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      return fail(err, e);
    }
    if (r == 0) break;
    out.append(buf, static_cast<size_t>(r));
  }
  ::close(fd);
  return true;
}

std::string unique_name(std::string_view prefix) {
  static std::atomic<unsigned long> counter{0};
  return std::string(prefix) + std::to_string(::getpid()) + "_" + std::to_string(counter++);
}

bool write_file_atomic(const fs::path& path, std::string_view data, std::string* err, unsigned mode) {
  fs::path tmp = parent_or_dot(path) / unique_name(".x07_tmp_");
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return fail(err, errno);
  if (!write_all_fd(fd, data.data(), data.size())) {
    int e = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return fail(err, e);
  }
  ::fchmod(fd, mode);  // not subject to the umask, so the mode is exactly what was asked
  if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return fail(err, e);
  }
  return true;
}

bool copy_file_atomic(const fs::path& src, const fs::path& dst, std::string* err) {
  struct stat st {};
  if (::stat(src.c_str(), &st) != 0) return fail(err, errno);
  std::string data;
  if (!read_file(src, data, err)) return false;
  if (!create_dirs(parent_or_dot(dst), err)) return false;
  return write_file_atomic(dst, data, err, st.st_mode & 07777);
}

bool create_dirs(const fs::path& dir, std::string* err) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    if (err) *err = os_error_text(ec.value());
    return false;
  }
  return true;
}

const std::filesystem::path& self_exe() {
  static const std::filesystem::path exe = [] {
    std::error_code ec;
    std::filesystem::path p = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::filesystem::path() : p;
  }();
  return exe;
}

}  // namespace x07::fsutil
