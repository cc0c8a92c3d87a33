// JUnit XML as GitLab, Jenkins (junit plugin) and the GitHub test-report
// actions read it. There is no single JUnit schema; this sticks to the
// subset all three understand: <testsuites>/<testsuite>/<testcase> with
// <failure>, <error>, <skipped>, <system-out> and suite <properties>.
#include "asyncconf/reports/junit_report.hpp"

#include "text.hpp"

namespace asyncconf::reports {
namespace {

using detail::escape_markup;

std::string attr(const std::string& text) { return escape_markup(text, true); }

// The message attribute is what the CI views show in their one-line list,
// so it is short: the verdict and the first line of the evidence.
std::string message(const std::string& label, const std::string& evidence) {
  const std::string line = detail::first_line(evidence, 200);
  return line.empty() ? label : label + ": " + line;
}

// Seconds, as the time attributes are; milliseconds in our model. Fixed
// notation because some readers reject exponents.
std::string seconds(double ms) { return detail::format_fixed(ms / 1000.0, 3); }

void property(std::string& out, const std::string& name, const std::string& value) {
  out += "      <property name=\"" + attr(name) + "\" value=\"" + attr(value) + "\"/>\n";
}

void properties(std::string& out, const RunReport& report) {
  const Implementation& impl = report.implementation;
  out += "    <properties>\n";
  property(out, "implementation.name", impl.name);
  property(out, "implementation.path", impl.path);
  property(out, "implementation.sha256", impl.sha256);
  property(out, "implementation.version", impl.version);
  property(out, "implementation.abi_level", impl.abi_level);
  property(out, "implementation.capabilities", detail::join(impl.capabilities));
  property(out, "implementation.missing_optional", detail::join(impl.missing_optional));
  property(out, "asyncconf.version", report.tool_version);
  property(out, "run.complete", report.complete ? "true" : "false");
  property(out, "run.started_at", report.started_at);
  property(out, "run.finished_at", report.finished_at);
  property(out, "run.expectations_file", report.expectations_file);
  property(out, "run.filter", report.filter);
  property(out, "run.level", report.level);
  property(out, "run.timeout_ms", std::to_string(report.timeout_ms));
  property(out, "run.jobs", std::to_string(report.jobs));
  out += "    </properties>\n";
}

// The element inside <testcase> that says how it went, if anything.
std::string outcome(const CaseResult& c) {
  const std::string verdict = to_string(c.verdict);
  const std::string evidence = escape_markup(c.evidence);
  auto element = [&](const char* tag, const std::string& msg) {
    return std::string("      <") + tag + " message=\"" + attr(msg) + "\" type=\"" + verdict +
           "\">" + evidence + "</" + tag + ">\n";
  };
  switch (c.verdict) {
    case Verdict::Pass:
      if (!c.expected_failure) return "";
      // Passing is fine for CI, but the stale expectation should be seen.
      return "      <system-out>Listed as an expected failure (" +
             escape_markup(*c.expected_failure) +
             ") but passed: remove it from the expectations file.</system-out>\n";
    case Verdict::Fail: return element("failure", message(verdict, c.evidence));
    // <error> rather than <failure>: the case could not finish its checks,
    // which is how JUnit tells "broke" from "checked and wrong".
    case Verdict::Crash:
    case Verdict::Timeout:
    case Verdict::Error: return element("error", message(verdict, c.evidence));
    // <skipped> keeps the CI job green, as the exit code does; all three
    // consumers list skipped tests with their message, so the reason stays
    // visible. An expected failure is known and recorded with a reason in
    // the expectations file: failing the job for it again on every run
    // would only teach people to ignore red.
    case Verdict::NotApplicable: return element("skipped", message("not applicable", c.evidence));
    case Verdict::ExpectedFail:
      return element("skipped", "expected failure (observed " + std::string(to_string(c.observed)) +
                                    "): " + c.expected_failure.value_or(""));
  }
  return "";
}

}  // namespace

std::string write_junit(const RunReport& report) {
  const Summary s = report.summary();
  // Cases run in parallel (--jobs), so the suite's time is the sum of its
  // cases' times, not the wall-clock time of the run.
  double total_ms = 0;
  for (const CaseResult& c : report.cases) total_ms += c.duration_ms;
  const std::string counts =
      "tests=\"" + std::to_string(s.total) + "\" failures=\"" + std::to_string(s.fail) +
      "\" errors=\"" + std::to_string(s.crash + s.timeout + s.error) + "\" skipped=\"" +
      std::to_string(s.not_applicable + s.expected_fail) + "\" time=\"" + seconds(total_ms) + "\"";

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"asyncconf\" " + counts + ">\n";
  out += "  <testsuite name=\"" + attr("asyncconf: " + report.implementation.name) + "\" " +
         counts + " timestamp=\"" + attr(report.started_at) + "\">\n";
  properties(out, report);
  for (const CaseResult& c : report.cases) {
    // classname groups cases by area in the CI views (Jenkins shows it as
    // a package tree, hence the dot).
    out += "    <testcase classname=\"" + attr("asyncconf." + c.area) + "\" name=\"" + attr(c.id) +
           "\" time=\"" + seconds(c.duration_ms) + "\"";
    const std::string inner = outcome(c);
    out += inner.empty() ? "/>\n" : ">\n" + inner + "    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace asyncconf::reports
