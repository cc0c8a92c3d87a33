// Reports to feed the writers in tests: one case of every verdict, with
// every field set.
#pragma once

#include <string>

#include "asyncconf/reports/result.hpp"

namespace asyncconf::reports::testing {

inline CaseResult make_case(std::string id, Verdict verdict, std::string evidence = "",
                            std::vector<std::string> requirements = {"REQ-A"}) {
  CaseResult c;
  c.id = std::move(id);
  c.title = "Title of " + c.id;
  c.area = c.id.substr(0, c.id.find('/'));
  c.level = "must";
  c.requirements = std::move(requirements);
  c.verdict = verdict;
  c.observed = verdict;
  c.evidence = std::move(evidence);
  c.duration_ms = 1.5;
  return c;
}

/// A report with one case of each verdict, an expected failure that
/// passed, and every field of the model set.
inline RunReport sample_report() {
  RunReport r;
  r.tool_version = "0.1.0";
  r.implementation = {"reference",
                      "/opt/lib/libasyncref.so",
                      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                      "asyncref 0.1",
                      "3.2",
                      {"callbacks", "mem-functions"},
                      {}};
  r.started_at = "2024-05-01T10:00:00Z";
  r.finished_at = "2024-05-01T10:00:05Z";
  r.complete = true;
  r.expectations_file = "conformance/expectations/reference.json";
  r.filter = "*";
  r.level = "must";
  r.timeout_ms = 5000;
  r.jobs = 4;
  r.requirements = {
      {"REQ-A", "must", "ASYNC_start_job", "1.1.0", "ASYNC_start_job.pod", "A job starts."},
      {"REQ-B", "de-facto", "ASYNC_pause_job", "1.1.0", "OpenSSL crypto/async/async.c",
       "It pauses."},
      {"REQ-C", "robustness", "ASYNC_WAIT_CTX_new", "3.0", "ASYNC_WAIT_CTX_new.pod", "No case."},
  };
  r.cases.push_back(make_case("start/pass", Verdict::Pass));
  r.cases.push_back(
      make_case("start/fail", Verdict::Fail, "observed ASYNC_ERR, expected ASYNC_FINISH\nmore"));
  r.cases.push_back(make_case("pause/crash", Verdict::Crash, "SIGSEGV\nstderr tail", {"REQ-B"}));
  r.cases.push_back(
      make_case("pause/timeout", Verdict::Timeout, "killed after 5000 ms", {"REQ-B"}));
  r.cases.push_back(
      make_case("mem/na", Verdict::NotApplicable, "lacks ASYNC_set_mem_functions", {"REQ-B"}));
  CaseResult expected =
      make_case("pool/xfail", Verdict::ExpectedFail, "observed 2, expected 1", {"REQ-A"});
  expected.observed = Verdict::Fail;
  expected.expected_failure = "pool size off by one (issue 12)";
  r.cases.push_back(expected);
  r.cases.push_back(
      make_case("pool/error", Verdict::Error, "fork: Resource temporarily unavailable", {"REQ-B"}));
  CaseResult fixed = make_case("pool/fixed", Verdict::Pass, "", {"REQ-A"});
  fixed.expected_failure = "was broken before 3.0";
  r.cases.push_back(fixed);
  return r;
}

/// How many times `part` occurs in `text`.
inline std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace asyncconf::reports::testing
