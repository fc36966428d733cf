/* Path helpers for building the sandbox plan (parent side only). */
#include "sandbox_paths.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_trim_char(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

int x07_sb_absolute(const char *cwd, const char *path, char *out, size_t out_len) {
  while (is_trim_char(*path)) path++;
  size_t len = strlen(path);
  while (len > 0 && is_trim_char(path[len - 1])) len--;
  if (len == 0) return 1;
  int n;
  if (path[0] == '/')
    n = snprintf(out, out_len, "%.*s", (int)len, path);
  else if (cwd[0] && cwd[strlen(cwd) - 1] == '/')
    n = snprintf(out, out_len, "%s%.*s", cwd, (int)len, path);
  else
    n = snprintf(out, out_len, "%s/%.*s", cwd, (int)len, path);
  return (n < 0 || (size_t)n >= out_len) ? -1 : 0;
}

void x07_sb_mkdirs(const char *abs_path) {
  char buf[X07_SB_PATH_MAX];
  if (snprintf(buf, sizeof buf, "%s", abs_path) >= (int)sizeof buf) return;
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) return;
    *p = '/';
  }
  mkdir(buf, 0777);
}

static int read_at(int fd, void *buf, size_t len, off_t off) {
  ssize_t n = pread(fd, buf, len, off);
  return n == (ssize_t)len ? 0 : -1;
}

/* PT_INTERP of a 32- or 64-bit ELF file (native byte order only). */
static int elf_interp(int fd, const unsigned char *ident, char *out, size_t out_len) {
  uint64_t phoff, phnum, phentsize;
  if (ident[EI_CLASS] == ELFCLASS64) {
    Elf64_Ehdr eh;
    if (read_at(fd, &eh, sizeof eh, 0) != 0) return -1;
    phoff = eh.e_phoff; phnum = eh.e_phnum; phentsize = eh.e_phentsize;
    if (phentsize != sizeof(Elf64_Phdr)) return -1;
  } else if (ident[EI_CLASS] == ELFCLASS32) {
    Elf32_Ehdr eh;
    if (read_at(fd, &eh, sizeof eh, 0) != 0) return -1;
    phoff = eh.e_phoff; phnum = eh.e_phnum; phentsize = eh.e_phentsize;
    if (phentsize != sizeof(Elf32_Phdr)) return -1;
  } else {
    return -1;
  }
  for (uint64_t i = 0; i < phnum && i < 256; i++) {
    uint64_t type, off, size;
    if (ident[EI_CLASS] == ELFCLASS64) {
      Elf64_Phdr ph;
      if (read_at(fd, &ph, sizeof ph, (off_t)(phoff + i * phentsize)) != 0) return -1;
      type = ph.p_type; off = ph.p_offset; size = ph.p_filesz;
    } else {
      Elf32_Phdr ph;
      if (read_at(fd, &ph, sizeof ph, (off_t)(phoff + i * phentsize)) != 0) return -1;
      type = ph.p_type; off = ph.p_offset; size = ph.p_filesz;
    }
    if (type != PT_INTERP) continue;
    if (size == 0 || size >= out_len) return -1;
    if (read_at(fd, out, (size_t)size, (off_t)off) != 0) return -1;
    out[size] = 0; /* p_filesz includes the NUL; be safe either way */
    return out[0] == '/' ? 0 : -1;
  }
  return -1;
}

/* "#!/path/to/interp args" -> "/path/to/interp". */
static int shebang_interp(int fd, char *out, size_t out_len) {
  char line[256];
  ssize_t n = pread(fd, line, sizeof line - 1, 0);
  if (n < 3) return -1;
  line[n] = 0;
  char *p = line + 2;
  while (*p == ' ' || *p == '\t') p++;
  size_t len = strcspn(p, " \t\r\n");
  if (len == 0 || p[0] != '/' || len >= out_len || p + len >= line + n) return -1;
  memcpy(out, p, len);
  out[len] = 0;
  return 0;
}

int x07_sb_exec_interpreter(const char *path, char *out, size_t out_len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  struct stat st;
  unsigned char ident[EI_NIDENT];
  int r = -1;
  ssize_t n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? pread(fd, ident, sizeof ident, 0) : -1;
  if (n == (ssize_t)sizeof ident && memcmp(ident, ELFMAG, SELFMAG) == 0)
    r = elf_interp(fd, ident, out, out_len);
  else if (n >= 2 && ident[0] == '#' && ident[1] == '!')
    r = shebang_interp(fd, out, out_len);
  close(fd);
  return r;
}
