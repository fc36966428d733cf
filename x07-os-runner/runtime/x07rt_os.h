/* x07 OS-world builtins: the C functions named in compiler/os_builtins.inc.
 *
 * Type mapping (see x07rt.h): i32 -> uint32_t, bytes -> x07_bytes (owned: the
 * callee drops it), bytes_view -> x07_view (borrowed), result_i32 -> x07_res_i32,
 * result_bytes -> x07_res_bytes, option_bytes -> x07_opt_bytes, never -> _Noreturn.
 *
 * Policy: every function reads the X07_OS_* environment (parsed once) and, when
 * the program runs sandboxed, refuses what the policy does not allow — either by
 * trapping or by returning the documented error code (runner.md §6).
 */
#ifndef X07RT_OS_H
#define X07RT_OS_H

#include "x07rt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- filesystem: built-in read_file / write_file (trap style) ---- */
x07_bytes x07_os_fs_read_file(x07_bytes path);
uint32_t x07_os_fs_write_file(x07_bytes path, x07_bytes data);

/* ---- filesystem v1 (error codes 60001..60020) ---- */
x07_res_bytes x07_os_fs_read_all_v1(x07_bytes path, x07_bytes caps);
x07_res_i32 x07_os_fs_write_all_v1(x07_bytes path, x07_bytes data, x07_bytes caps);
x07_res_i32 x07_os_fs_append_all_v1(x07_bytes path, x07_bytes data, x07_bytes caps);
x07_res_i32 x07_os_fs_mkdirs_v1(x07_bytes path, x07_bytes caps);
x07_res_i32 x07_os_fs_remove_file_v1(x07_bytes path, x07_bytes caps);
x07_res_i32 x07_os_fs_remove_dir_all_v1(x07_bytes path, x07_bytes caps);
x07_res_i32 x07_os_fs_rename_v1(x07_bytes src, x07_bytes dst, x07_bytes caps);
x07_res_bytes x07_os_fs_list_dir_sorted_text_v1(x07_bytes path, x07_bytes caps);
x07_res_bytes x07_os_fs_walk_glob_sorted_text_v1(x07_bytes root, x07_bytes glob, x07_bytes caps);
x07_res_bytes x07_os_fs_stat_v1(x07_bytes path, x07_bytes caps);
x07_res_i32 x07_os_fs_stream_open_write_v1(x07_bytes path, x07_bytes caps);
x07_res_i32 x07_os_fs_stream_open_read_v1(x07_bytes path, x07_bytes caps);
x07_res_i32 x07_os_fs_stream_write_all_v1(uint32_t h, x07_view data);
x07_res_bytes x07_os_fs_stream_read_some_v1(uint32_t h, uint32_t max);
x07_res_i32 x07_os_fs_stream_close_v1(uint32_t h);
x07_res_i32 x07_os_fs_stream_close_read_v1(uint32_t h);
uint32_t x07_os_fs_stream_drop_v1(uint32_t h);
uint32_t x07_os_fs_stream_drop_read_v1(uint32_t h);

/* ---- environment ---- */
x07_bytes x07_os_env_get(x07_bytes key);

/* ---- time ---- */
uint32_t x07_os_time_now_unix_ms(void);
x07_bytes x07_os_time_now_instant_v1(void);
uint32_t x07_os_time_sleep_ms_v1(uint32_t ms);
x07_bytes x07_os_time_local_tzid_v1(void);

/* ---- processes (ProcReqV1 / ProcCapsV1 / result docs) ---- */
_Noreturn void x07_os_process_exit(uint32_t code);
uint32_t x07_os_process_spawn_capture_v1(x07_bytes req, x07_bytes caps);
uint32_t x07_os_process_spawn_piped_v1(x07_bytes req, x07_bytes caps);
x07_bytes x07_os_process_run_capture_v1(x07_bytes req, x07_bytes caps);
x07_opt_bytes x07_os_process_try_join_capture_v1(uint32_t h);
x07_bytes x07_os_process_join_capture_v1(uint32_t h);
x07_bytes x07_os_process_stdout_read_v1(uint32_t h, uint32_t max);
x07_bytes x07_os_process_stderr_read_v1(uint32_t h, uint32_t max);
uint32_t x07_os_process_stdin_write_v1(uint32_t h, x07_bytes chunk);
uint32_t x07_os_process_stdin_close_v1(uint32_t h);
uint32_t x07_os_process_try_wait_v1(uint32_t h);
uint32_t x07_os_process_join_exit_v1(uint32_t h);
uint32_t x07_os_process_take_exit_v1(uint32_t h);
uint32_t x07_os_process_kill_v1(uint32_t h, uint32_t sig);
uint32_t x07_os_process_drop_v1(uint32_t h);

/* ---- network (docs of docs/net/net-v1.md; error doc {u8 0, u32 code, u32 0}) ---- */
x07_bytes x07_os_net_http_request(x07_bytes req);
x07_bytes x07_os_net_dns_lookup_v1(x07_view name, uint32_t port, x07_view caps);
x07_bytes x07_os_net_tcp_connect_v1(x07_view addr, x07_view caps);
x07_bytes x07_os_net_tcp_listen_v1(x07_view addr, x07_view caps);
x07_bytes x07_os_net_tcp_accept_v1(uint32_t listener, x07_view caps);
x07_bytes x07_os_net_tcp_stream_read_v1(uint32_t h, uint32_t max, x07_view caps);
x07_bytes x07_os_net_tcp_stream_write_v1(uint32_t h, x07_view data, x07_view caps);
x07_bytes x07_os_net_tcp_stream_wait_v1(uint32_t h, uint32_t events, uint32_t timeout_ms);
uint32_t x07_os_net_tcp_stream_shutdown_v1(uint32_t h, uint32_t how);
uint32_t x07_os_net_tcp_stream_close_v1(uint32_t h);
uint32_t x07_os_net_tcp_stream_drop_v1(uint32_t h);
uint32_t x07_os_net_tcp_listener_close_v1(uint32_t h);
uint32_t x07_os_net_tcp_listener_drop_v1(uint32_t h);
x07_bytes x07_os_net_udp_bind_v1(x07_view addr, x07_view caps);
x07_bytes x07_os_net_udp_sendto_v1(uint32_t h, x07_view addr, x07_view payload, x07_view caps);
x07_bytes x07_os_net_udp_recvfrom_v1(uint32_t h, uint32_t max, x07_view caps);
uint32_t x07_os_net_udp_close_v1(uint32_t h);
uint32_t x07_os_net_udp_drop_v1(uint32_t h);

#ifdef __cplusplus
}
#endif
#endif /* X07RT_OS_H */
