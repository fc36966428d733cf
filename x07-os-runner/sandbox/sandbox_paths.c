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
    r = elf_interp(fd, head, (size_t)n, out, out_len) == 0 ? X07_SB_INTERP_ELF : -1;
  else if (n >= 3 && head[0] == '#' && head[1] == '!')
    r = shebang_interp((const char *)head, (size_t)n, out, out_len) == 0 ? X07_SB_INTERP_SCRIPT : -1;
  close(fd);
  return r;
}

/* ---- memo ---- */

int x07_sb_memo_interpreter(x07_sb_interp_memo *m, const char *path, char *out, size_t out_len) {
  for (size_t i = 0; i < m->len; i++) {
    const struct x07_sb_interp_entry *e = &m->items[i];
    if (strcmp(e->path, path) != 0) continue;
    if (e->kind < 0 || strlen(e->interp) >= out_len) return -1;
    strcpy(out, e->interp);
    return e->kind;
  }
  char buf[X07_SB_PATH_MAX];
  int kind = x07_sb_exec_interpreter(path, buf, sizeof buf);
  struct x07_sb_interp_entry *grown = realloc(m->items, (m->len + 1) * sizeof *grown);
  if (grown) { /* out of memory: just not remembered */
    m->items = grown;
    struct x07_sb_interp_entry *e = &m->items[m->len];
    e->path = strdup(path);
    e->kind = kind;
    e->interp = kind >= 0 ? strdup(buf) : NULL;
    if (e->path && (kind < 0 || e->interp)) m->len++;
    else {
      free(e->path);
      free(e->interp);
    }
  }
  if (kind < 0 || strlen(buf) >= out_len) return -1;
  strcpy(out, buf);
  return kind;
}

void x07_sb_memo_free(x07_sb_interp_memo *m) {
  for (size_t i = 0; i < m->len; i++) {
    free(m->items[i].path);
    free(m->items[i].interp);
  }
  free(m->items);
  m->items = NULL;
  m->len = 0;
}
