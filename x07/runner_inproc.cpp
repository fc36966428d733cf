#include "runner_inproc.hpp"

#include <cstring>
#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include "runner/runner_main.hpp"

extern const char x07_runner_build_id[];  // generated (cmake/RunnerBuildId.cmake)

namespace x07::facade {

namespace {

bool read_at(int fd, void* buf, size_t n, off_t off) {
  char* p = static_cast<char*>(buf);
  while (n > 0) {
    ssize_t r = ::pread(fd, p, n, off);
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
    off += r;
  }
  return true;
}

std::string hex(const unsigned char* p, size_t n) {
  static const char digits[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += digits[p[i] >> 4];
    s += digits[p[i] & 15];
  }
  return s;
}

// The build ID in one PT_NOTE segment's bytes.
std::string build_id_in_notes(const unsigned char* p, size_t n) {
  auto align4 = [](size_t v) { return (v + 3) & ~static_cast<size_t>(3); };
  size_t at = 0;
  while (at + sizeof(Elf64_Nhdr) <= n) {
    Elf64_Nhdr h;
    std::memcpy(&h, p + at, sizeof h);
    const size_t name_at = at + sizeof h;
    const size_t desc_at = name_at + align4(h.n_namesz);
    const size_t next = desc_at + align4(h.n_descsz);
    if (desc_at > n || h.n_descsz > n - desc_at) return "";
    if (h.n_type == NT_GNU_BUILD_ID && h.n_namesz == 4 && std::memcmp(p + name_at, "GNU", 4) == 0)
      return hex(p + desc_at, h.n_descsz);
    at = next;
  }
  return "";
}

}  // namespace

std::string elf_build_id(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  // The header, program headers and notes normally sit in the first page: one read.
  unsigned char head[4096];
  ssize_t got = ::pread(fd, head, sizeof head, 0);
  if (got < static_cast<ssize_t>(sizeof(Elf64_Ehdr))) return "";
  const size_t have = static_cast<size_t>(got);
  auto bytes_at = [&](std::vector<unsigned char>& spill, uint64_t off, uint64_t n) -> const unsigned char* {
    if (off <= have && n <= have - off) return head + off;
    spill.resize(n);
    return read_at(fd, spill.data(), n, static_cast<off_t>(off)) ? spill.data() : nullptr;
  };
  Elf64_Ehdr eh;
  std::memcpy(&eh, head, sizeof eh);
  if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
      eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 64)
    return "";
  std::vector<unsigned char> spill;
  const unsigned char* raw = bytes_at(spill, eh.e_phoff, uint64_t{eh.e_phnum} * sizeof(Elf64_Phdr));
  if (!raw) return "";
  std::vector<Elf64_Phdr> ph(eh.e_phnum);
  std::memcpy(ph.data(), raw, ph.size() * sizeof(Elf64_Phdr));
  for (const auto& p : ph) {
    if (p.p_type != PT_NOTE || p.p_filesz == 0 || p.p_filesz > 4096) continue;
    std::vector<unsigned char> note_spill;
    if (const unsigned char* notes = bytes_at(note_spill, p.p_offset, p.p_filesz))
      if (std::string id = build_id_in_notes(notes, p.p_filesz); !id.empty()) return id;
  }
  return "";
}

bool runner_is_built_in(const std::filesystem::path& runner) {
  if (!runner.has_parent_path() || x07_runner_build_id[0] == '\0') return false;  // found on PATH: spawn it
  return elf_build_id(runner) == x07_runner_build_id;
}

int run_runner_in_process(const std::filesystem::path& runner, const std::vector<std::string>& args,
                          std::function<void(const std::string& report_json)> on_failure_report) {
  // stdin: /dev/null, as the spawned runner gets it (x07 has read any piped input already)
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd >= 0) {
    if (null_fd != STDIN_FILENO) {
      ::dup2(null_fd, STDIN_FILENO);
      ::close(null_fd);
    } else {
      ::fcntl(STDIN_FILENO, F_SETFD, 0);
    }
  }
  std::vector<std::string> copy;
  copy.reserve(args.size() + 1);
  copy.push_back(runner.string());
  copy.insert(copy.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  runner::RunnerHooks hooks;
  hooks.failure_report = std::move(on_failure_report);
  return runner::runner_main(static_cast<int>(copy.size()), argv.data(), hooks);
}

}  // namespace x07::facade
