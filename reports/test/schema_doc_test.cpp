// reports/SCHEMA.md is what users read; these facts keep it in step with
// the writer and the reader.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "asyncconf/reports/json_report.hpp"
#include "sample_report.hpp"

namespace asyncconf::reports {
namespace {

std::string schema_doc() {
  std::ifstream in(ASYNCCONF_SCHEMA_MD);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every object key in `value`, its nested objects and arrays of objects.
void collect_keys(const nlohmann::json& value, std::vector<std::string>& keys) {
  if (value.is_array()) {
    for (const nlohmann::json& element : value) collect_keys(element, keys);
  } else if (value.is_object()) {
    for (const auto& [key, member] : value.items()) {
      keys.push_back(key);
      collect_keys(member, keys);
    }
  }
}

TEST(SchemaDoc, DocumentsEveryFieldTheWriterWrites) {
  const std::string doc = schema_doc();
  ASSERT_FALSE(doc.empty()) << ASYNCCONF_SCHEMA_MD;
  std::vector<std::string> keys;
  collect_keys(to_json(testing::sample_report()), keys);
  for (const std::string& key : keys) {
    EXPECT_TRUE(testing::contains(doc, "| `" + key + "` |"))
        << key << " is not in a SCHEMA.md table";
  }
}

TEST(SchemaDoc, StatesTheCurrentVersion) {
  EXPECT_TRUE(testing::contains(
      schema_doc(), "# report.json schema, version " + std::to_string(kSchemaVersion) + "\n"));
}

TEST(SchemaDoc, ExampleIsAcceptedByTheReader) {
  const std::string doc = schema_doc();
  const std::size_t start = doc.find("```json\n");
  ASSERT_NE(start, std::string::npos);
  const std::size_t body = start + 8;
  const std::string example = doc.substr(body, doc.find("```", body) - body);
  const RunReport report =
      run_report_from_json(nlohmann::json::parse(example), "SCHEMA.md example");
  EXPECT_EQ(report.cases.size(), 1u);
}

}  // namespace
}  // namespace asyncconf::reports
