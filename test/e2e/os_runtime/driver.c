/* Test driver for the OS runtime modules, linked with the real core runtime
 * (everything except main_framed.c). Usage:
 *   driver OP ARGS... [";;" OP ARGS...]...
 * Each op prints one line: "ok <detail>", "err <code>", or a value. The policy
 * comes from the environment, exactly as in a compiled program. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "x07rt_mem.h"
#include "x07rt_os.h"

const uint64_t x07_cfg_fuel_init = 1000000;
const uint32_t x07_cfg_mem_cap = 256u * 1024u * 1024u;
x07_bytes x07_program_solve(x07_view input) { return x07_bytes_from(input.ptr, input.len); }

int x07_glob_valid(const char *pat);
int x07_glob_match(const char *pat, const char *s);
int x07_regex_lite_match(const char *pat, const uint8_t *s, uint32_t n);

static x07_bytes B(const char *s) { return x07_bytes_from(s, (uint32_t)strlen(s)); }
static x07_view V(const char *s) { x07_view v = {(const uint8_t *)s, (uint32_t)strlen(s)}; return v; }

static void put_hex(const uint8_t *p, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) printf("%02x", p[i]);
}

/* caps spec "r,w,entries,depth,flags" or "default" */
static x07_bytes fs_caps(const char *spec) {
  uint32_t v[5] = {16777216, 16777216, 10000, 64, 28};
  if (spec && strcmp(spec, "default") != 0) sscanf(spec, "%u,%u,%u,%u,%u", &v[0], &v[1], &v[2], &v[3], &v[4]);
  x07_bytes c = x07_bytes_new(24);
  x07_wr_u32le(c.ptr, 1);
  for (int i = 0; i < 5; i++) x07_wr_u32le(c.ptr + 4 + 4 * i, v[i]);
  return c;
}

static void print_res_bytes(x07_res_bytes r, int text) {
  if (!r.tag) {
    printf("err %u\n", r.err);
    return;
  }
  printf("ok ");
  if (text) fwrite(r.ok.ptr, 1, r.ok.len, stdout);
  else put_hex(r.ok.ptr, r.ok.len);
  printf("\n");
  x07_bytes_drop(r.ok);
}

static void print_res_i32(x07_res_i32 r) {
  if (r.tag) printf("ok %u\n", r.val);
  else printf("err %u\n", r.val);
}

static void print_proc_doc(x07_bytes d) {
  if (d.len == 9 && d.ptr[0] == 0) printf("err %u\n", x07_rd_u32le(d.ptr + 1));
  else if (d.len >= 18 && d.ptr[0] == 1) {
    uint32_t ol = x07_rd_u32le(d.ptr + 10);
    uint32_t el = x07_rd_u32le(d.ptr + 14 + ol);
    printf("ok exit=%u out_len=%u err_len=%u out=", x07_rd_u32le(d.ptr + 2), ol, el);
    fwrite(d.ptr + 14, 1, ol > 200 ? 200 : ol, stdout);
    printf(" err=");
    fwrite(d.ptr + 18 + ol, 1, el > 200 ? 200 : el, stdout);
    printf("\n");
  } else {
    printf("bad doc ");
    put_hex(d.ptr, d.len);
    printf("\n");
  }
  x07_bytes_drop(d);
}

