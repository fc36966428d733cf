// The one error style of every command (common/error_style).
#include <catch2/catch.hpp>

#include "common/error_style.hpp"

TEST_CASE("render_error: code, location, message, help lines", "[error_style]") {
  CHECK(x07::render_error("E1", "f.json:1:2", "bad", "fix it") == "error[E1]: f.json:1:2: bad\nhelp: fix it\n");
  CHECK(x07::render_error("", "", "[X07LOCK_READ] read lockfile", "run x07 pkg lock") ==
        "error[X07LOCK_READ]: read lockfile\nhelp: run x07 pkg lock\n");
  CHECK(x07::render_error("E", "", "failed\n\nfix:\n  - do a, or\n  - do b", "") ==
        "error[E]: failed\nhelp: do a, or\nhelp: do b\nhelp: run the command with --help for its flags and arguments\n");
  CHECK(x07::render_error("E", "", "missing: --report-out <PATH>", "two\nlines") ==
        "error[E]: missing: --report-out <PATH>\nhelp: two\nhelp: lines\n");
}
