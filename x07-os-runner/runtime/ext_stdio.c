/* os.stdio.* builtins (run-os worlds; docs/os/stdio-v1.md): line reads from fd 0,
 * unbuffered writes to fd 1 / fd 2. In the framed runner fd 0 has already been
 * drained of the input frame (read_line sees EOF) and fd 1 carries the output
 * frame, so text written to stdout there lands in front of the frame. */
#include <errno.h>
#include <unistd.h>
#include "x07rt.h"

enum {
  STDIO_ERR_BAD_CAPS = 60104,
  STDIO_ERR_IO = 60115,
  STDIO_ERR_TOO_LARGE = 60116,
  STDIO_ERR_EOF = 60121,
};
#define STDIO_POLICY_MAX_BYTES (16u * 1024u * 1024u)

/* StdioCapsV1: u32le version (1), max_read_bytes, max_write_bytes (0 = policy
 * default), flags (0). Returns the effective limit at `field_off`, or 0 with *err
 * set. Consumes caps. */
static uint32_t caps_limit(x07_bytes caps, uint32_t field_off, uint32_t *err) {
  uint32_t max = STDIO_POLICY_MAX_BYTES;
  *err = 0;
  if (caps.len != 16 || x07_rd_u32le(caps.ptr) != 1 || x07_rd_u32le(caps.ptr + 12) != 0) {
    *err = STDIO_ERR_BAD_CAPS;
  } else {
    uint32_t cap = x07_rd_u32le(caps.ptr + field_off);
    if (cap != 0 && cap < max) max = cap;
  }
  x07_bytes_drop(caps);
  return max;
}

/* stdin buffer shared by every read_line call of the process */
static uint8_t in_buf[65536];
static uint32_t in_pos, in_len;

/* 1 = bytes available, 0 = EOF, -1 = read error */
static int fill_stdin(void) {
  if (in_pos < in_len) return 1;
  for (;;) {
    ssize_t r = read(0, in_buf, sizeof in_buf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    in_pos = 0;
    in_len = (uint32_t)r;
    return r > 0;
  }
}

static uint32_t find_lf(void) {
  for (uint32_t i = in_pos; i < in_len; ++i)
    if (in_buf[i] == '\n') return i;
  return in_len;
}

x07_res_bytes x07_os_stdio_read_line_v1(x07_bytes caps) {
  uint32_t err;
  uint32_t max = caps_limit(caps, 4, &err);
  if (err) return x07_res_bytes_err(err);
  x07_vec line = {0, 0, 0};
  int too_large = 0, saw_lf = 0;
  while (!saw_lf) {
    int f = fill_stdin();
    if (f < 0) {
      x07_vec_drop(line);
      return x07_res_bytes_err(STDIO_ERR_IO);
    }
    if (f == 0) {
      if (line.len == 0 && !too_large) return x07_res_bytes_err(STDIO_ERR_EOF);
      break;
    }
    uint32_t lf = find_lf();
    saw_lf = lf < in_len;
    uint32_t chunk = lf - in_pos;
    if (!too_large && (uint64_t)line.len + chunk > max) too_large = 1;
    if (!too_large) x07_vec_push_bytes(&line, in_buf + in_pos, chunk);
    in_pos = saw_lf ? lf + 1 : in_len; /* an over-long line is consumed through its LF */
  }
  if (too_large) {
    x07_vec_drop(line);
    return x07_res_bytes_err(STDIO_ERR_TOO_LARGE);
  }
  if (line.len > 0 && line.ptr[line.len - 1] == '\r') line.len--;
  x07_bytes out = {line.ptr, line.len};
  return x07_res_bytes_ok(out);
}

static x07_res_i32 write_fd(int fd, x07_bytes data, x07_bytes caps) {
  uint32_t err;
  uint32_t max = caps_limit(caps, 8, &err);
  uint32_t n = data.len;
  if (!err && n > max) err = STDIO_ERR_TOO_LARGE;
  for (uint32_t done = 0; !err && done < n;) {
    ssize_t w = write(fd, data.ptr + done, n - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) err = STDIO_ERR_IO;
    else done += (uint32_t)w;
  }
  x07_bytes_drop(data);
  return err ? x07_res_i32_err(err) : x07_res_i32_ok(n);
}

x07_res_i32 x07_os_stdio_write_stdout_v1(x07_bytes data, x07_bytes caps) { return write_fd(1, data, caps); }
x07_res_i32 x07_os_stdio_write_stderr_v1(x07_bytes data, x07_bytes caps) { return write_fd(2, data, caps); }

/* Writes are unbuffered, so there is nothing to flush; the calls exist for the API. */
x07_res_i32 x07_os_stdio_flush_stdout_v1(void) { return x07_res_i32_ok(0); }
x07_res_i32 x07_os_stdio_flush_stderr_v1(void) { return x07_res_i32_ok(0); }