/* ProcReqV1 from argv: exe args... with options --stdin S --env K=V --cwd C */
static x07_bytes proc_req(int argc, char **argv, int *used_caps, x07_bytes *caps) {
  x07_vec v = {0, 0, 0};
  uint8_t hdr[2] = {1, 0};
  x07_vec_push_bytes(&v, hdr, 2);
  const char *args[64], *envs[16], *cwd = "", *in = "";
  int na = 0, ne = 0;
  uint32_t cv[4] = {1048576, 1048576, 5000, 0};
  for (int i = 0; i < argc; i++) {
    if (!strcmp(argv[i], "--stdin") && i + 1 < argc) in = argv[++i];
    else if (!strcmp(argv[i], "--env") && i + 1 < argc) envs[ne++] = argv[++i];
    else if (!strcmp(argv[i], "--cwd") && i + 1 < argc) cwd = argv[++i];
    else if (!strcmp(argv[i], "--caps") && i + 1 < argc) sscanf(argv[++i], "%u,%u,%u,%u", &cv[0], &cv[1], &cv[2], &cv[3]);
    else args[na++] = argv[i];
  }
  uint8_t b4[4];
#define PUTU(x) do { x07_wr_u32le(b4, (uint32_t)(x)); x07_vec_push_bytes(&v, b4, 4); } while (0)
#define PUTS(s) do { PUTU(strlen(s)); x07_vec_push_bytes(&v, (s), (uint32_t)strlen(s)); } while (0)
  PUTU(na);
  for (int i = 0; i < na; i++) PUTS(args[i]);
  PUTU(ne);
  for (int i = 0; i < ne; i++) {
    const char *eq = strchr(envs[i], '=');
    PUTU(eq - envs[i]);
    x07_vec_push_bytes(&v, envs[i], (uint32_t)(eq - envs[i]));
    PUTS(eq + 1);
  }
  PUTS(cwd);
  PUTS(in);
  *caps = x07_bytes_new(17);
  caps->ptr[0] = 1;
  for (int i = 0; i < 4; i++) x07_wr_u32le(caps->ptr + 1 + 4 * i, cv[i]);
  *used_caps = 1;
  x07_bytes r = {v.ptr, v.len};
  return r;
}

