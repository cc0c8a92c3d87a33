// The requirement catalogue (conformance/requirements/requirements.json,
// embedded at build time): every rule the suite, the model and the runners
// cite by id.
#pragma once

#include <string>
#include <vector>

namespace asyncconf::catalogue {

/// One requirement of the catalogue.
struct Requirement {
  std::string id;        ///< e.g. "START-FINISH-JOB-NULL"
  std::string level;     ///< "must" (man page), "de-facto" (OpenSSL's code), "robustness"
  std::string function;  ///< the ABI function it is about, e.g. "ASYNC_start_job"
  std::string since;     ///< OpenSSL release that introduced it: "1.1.0", "3.0", "3.2"
  std::string source;    ///< "ASYNC_start_job.pod", "OpenSSL crypto/async/async.c", ...
  std::string text;      ///< the quoted sentence (must) or the rule as stated (others)

  friend bool operator==(const Requirement&, const Requirement&) = default;
};

/// Every requirement, in catalogue order.
const std::vector<Requirement>& requirements();
/// The requirement with that id, or null.
const Requirement* find_requirement(const std::string& id);

/// The text of a requirement ("" for an unknown id): what traces and C
/// reproducers quote.
std::string requirement_text(const std::string& id);
/// The level of a requirement ("" for an unknown id).
std::string requirement_level(const std::string& id);

}  // namespace asyncconf::catalogue
