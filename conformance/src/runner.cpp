#include "asyncconf/conformance/runner.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>

#include "asyncconf/harness/identity.hpp"
#include "asyncconf/harness/sandbox.hpp"

namespace asyncconf::conformance {

namespace {

using reports::CaseResult;
using reports::Verdict;

const harness::AsyncApi* g_api = nullptr;


// In the child: runs the case and reports {"failed", "evidence"} as JSON.
std::string run_in_child(const harness::AsyncApi& api, const Case& c) {
  g_api = &api;
  CaseContext context(api);
  c.run(context);
  return nlohmann::json{{"failed", context.failed()}, {"evidence", context.evidence()}}.dump();
}

std::string with_stderr(std::string evidence, const std::string& stderr_tail) {
  if (!stderr_tail.empty()) evidence += "\n--- stderr of the child (last bytes) ---\n" + stderr_tail;
  return evidence;
}

// What the child's end says about the case, before expectations.
void judge(const harness::ChildOutcome& o, std::chrono::milliseconds timeout, CaseResult& r) {
  using Kind = harness::ChildOutcome::Kind;
  switch (o.kind) {
    case Kind::HarnessError:
      r.observed = Verdict::Error;
      r.evidence = "harness: " + o.error;
      return;
    case Kind::Signaled:
      r.observed = Verdict::Crash;
      r.evidence = with_stderr("killed by " + harness::signal_name(o.signal), o.stderr_tail);
      return;
    case Kind::TimedOut:
      r.observed = Verdict::Timeout;
      r.evidence = with_stderr(
          "no result within " + std::to_string(timeout.count()) + " ms; the child was killed",
          o.stderr_tail);
      return;
    case Kind::Exited:
      break;
  }
  if (o.exit_code != 0) {
    // Cases never exit: the implementation ended the process.
    r.observed = Verdict::Crash;
    r.evidence = with_stderr(
        "the process exited with status " + std::to_string(o.exit_code) + " during the case",
        o.stderr_tail);
    return;
  }
  try {
    const nlohmann::json result = nlohmann::json::parse(o.payload);
    const bool failed = result.at("failed").get<bool>();
    r.observed = failed ? Verdict::Fail : Verdict::Pass;
    r.evidence = result.at("evidence").get<std::string>();
    if (!failed) r.evidence.clear();  // notes matter only for a failure
  } catch (const nlohmann::json::exception& e) {
    r.observed = Verdict::Error;
    r.evidence = with_stderr(std::string("harness: malformed result from the child: ") + e.what(),
                             o.stderr_tail);
  }
}

CaseResult describe_case(const Case& c) {
  CaseResult r;
  r.id = c.id;
  r.title = c.title;
  r.area = c.area();
  r.level = to_string(case_level(c));
  r.requirements = c.requirements;
  return r;
}

}  // namespace

const harness::AsyncApi& api() { return *g_api; }

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

Verdict apply_expectation(Verdict observed, bool expected_to_fail) noexcept {
  if (!expected_to_fail) return observed;
  switch (observed) {
    case Verdict::Fail:
    case Verdict::Crash:
    case Verdict::Timeout:
      return Verdict::ExpectedFail;
    case Verdict::Pass:
    case Verdict::NotApplicable:
    case Verdict::ExpectedFail:
    case Verdict::Error:
      return observed;
  }
  return observed;
}

std::vector<const Case*> select_cases(const std::string& filter, Level level) {
  std::vector<const Case*> selected;
  for (const Case& c : all_cases()) {
    if (!filter.empty() && ::fnmatch(filter.c_str(), c.id.c_str(), 0) != 0) continue;
    if (case_level(c) > level) continue;
    selected.push_back(&c);
  }
  return selected;
}

reports::RunReport run_cases(const harness::LoadedImpl& impl, const std::vector<const Case*>& cases,
                             const RunOptions& options) {
  reports::RunReport report;
  report.tool_version = ASYNCCONF_VERSION;
  report.started_at = utc_now();
  report.filter = options.filter;
  report.level = options.level;
  report.timeout_ms = static_cast<int>(options.timeout.count());
  report.jobs = static_cast<int>(options.jobs);
  report.expectations_file = options.expectations != nullptr ? options.expectations->path : "";

  const harness::Identity id = harness::identify(impl);
  report.implementation = {options.impl_name, id.path, id.sha256, id.version,
                           harness::to_string(id.abi_level), id.capabilities, id.missing_optional};

  std::set<std::string> cited;
  for (const Case* c : cases) cited.insert(c->requirements.begin(), c->requirements.end());
  for (const reports::Requirement& req : requirements()) {
    if (cited.count(req.id) != 0) report.requirements.push_back(req);
  }

  // Results land here by position, so the report keeps suite order.
  std::vector<std::optional<CaseResult>> results(cases.size());
  std::size_t done = 0;
  const auto finish = [&](std::size_t i, CaseResult r) {
    if (const ExpectedFailure* e =
            options.expectations != nullptr ? options.expectations->find(r.id) : nullptr) {
      r.expected_failure = e->reason;
    }
    r.verdict = apply_expectation(r.observed, r.expected_failure.has_value());
    ++done;
    if (options.on_result) options.on_result(r, done, cases.size());
    results[i] = std::move(r);
  };

  // Cases the implementation cannot run are settled here, without a child.
  std::vector<std::size_t> to_run;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Case& c = *cases[i];
    const auto missing = std::find_if(c.needs.begin(), c.needs.end(),
                                      [&](Capability need) { return !has(impl.api(), need); });
    if (missing == c.needs.end()) {
      to_run.push_back(i);
      continue;
    }
    CaseResult r = describe_case(c);
    r.observed = Verdict::NotApplicable;
    r.evidence = std::string("the implementation lacks ") + to_string(*missing);
    finish(i, std::move(r));
  }

  harness::SandboxOptions sandbox;
  sandbox.parallel = options.jobs;
  sandbox.timeout = options.timeout;
  sandbox.stop = options.stop;
  const std::size_t ran = harness::run_in_children(
      to_run.size(), [&](std::size_t k) { return run_in_child(impl.api(), *cases[to_run[k]]); },
      [&](std::size_t k, harness::ChildOutcome outcome) {
        CaseResult r = describe_case(*cases[to_run[k]]);
        judge(outcome, options.timeout, r);
        r.duration_ms = outcome.duration_ms;
        finish(to_run[k], std::move(r));
      },
      sandbox);

  report.complete = ran == to_run.size();
  for (auto& r : results) {
    if (r.has_value()) report.cases.push_back(std::move(*r));
  }
  report.finished_at = utc_now();
  return report;
}

}  // namespace asyncconf::conformance