/* NetAddrV1 from "ip:port" / "[v6]:port" / "name:port" */
static x07_bytes net_addr(const char *s) {
  const char *colon = strrchr(s, ':');
  char host[256];
  size_t hn = (size_t)(colon - s);
  memcpy(host, s, hn);
  host[hn] = 0;
  unsigned port = (unsigned)atoi(colon + 1);
  char *h = host;
  if (h[0] == '[') {
    h++;
    h[strlen(h) - 1] = 0;
  }
  unsigned a, b, c, d;
  x07_vec v = {0, 0, 0};
  uint8_t b4[4];
  PUTU(1);
  if (sscanf(h, "%u.%u.%u.%u", &a, &b, &c, &d) == 4) {
    PUTU(1);
    PUTU(port);
    uint8_t ip[4] = {(uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d};
    x07_vec_push_bytes(&v, ip, 4);
  } else if (!strcmp(h, "::1")) {
    PUTU(2);
    PUTU(port);
    uint8_t ip[16] = {0};
    ip[15] = 1;
    x07_vec_push_bytes(&v, ip, 16);
  } else {
    PUTU(3);
    PUTU(port);
    PUTS(h);
  }
  x07_bytes r = {v.ptr, v.len};
  return r;
}

static void print_net_doc(x07_bytes d) {
  if (d.len == 9 && d.ptr[0] == 0) printf("err %u\n", x07_rd_u32le(d.ptr + 1));
  else {
    printf("ok ");
    put_hex(d.ptr, d.len);
    printf("\n");
  }
}

static uint32_t doc_u32(x07_bytes d, uint32_t off) { return d.len >= off + 4 ? x07_rd_u32le(d.ptr + off) : 0; }

static void run_op(int argc, char **argv) {
  const char *op = argv[0];
  const char *a1 = argc > 1 ? argv[1] : "", *a2 = argc > 2 ? argv[2] : NULL, *a3 = argc > 3 ? argv[3] : NULL;
  if (!strcmp(op, "read_all")) print_res_bytes(x07_os_fs_read_all_v1(B(a1), fs_caps(a2)), 1);
  else if (!strcmp(op, "write_all")) print_res_i32(x07_os_fs_write_all_v1(B(a1), B(a2), fs_caps(a3)));
  else if (!strcmp(op, "append_all")) print_res_i32(x07_os_fs_append_all_v1(B(a1), B(a2), fs_caps(a3)));
  else if (!strcmp(op, "mkdirs")) print_res_i32(x07_os_fs_mkdirs_v1(B(a1), fs_caps(a2)));
  else if (!strcmp(op, "remove_file")) print_res_i32(x07_os_fs_remove_file_v1(B(a1), fs_caps(a2)));
  else if (!strcmp(op, "remove_dir_all")) print_res_i32(x07_os_fs_remove_dir_all_v1(B(a1), fs_caps(a2)));
  else if (!strcmp(op, "rename")) print_res_i32(x07_os_fs_rename_v1(B(a1), B(a2), fs_caps(a3)));
  else if (!strcmp(op, "list")) print_res_bytes(x07_os_fs_list_dir_sorted_text_v1(B(a1), fs_caps(a2)), 1);
  else if (!strcmp(op, "walk")) print_res_bytes(x07_os_fs_walk_glob_sorted_text_v1(B(a1), B(a2), fs_caps(a3)), 1);
  else if (!strcmp(op, "stat")) print_res_bytes(x07_os_fs_stat_v1(B(a1), fs_caps(a2)), 0);
  else if (!strcmp(op, "bad_caps")) print_res_bytes(x07_os_fs_read_all_v1(B(a1), B("short")), 0);
  else if (!strcmp(op, "stream_copy")) {
    x07_res_i32 r = x07_os_fs_stream_open_read_v1(B(a1), fs_caps(NULL));
    if (!r.tag) { printf("err %u\n", r.val); return; }
    x07_res_i32 w = x07_os_fs_stream_open_write_v1(B(a2), fs_caps(NULL));
    if (!w.tag) { printf("err %u\n", w.val); return; }
    uint32_t total = 0;
    for (;;) {
      x07_res_bytes c = x07_os_fs_stream_read_some_v1(r.val, 3);
      if (!c.tag) { printf("err %u\n", c.err); return; }
      if (c.ok.len == 0) break;
      x07_res_i32 wr = x07_os_fs_stream_write_all_v1(w.val, x07_bytes_view(c.ok));
      total += c.ok.len;
      x07_bytes_drop(c.ok);
      if (!wr.tag) { printf("err %u\n", wr.val); return; }
    }
    x07_res_i32 cl = x07_os_fs_stream_close_v1(w.val);
    x07_os_fs_stream_close_read_v1(r.val);
    x07_os_fs_stream_drop_v1(w.val);
    x07_os_fs_stream_drop_read_v1(r.val);
    printf("%s %u\n", cl.tag ? "ok" : "err", cl.tag ? total : cl.val);
  } else if (!strcmp(op, "stream_drop_uncommitted")) {
    x07_res_i32 w = x07_os_fs_stream_open_write_v1(B(a1), fs_caps(NULL));
    if (!w.tag) { printf("err %u\n", w.val); return; }
    x07_os_fs_stream_write_all_v1(w.val, V("partial"));
    printf("dropped %u\n", x07_os_fs_stream_drop_v1(w.val));
    print_res_i32(x07_os_fs_stream_write_all_v1(w.val, V("x")));
  } else if (!strcmp(op, "read_file")) {
    x07_bytes b = x07_os_fs_read_file(B(a1));
    printf("ok ");
    fwrite(b.ptr, 1, b.len, stdout);
    printf("\n");
  } else if (!strcmp(op, "write_file")) printf("%u\n", x07_os_fs_write_file(B(a1), B(a2)));
  else if (!strcmp(op, "glob")) printf("%d\n", x07_glob_valid(a1) ? x07_glob_match(a1, a2) : -1);
  else if (!strcmp(op, "regex")) printf("%d\n", x07_regex_lite_match(a1, (const uint8_t *)a2, (uint32_t)strlen(a2)));
  else if (!strcmp(op, "env")) {
    x07_bytes b = x07_os_env_get(B(a1));
    printf("ok ");
    fwrite(b.ptr, 1, b.len, stdout);
    printf("\n");
  } else if (!strcmp(op, "now_instant")) {
    x07_bytes b = x07_os_time_now_instant_v1();
    printf("%u ", b.len);
    put_hex(b.ptr, b.len > 9 ? 2 : b.len);
    printf("\n");
  } else if (!strcmp(op, "now_ms")) printf("%u\n", x07_os_time_now_unix_ms() != 0);
  else if (!strcmp(op, "sleep")) printf("%u\n", x07_os_time_sleep_ms_v1((uint32_t)atoi(a1)));
  else if (!strcmp(op, "tzid")) {
    x07_bytes b = x07_os_time_local_tzid_v1();
    put_hex(b.ptr, b.len);
    printf("\n");
  } else if (!strcmp(op, "run")) {
    int uc = 0;
    x07_bytes caps;
    x07_bytes req = proc_req(argc - 1, argv + 1, &uc, &caps);
    print_proc_doc(x07_os_process_run_capture_v1(req, caps));
  } else if (!strcmp(op, "spawn_join")) {
    int uc = 0;
    x07_bytes caps;
    x07_bytes req = proc_req(argc - 1, argv + 1, &uc, &caps);
    uint32_t h = x07_os_process_spawn_capture_v1(req, caps);
    printf("handle_low=%u ", h & 0xFFFF);
    print_proc_doc(x07_os_process_join_capture_v1(h));
    int32_t te = (int32_t)x07_os_process_take_exit_v1(h);
    printf("take_exit=%d drop=%u\n", te, x07_os_process_drop_v1(h));
  } else if (!strcmp(op, "piped")) {
    int uc = 0;
    x07_bytes caps;
    x07_bytes req = proc_req(argc - 1, argv + 1, &uc, &caps);
    uint32_t h = x07_os_process_spawn_piped_v1(req, caps);
    uint32_t w = x07_os_process_stdin_write_v1(h, B("piped-hello"));
    uint32_t c = x07_os_process_stdin_close_v1(h);
    uint32_t c2 = x07_os_process_stdin_close_v1(h);
    x07_os_process_join_exit_v1(h);
    x07_vec acc = {0, 0, 0};
    for (int i = 0; i < 200; i++) {
      x07_bytes b = x07_os_process_stdout_read_v1(h, 4);
      x07_vec_push_bytes(&acc, b.ptr, b.len);
      x07_bytes_drop(b);
      if (b.len == 0 && x07_os_process_try_wait_v1(h)) {
        usleep(2000);
        if (i > 20) break;
      }
    }
    int32_t te = (int32_t)x07_os_process_take_exit_v1(h);
    printf("write=%u close=%u close2=%u exit=%d out=", w, c, c2, te);
    fwrite(acc.ptr, 1, acc.len, stdout);
    printf("\n");
    x07_os_process_drop_v1(h);
  } else if (!strcmp(op, "spawn_count")) {
    /* spawns N capture children of the rest of argv, prints each handle's low bits or sentinel */
    int n = atoi(a1);
    for (int i = 0; i < n; i++) {
      int uc = 0;
      x07_bytes caps;
      x07_bytes req = proc_req(argc - 2, argv + 2, &uc, &caps);
      uint32_t h = x07_os_process_spawn_capture_v1(req, caps);
      if ((h & 0xFFFF) == 0) printf("sentinel=%u ", h);
      else {
        x07_bytes d = x07_os_process_join_capture_v1(h);
        printf("%s ", d.ptr[0] ? "ok" : "err");
        if (!d.ptr[0]) printf("(%u) ", x07_rd_u32le(d.ptr + 1));
        x07_bytes_drop(d);
        x07_os_process_drop_v1(h);
      }
    }
    printf("\n");
  } else if (!strcmp(op, "live_then_drop")) {
    /* spawn a long child and leave it running; fini must kill it */
    int uc = 0;
    x07_bytes caps;
    x07_bytes req = proc_req(argc - 1, argv + 1, &uc, &caps);
    uint32_t h = x07_os_process_spawn_capture_v1(req, caps);
    printf("try_wait=%u\n", x07_os_process_try_wait_v1(h));
  } else if (!strcmp(op, "tcp_echo_client")) {
    x07_bytes addr = net_addr(a1);
    x07_bytes d = x07_os_net_tcp_connect_v1(x07_bytes_view(addr), V(""));
    if (d.ptr[0] == 0) { print_net_doc(d); return; }
    uint32_t h = doc_u32(d, 4);
    x07_bytes w = x07_os_net_tcp_stream_write_v1(h, V(a2), V(""));
    x07_bytes r = x07_os_net_tcp_stream_read_v1(h, 100, V(""));
    printf("wrote=%u read=", doc_u32(w, 4));
    if (r.ptr[0]) fwrite(r.ptr + 8, 1, doc_u32(r, 4), stdout);
    uint32_t c1 = x07_os_net_tcp_stream_close_v1(h);
    printf(" close=%u close2=%u\n", c1, x07_os_net_tcp_stream_close_v1(h));
  } else if (!strcmp(op, "tcp_connect")) {
    x07_bytes addr = net_addr(a1);
    print_net_doc(x07_os_net_tcp_connect_v1(x07_bytes_view(addr), V("")));
  } else if (!strcmp(op, "tcp_listen")) {
    x07_bytes addr = net_addr(a1);
    print_net_doc(x07_os_net_tcp_listen_v1(x07_bytes_view(addr), V("")));
  } else if (!strcmp(op, "udp_bind")) {
    x07_bytes addr = net_addr(a1);
    print_net_doc(x07_os_net_udp_bind_v1(x07_bytes_view(addr), V("")));
  } else if (!strcmp(op, "udp_loop")) {
    /* bind a1, send a2 to ourselves, receive it back */
    x07_bytes addr = net_addr(a1);
    x07_bytes b = x07_os_net_udp_bind_v1(x07_bytes_view(addr), V(""));
    if (b.ptr[0] == 0) { print_net_doc(b); return; }
    uint32_t h = doc_u32(b, 4);
    x07_bytes s = x07_os_net_udp_sendto_v1(h, x07_bytes_view(addr), V(a2), V(""));
    if (s.ptr[0] == 0) { print_net_doc(s); return; }
    x07_bytes r = x07_os_net_udp_recvfrom_v1(h, 100, V(""));
    if (r.ptr[0] == 0) { print_net_doc(r); return; }
    uint32_t alen = doc_u32(r, 4);
    printf("sent=%u recv=", doc_u32(s, 4));
    fwrite(r.ptr + 8 + alen + 4, 1, doc_u32(r, 8 + alen), stdout);
    printf(" drop=%u\n", x07_os_net_udp_drop_v1(h));
  } else if (!strcmp(op, "dns")) {
    print_net_doc(x07_os_net_dns_lookup_v1(V(a1), (uint32_t)atoi(a2), V("")));
  } else if (!strcmp(op, "try_join")) {
    /* spawn a short sleeper: try_join is none while it runs, then some(doc); a second take traps */
    int uc = 0;
    x07_bytes caps;
    x07_bytes req = proc_req(argc - 1, argv + 1, &uc, &caps);
    uint32_t h = x07_os_process_spawn_capture_v1(req, caps);
    x07_opt_bytes o = x07_os_process_try_join_capture_v1(h);
    printf("first=%u ", o.tag);
    while (!o.tag) {
      usleep(5000);
      o = x07_os_process_try_join_capture_v1(h);
    }
    printf("then=%u tag=%u\n", o.tag, o.val.ptr[0]);
    x07_bytes_drop(o.val);
    x07_os_process_try_join_capture_v1(h);
  } else if (!strcmp(op, "bad_handle")) {
    printf("%u\n", x07_os_process_try_wait_v1((7u << 16) | 3u));
  } else if (!strcmp(op, "stdin_flood")) {
    int uc = 0;
    x07_bytes caps;
    x07_bytes req = proc_req(argc - 1, argv + 1, &uc, &caps);
    uint32_t h = x07_os_process_spawn_piped_v1(req, caps);
    /* 40000-byte chunks to a child that never reads: the pipe fills, then bytes stay pending */
    for (int i = 0; i < 8; i++) printf("w%d=%u ", i, x07_os_process_stdin_write_v1(h, x07_bytes_new(40000)));
    printf("\n");
  } else if (!strcmp(op, "exit")) {
    fflush(stdout);
    x07_os_process_exit((uint32_t)atoi(a1));
  } else {
    printf("unknown op %s\n", op);
  }
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  x07_mem_init();
  x07_os_init();
  int start = 1;
  for (int i = 1; i <= argc; i++) {
    if (i == argc || !strcmp(argv[i], ";;")) {
      if (i > start) run_op(i - start, argv + start);
      start = i + 1;
    }
  }
  x07_os_fini();
  return 0;
}
