#include "asyncconf/reports/junit_report.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "sample_report.hpp"
#include "xml_check.hpp"

namespace asyncconf::reports {
namespace {

using testing::contains;
using testing::count;
using testing::xml_problem;

constexpr const char* kHostile = "<script>&\"'\x01 and \xff";

RunReport hostile_report() {
  RunReport report = testing::sample_report();
  report.implementation.name = "evil<&>\"'";
  report.implementation.path =
      "/tmp/a\x01"
      "b.so";
  report.cases[1].evidence = kHostile;
  report.cases[1].id = "start/<fail>";
  report.cases[1].area = "a&b";
  report.cases[2].evidence = std::string("nul\0byte ]]> end", 16);
  report.cases[5].expected_failure = "reason with \"quotes\"\nand a newline";
  return report;
}

TEST(XmlCheck, CatchesWhatItShould) {
  EXPECT_EQ(xml_problem("<a><b x=\"1\"/>t &amp; &#10;</a>"), "");
  EXPECT_NE(xml_problem("<a><b></a>"), "");
  EXPECT_NE(xml_problem("<a>x & y</a>"), "");
  EXPECT_NE(xml_problem("<a x=\"<\"/>"), "");
  EXPECT_NE(xml_problem("<a>\x01</a>"), "");
  EXPECT_NE(xml_problem("<a/><b/>"), "");
  EXPECT_NE(xml_problem("<a>"), "");
}

TEST(JunitReport, IsWellFormed) {
  EXPECT_EQ(xml_problem(write_junit(testing::sample_report())), "");
  EXPECT_EQ(xml_problem(write_junit(hostile_report())), "");
}

TEST(JunitReport, XmllintAcceptsIt) {
#ifndef ASYNCCONF_XMLLINT
  GTEST_SKIP() << "xmllint not found at configure time (Debian package libxml2-utils)";
#else
  for (const RunReport& report : {testing::sample_report(), hostile_report(), RunReport{}}) {
    char name[] = "/tmp/asyncconf-junit-XXXXXX";
    const int fd = ::mkstemp(name);
    ASSERT_GE(fd, 0);
    ::close(fd);
    std::ofstream(name, std::ios::binary) << write_junit(report);
    const std::string command = std::string(ASYNCCONF_XMLLINT) + " --noout " + name;
    const int status = std::system(command.c_str());
    std::remove(name);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << command;
  }
#endif
}

TEST(JunitReport, EscapesHostileText) {
  const std::string xml = write_junit(hostile_report());
  EXPECT_FALSE(contains(xml, "<script")) << xml;
  EXPECT_TRUE(contains(xml, "&lt;script&gt;&amp;&quot;&#39;")) << xml;
  EXPECT_FALSE(contains(xml, "\x01"));
  EXPECT_FALSE(contains(xml, std::string(1, '\0')));
  EXPECT_TRUE(contains(xml, "nulbyte ]]&gt; end"));
  EXPECT_TRUE(contains(xml, "and \xEF\xBF\xBD"));  // the invalid byte, replaced
  EXPECT_TRUE(contains(xml, "name=\"start/&lt;fail&gt;\""));
  EXPECT_TRUE(contains(xml, "classname=\"asyncconf.a&amp;b\""));
  EXPECT_TRUE(contains(xml, "<testsuite name=\"asyncconf: evil&lt;&amp;&gt;&quot;&#39;\""));
  // A newline in an attribute would be read back as a space.
  EXPECT_TRUE(contains(xml, "&quot;quotes&quot;&#10;and a newline")) << xml;
}

TEST(JunitReport, CountsAttributes) {
  const std::string xml = write_junit(testing::sample_report());
  // 8 cases: 1 fail; crash + timeout + error; not-applicable + expected-fail.
  // 8 x 1.5 ms.
  const std::string counts = "tests=\"8\" failures=\"1\" errors=\"3\" skipped=\"2\" time=\"0.012\"";
  EXPECT_TRUE(contains(xml, "<testsuites name=\"asyncconf\" " + counts + ">")) << xml;
  EXPECT_TRUE(contains(xml, "<testsuite name=\"asyncconf: reference\" " + counts)) << xml;
  EXPECT_EQ(count(xml, "<testcase "), 8u);
}

TEST(JunitReport, MapsEachVerdictToItsElement) {
  const std::string xml = write_junit(testing::sample_report());
  EXPECT_TRUE(
      contains(xml, "<testcase classname=\"asyncconf.start\" name=\"start/pass\" time=\"0.002\"/>"))
      << xml;
  EXPECT_TRUE(contains(xml,
                       "<failure message=\"fail: observed ASYNC_ERR, expected ASYNC_FINISH\" "
                       "type=\"fail\">observed ASYNC_ERR, expected ASYNC_FINISH\nmore</failure>"));
  EXPECT_TRUE(contains(
      xml, "<error message=\"crash: SIGSEGV\" type=\"crash\">SIGSEGV\nstderr tail</error>"));
  EXPECT_TRUE(contains(xml, "<error message=\"timeout: killed after 5000 ms\" type=\"timeout\">"));
  EXPECT_TRUE(contains(
      xml, "<error message=\"error: fork: Resource temporarily unavailable\" type=\"error\">"));
  EXPECT_TRUE(contains(xml, "<skipped message=\"not applicable: lacks ASYNC_set_mem_functions\""));
  EXPECT_TRUE(contains(xml,
                       "<skipped message=\"expected failure (observed fail): pool size off by one "
                       "(issue 12)\" type=\"expected-fail\">observed 2, expected 1</skipped>"));
  EXPECT_EQ(count(xml, "<failure "), 1u);
  EXPECT_EQ(count(xml, "<error "), 3u);
  EXPECT_EQ(count(xml, "<skipped "), 2u);
}

TEST(JunitReport, ExpectedFailureThatPassedIsReportedInSystemOut) {
  const std::string xml = write_junit(testing::sample_report());
  EXPECT_TRUE(contains(
      xml, "<system-out>Listed as an expected failure (was broken before 3.0) but passed"));
}

TEST(JunitReport, PropertiesCarryTheImplementationIdentity) {
  const std::string xml = write_junit(testing::sample_report());
  EXPECT_TRUE(contains(xml, "<property name=\"implementation.name\" value=\"reference\"/>"));
  EXPECT_TRUE(contains(xml, "<property name=\"implementation.sha256\" value=\"0123456789abcdef"));
  EXPECT_TRUE(contains(
      xml, "<property name=\"implementation.capabilities\" value=\"callbacks, mem-functions\"/>"));
  EXPECT_TRUE(contains(xml, "<property name=\"implementation.abi_level\" value=\"3.2\"/>"));
}

TEST(JunitReport, LongMessageIsCutOnACharacterBoundary) {
  RunReport report = testing::sample_report();
  report.cases[1].evidence = std::string(199, 'x') + "\u00e9\u00e9";  // é straddles byte 200
  const std::string xml = write_junit(report);
  EXPECT_TRUE(contains(xml, "message=\"fail: " + std::string(199, 'x') + "...\""));
}

}  // namespace
}  // namespace asyncconf::reports
