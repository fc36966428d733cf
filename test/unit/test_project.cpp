#include <catch2/catch.hpp>

#include <filesystem>
#include <unistd.h>

#include "common/fsutil.hpp"
#include "common/project.hpp"
#include "common/sha256.hpp"

using namespace x07;
namespace fs = std::filesystem;

namespace {

struct TempProject {
  fs::path dir;
  TempProject() {
    dir = fs::temp_directory_path() / fsutil::unique_name("x07_project_test_");
    fs::create_directories(dir);
  }
  ~TempProject() { fs::remove_all(dir); }
  fs::path put(const std::string& rel, const std::string& text) const {
    fs::path p = dir / rel;
    fs::create_directories(p.parent_path());
    REQUIRE(fsutil::write_file_atomic(p, text));
    return p;
  }
};

std::string load_error(const fs::path& p) {
  try {
    project::load_manifest(p);
  } catch (const project::Error& e) {
    return e.what();
  }
  FAIL("manifest loaded without error");
  return "";
}

const char* kManifest = R"({"schema_version":" x07.project@0.5.0 ","world":"run-os","entry":" src/main.x07.json ",
  "module_roots":["src","./src","lib/"],"lockfile":null,"compat":"0.5","link":{"libs":["z"],"search_paths":["native"],
  "static":true},"default_profile":"os","profiles":{"os":{"world":"run-os"}}})";

}  // namespace

TEST_CASE("project manifest: trimming, defaults, derived paths", "[project]") {
  TempProject t;
  fs::path m = t.put("x07.json", kManifest);
  project::Manifest man = project::load_manifest(m);
  CHECK(man.schema_version == "x07.project@0.5.0");
  CHECK(man.entry == "src/main.x07.json");
  CHECK(man.entry_path() == t.dir / "src/main.x07.json");
  CHECK_FALSE(man.lockfile.has_value());
  CHECK(man.lockfile_path() == t.dir / "x07.lock.json");
  CHECK(man.compat == std::optional<std::string>("0.5"));
  CHECK(man.default_profile == std::optional<std::string>("os"));
  REQUIRE(man.doc);
  CHECK(man.doc->HasMember("profiles"));
  auto roots = project::module_roots(man, nullptr);
  REQUIRE(roots.size() == 2);  // "src" and "./src" are the same root
  CHECK(roots[0] == t.dir / "src");
  CHECK(roots[1] == t.dir / "lib");
  CHECK(man.link.cc_args(t.dir) ==
        std::vector<std::string>{"-static", "-L", (t.dir / "native").string(), "-l", "z"});
}

TEST_CASE("project manifest: documented errors", "[project]") {
  TempProject t;
  CHECK(load_error(t.dir / "missing.json") ==
        "read project: " + (t.dir / "missing.json").string() + ": No such file or directory (os error 2)");
  fs::path m = t.put("a.json", R"({"schema_version":"x07.project@0.5.0","world":"run-os"})");
  CHECK(load_error(m) == "parse project JSON: " + m.string() + ": missing field `entry` at line 1 column 55");
  m = t.put("b.json", R"({"schema_version":"x07.project@0.1.0","world":"run-os","entry":"a.x07.json","module_roots":["."]})");
  CHECK(load_error(m) ==
        "project schema_version mismatch: expected one of [\"x07.project@0.2.0\", \"x07.project@0.3.0\", "
        "\"x07.project@0.4.0\", \"x07.project@0.5.0\"] got \"x07.project@0.1.0\"");
  m = t.put("c.json", R"({"schema_version":"x07.project@0.5.0","world":"mars","entry":"a.x07.json","module_roots":["."]})");
  CHECK(load_error(m) == "invalid project world \"mars\": unknown world: mars");
  m = t.put("d.json", R"({"schema_version":"x07.project@0.5.0","world":"run-os","entry":"/abs.x07.json","module_roots":["."]})");
  CHECK(load_error(m) == "project.entry must be a relative path, got \"/abs.x07.json\"");
  m = t.put("e.json", R"({"schema_version":"x07.project@0.5.0","world":"run-os","entry":"a.x07.json","module_roots":[]})");
  CHECK(load_error(m) == "project module_roots must be non-empty");
  m = t.put("f.json",
            R"({"schema_version":"x07.project@0.5.0","world":"run-os","entry":"a.x07.json","module_roots":["."],"link":{"libs":["-lz"]}})");
  CHECK(load_error(m) == "project.link.libs[0] must not start with '-': \"-lz\"");
}

TEST_CASE("project lockfile: load, schema rules, verification", "[project]") {
  TempProject t;
  const std::string pkg_json =
      R"({"schema_version":"x07.package@0.1.0","name":"dep","version":"1.0.0","module_root":"modules","modules":["dep.util"]})";
  const std::string mod = R"({"kind":"module"})";
  t.put("deps/dep/x07-package.json", pkg_json);
  t.put("deps/dep/modules/dep/util.x07.json", mod);
  fs::path m = t.put("x07.json", R"({"schema_version":"x07.project@0.5.0","world":"run-os","entry":"main.x07.json",
    "module_roots":["src"],"dependencies":[{"name":"dep","version":"1.0.0","path":"deps/dep"}]})");
  project::Manifest man = project::load_manifest(m);

  const std::string good = R"({"schema_version":"x07.lock@0.3.0","dependencies":[{"name":"dep","version":"1.0.0",
    "path":"deps/dep","package_manifest_sha256":")" + Sha256::hex(pkg_json) + R"(","module_root":"modules",
    "modules_sha256":{"dep.util":")" + Sha256::hex(mod) + R"("}}]})";
  fs::path lock_path = t.put("x07.lock.json", good);
  project::Lockfile lock = project::load_lockfile(lock_path);
  REQUIRE(lock.dependencies.size() == 1);
  CHECK_NOTHROW(project::verify_lockfile(man, lock));
  auto roots = project::module_roots(man, &lock);
  REQUIRE(roots.size() == 2);
  CHECK(roots[1] == t.dir / "deps/dep/modules");

  t.put("deps/dep/modules/dep/util.x07.json", R"({"kind":"module","changed":true})");
  try {
    project::verify_lockfile(man, lock);
    FAIL("hash mismatch not detected");
  } catch (const project::Error& e) {
    CHECK(std::string(e.what()) == "lockfile module hashes mismatch for \"dep\" (hint: run `x07 pkg lock --project " +
                                       m.string() + "`)");
  }

  t.put("x07.lock.json", R"({"schema_version":"x07.lock@0.4.0","dependencies":[]})");
  CHECK_THROWS_WITH(project::load_lockfile(lock_path), "[X07LOCK_SCHEMA] lockfile is missing required field toolchain");
  t.put("x07.lock.json", R"({"schema_version":"x07.lock@9","dependencies":[]})");
  CHECK_THROWS_WITH(project::load_lockfile(lock_path),
                    Catch::StartsWith("[X07LOCK_SCHEMA] lockfile schema_version mismatch"));
  t.put("x07.lock.json", "[");
  CHECK_THROWS_WITH(project::load_lockfile(lock_path),
                    Catch::StartsWith("[X07LOCK_PARSE] parse lockfile JSON: " + lock_path.string() +
                                      " (hint: run `x07 pkg lock`): "));
  CHECK_THROWS_WITH(project::load_lockfile(t.dir / "none.json"),
                    "[X07LOCK_READ] read lockfile: " + (t.dir / "none.json").string() +
                        " (hint: run `x07 pkg lock`): No such file or directory (os error 2)");
}
