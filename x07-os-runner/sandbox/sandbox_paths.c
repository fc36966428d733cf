/* Path helpers for building the sandbox plan (parent side only). */
#include "sandbox_paths.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The file's first bytes: enough for an ELF header (64) and a "#!" line. The
 * runner prepares a sandbox per run, so the headers are read with as few
 * syscalls as possible: this block, the program header table, the interp. */
#define HEAD_LEN 256
#define MAX_PHDRS 256

/* Field of a 32- or 64-bit ELF structure at `p` (native byte order). */
#define ELF_FIELD(is64, p, T, f) ((is64) ? (uint64_t)((const Elf64_##T *)(p))->f : (uint64_t)((const Elf32_##T *)(p))->f)

/* PT_INTERP of a 32- or 64-bit ELF file whose first `head_len` bytes are `head`. */
static int elf_interp(int fd, const unsigned char *head, size_t head_len, char *out, size_t out_len) {
  const int is64 = head[EI_CLASS] == ELFCLASS64;
  if (!is64 && head[EI_CLASS] != ELFCLASS32) return -1;
  Elf64_Ehdr eh64; /* aligned copies: `head` holds the bytes at offset 0 */
  Elf32_Ehdr eh32;
  if (head_len < (is64 ? sizeof eh64 : sizeof eh32)) return -1;
  memcpy(is64 ? (void *)&eh64 : (void *)&eh32, head, is64 ? sizeof eh64 : sizeof eh32);
  const void *eh = is64 ? (const void *)&eh64 : (const void *)&eh32;
  const uint64_t phoff = ELF_FIELD(is64, eh, Ehdr, e_phoff);
  const uint64_t phentsize = ELF_FIELD(is64, eh, Ehdr, e_phentsize);
  uint64_t phnum = ELF_FIELD(is64, eh, Ehdr, e_phnum);
  if (phentsize != (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr))) return -1;
  if (phnum > MAX_PHDRS) phnum = MAX_PHDRS;
  Elf64_Phdr table[MAX_PHDRS]; /* big enough for either class */
  if (phnum == 0 || read_at(fd, table, (size_t)(phnum * phentsize), (off_t)phoff) != 0) return -1;
  for (uint64_t i = 0; i < phnum; i++) {
    const void *ph = (const unsigned char *)table + i * phentsize;
    if (ELF_FIELD(is64, ph, Phdr, p_type) != PT_INTERP) continue;
    uint64_t size = ELF_FIELD(is64, ph, Phdr, p_filesz);
    if (size == 0 || size >= out_len) return -1;
    if (read_at(fd, out, (size_t)size, (off_t)ELF_FIELD(is64, ph, Phdr, p_offset)) != 0) return -1;
    out[size] = 0; /* p_filesz includes the NUL; be safe either way */
    return out[0] == '/' ? 0 : -1;
  }
  return -1;
}

/* "#!/path/to/interp args" -> "/path/to/interp" (the line is in `head`). */
static int shebang_interp(const char *head, size_t head_len, char *out, size_t out_len) {
  char line[HEAD_LEN + 1];
  memcpy(line, head, head_len);
  line[head_len] = 0;
  char *p = line + 2;
  while (*p == ' ' || *p == '\t') p++;
  size_t len = strcspn(p, " \t\r\n");
  if (len == 0 || p[0] != '/' || len >= out_len || p + len >= line + head_len) return -1;
  memcpy(out, p, len);
  out[len] = 0;
  return 0;
}

int x07_sb_exec_interpreter(const char *path, char *out, size_t out_len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  struct stat st;
  unsigned char head[HEAD_LEN];
  int r = -1;
  ssize_t n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? pread(fd, head, sizeof head, 0) : -1;
  if (n >= EI_NIDENT && memcmp(head, ELFMAG, SELFMAG) == 0)
    r = elf_interp(fd, head, (size_t)n, out, out_len);
  else if (n >= 3 && head[0] == '#' && head[1] == '!')
    r = shebang_interp((const char *)head, (size_t)n, out, out_len);
  close(fd);
  return r;
}

