// Runtime attestation (`--attest-runtime PATH`, run-os-sandboxed only; runner.md §2.7).
#pragma once
#include <optional>
#include <string>

#include "cli.hpp"
#include "common/policy.hpp"
#include "common/report.hpp"
#include "sandbox_backend.hpp"

namespace x07::runner {

class Attestation {
 public:
  Attestation(const Options& o, const policy::Policy* p, const BackendChoice& backend, size_t input_len);

  // Writes the attestation file (declaration order, pretty + "\n") and returns the
  // report reference. Throws RunnerError "X07RA_...: ..." on failure.
  report::AttestationRef write(const std::string& artifact, const std::optional<std::string>& run_dir,
                               const report::Solve& outcome) const;

 private:
  const Options& o_;
  const policy::Policy* policy_;
  BackendChoice backend_;
  size_t input_len_;
};

}  // namespace x07::runner
