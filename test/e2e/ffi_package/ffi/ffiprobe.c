/* Test fixture: C behind the ffiprobe module. The probes make raw syscalls, so under
 * run-os-sandboxed only the kernel sandbox can refuse them. Errors come back as -errno. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include "ffiprobe.h"

int32_t x07_ffiprobe_crc32(const uint8_t *p, int32_t n) {
  return (int32_t)crc32(0L, p, (uInt)n);
}

int32_t x07_ffiprobe_header_version(void) { return FFIPROBE_HEADER_VERSION; }

int32_t x07_ffiprobe_connect(int32_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -errno;
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int rc = connect(fd, (struct sockaddr *)&a, sizeof a);
  int e = errno;
  close(fd);
  return rc == 0 ? 0 : -e;
}

int32_t x07_ffiprobe_read_len(const uint8_t *p, int32_t n) {
  char path[4096];
  if (n < 0 || n >= (int32_t)sizeof path) return -ENAMETOOLONG;
  memcpy(path, p, (size_t)n);
  path[n] = 0;
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -errno;
  char buf[4096];
  ssize_t k = read(fd, buf, sizeof buf);
  int e = errno;
  close(fd);
  return k < 0 ? -e : (int32_t)k;
}
