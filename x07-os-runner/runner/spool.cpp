#include "spool.hpp"

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>

#include "common/fsutil.hpp"
#include "runner_error.hpp"

namespace x07::runner {

namespace {

// An anonymous file in $TMPDIR (or /tmp): gone as soon as its last descriptor closes.
int anonymous_file() {
  const char* t = std::getenv("TMPDIR");
  std::string dir = (t && *t) ? t : "/tmp";
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  std::string tmpl = dir + "/x07-spool-XXXXXX";  // filesystems without O_TMPFILE
  fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd >= 0) ::unlink(tmpl.c_str());
  return fd;
}

void write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) throw RunnerError("spool program output: " + fsutil::os_error_text(w < 0 ? errno : EIO));
    p += w;
    n -= static_cast<size_t>(w);
  }
}

}  // namespace

void Spool::append(const char* data, size_t n) {
  if (n == 0) return;
  if (!file_.fd && mem_.size() + n > memory_limit_) {
    int fd = anonymous_file();
    if (fd < 0) throw RunnerError("spool program output: temporary file: " + fsutil::os_error_text(errno));
    file_.fd = std::shared_ptr<const int>(new int(fd), [](const int* p) {
      ::close(*p);
      delete p;
    });
    write_all(fd, mem_.data(), mem_.size());
    std::string().swap(mem_);
  }
  if (file_.fd) write_all(*file_.fd, data, n);
  else mem_.append(data, n);
  size_ += n;
}

std::string Spool::read(uint64_t off, size_t n) const {
  if (off >= size_) return "";
  n = static_cast<size_t>(std::min<uint64_t>(n, size_ - off));
  if (!file_.fd) return mem_.substr(off, n);
  std::string out(n, '\0');
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(*file_.fd, out.data() + got, n - got, static_cast<off_t>(off + got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  out.resize(got);
  return out;
}

}  // namespace x07::runner
