#include "asyncconf/reports/result.hpp"

namespace asyncconf::reports {

const char* to_string(Verdict verdict) noexcept {
  switch (verdict) {
    case Verdict::Pass: return "pass";
    case Verdict::Fail: return "fail";
    case Verdict::Crash: return "crash";
    case Verdict::Timeout: return "timeout";
    case Verdict::NotApplicable: return "not-applicable";
    case Verdict::ExpectedFail: return "expected-fail";
    case Verdict::Error: return "error";
  }
  // Only a value outside the enumerators (a cast) gets here.
  return "invalid";
}

std::optional<Verdict> verdict_from_string(const std::string& text) noexcept {
  for (const Verdict verdict : {Verdict::Pass, Verdict::Fail, Verdict::Crash, Verdict::Timeout,
                                Verdict::NotApplicable, Verdict::ExpectedFail, Verdict::Error}) {
    if (text == to_string(verdict)) return verdict;
  }
  return std::nullopt;
}

void Summary::add(const CaseResult& result) noexcept {
  ++total;
  switch (result.verdict) {
    case Verdict::Pass:
      ++pass;
      if (result.expected_failure) ++unexpected_pass;
      break;
    case Verdict::Fail: ++fail; break;
    case Verdict::Crash: ++crash; break;
    case Verdict::Timeout: ++timeout; break;
    case Verdict::NotApplicable: ++not_applicable; break;
    case Verdict::ExpectedFail: ++expected_fail; break;
    case Verdict::Error: ++error; break;
  }
}

std::int64_t Summary::of(Verdict verdict) const noexcept {
  switch (verdict) {
    case Verdict::Pass: return pass;
    case Verdict::Fail: return fail;
    case Verdict::Crash: return crash;
    case Verdict::Timeout: return timeout;
    case Verdict::NotApplicable: return not_applicable;
    case Verdict::ExpectedFail: return expected_fail;
    case Verdict::Error: return error;
  }
  return 0;
}

Summary RunReport::summary() const {
  Summary summary;
  for (const CaseResult& result : cases) summary.add(result);
  return summary;
}

int RunReport::exit_code() const {
  for (const CaseResult& result : cases) {
    switch (result.verdict) {
      case Verdict::Pass:
      case Verdict::NotApplicable:
      case Verdict::ExpectedFail: break;
      case Verdict::Fail:
      case Verdict::Crash:
      case Verdict::Timeout:
      case Verdict::Error: return 1;
    }
  }
  return 0;
}

}  // namespace asyncconf::reports