/* ---- memo ---- */

static x07_sb_memo_entry *memo_find(x07_sb_path_memo *m, const char *path) {
  for (size_t i = 0; i < m->len; i++)
    if (strcmp(m->items[i].path, path) == 0) return &m->items[i];
  return NULL;
}

static x07_sb_memo_entry *memo_add(x07_sb_path_memo *m, const char *path) {
  x07_sb_memo_entry *grown = realloc(m->items, (m->len + 1) * sizeof *grown);
  if (!grown) return NULL;
  m->items = grown;
  x07_sb_memo_entry *e = &m->items[m->len];
  memset(e, 0, sizeof *e);
  e->fd = -1;
  e->is_dir = -1;
  if (!(e->path = strdup(path))) return NULL;
  m->len++;
  return e;
}

void x07_sb_memo_keep(x07_sb_path_memo *m, const char *path, int fd, int is_dir) {
  x07_sb_memo_entry *e = m->enabled && !memo_find(m, path) ? memo_add(m, path) : NULL;
  if (!e) {
    close(fd);
    return;
  }
  e->fd = fd;
  e->is_dir = is_dir;
}

/* The kernel's name for an open descriptor; only a plain absolute path counts. */
static int fd_real_path(int fd, char *out, size_t out_len) {
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, out, out_len - 1);
  if (n <= 0 || (size_t)n >= out_len - 1 || out[0] != '/') return -1;
  out[n] = 0;
  static const char deleted[] = " (deleted)";
  if ((size_t)n >= sizeof deleted - 1 && strcmp(out + n - (sizeof deleted - 1), deleted) == 0) return -1;
  return 0;
}

int x07_sb_memo_realpath(x07_sb_path_memo *m, const char *path, char *out, size_t out_len) {
  x07_sb_memo_entry *e = memo_find(m, path);
  if (e && !e->real && e->fd >= 0 && fd_real_path(e->fd, out, out_len) == 0) e->real = strdup(out);
  if (e && e->real) {
    if (strlen(e->real) >= out_len) return -1;
    strcpy(out, e->real);
    return 0;
  }
  char buf[X07_SB_PATH_MAX];
  if (!realpath(path, buf) || strlen(buf) >= out_len) return -1;
  strcpy(out, buf);
  return 0;
}

int x07_sb_memo_interpreter(x07_sb_path_memo *m, const char *real, char *out, size_t out_len) {
  x07_sb_memo_entry *e = NULL;
  for (size_t i = 0; !e && i < m->len; i++)
    if (m->items[i].real ? strcmp(m->items[i].real, real) == 0 : strcmp(m->items[i].path, real) == 0) e = &m->items[i];
  if (e && e->is_dir == 1) return -1;
  if (!e || !e->interp) {
    char buf[X07_SB_PATH_MAX];
    int r = x07_sb_exec_interpreter(real, buf, sizeof buf);
    if (!e && m->enabled) e = memo_add(m, real);
    if (e) {
      e->interp = r == 0 ? 2 : 1;
      e->interp_path = r == 0 ? strdup(buf) : NULL;
      if (r == 0 && !e->interp_path) e->interp = 0;
    }
    if (r != 0 || strlen(buf) >= out_len) return -1;
    strcpy(out, buf);
    return 0;
  }
  if (e->interp != 2 || strlen(e->interp_path) >= out_len) return -1;
  strcpy(out, e->interp_path);
  return 0;
}

void x07_sb_memo_free(x07_sb_path_memo *m) {
  for (size_t i = 0; i < m->len; i++) {
    if (m->items[i].fd >= 0) close(m->items[i].fd);
    free(m->items[i].path);
    free(m->items[i].real);
    free(m->items[i].interp_path);
  }
  free(m->items);
  m->items = NULL;
  m->len = 0;
}
