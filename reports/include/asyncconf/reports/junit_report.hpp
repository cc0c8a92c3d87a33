// junit.xml: the report for CI test-report views (GitLab, Jenkins, GitHub
// test-report actions).
#pragma once

#include <string>

#include "asyncconf/reports/result.hpp"

namespace asyncconf::reports {

/// The report as a JUnit XML document (UTF-8, XML 1.0): one <testsuite> for
/// the implementation, one <testcase> per case. fail is a <failure>; crash,
/// timeout and error are an <error>; not-applicable and expected-fail are
/// <skipped>. All text is escaped, and characters XML 1.0 forbids are
/// dropped (invalid UTF-8 becomes U+FFFD).
std::string write_junit(const RunReport& report);

}  // namespace asyncconf::reports
