// The catalogue compiled into the tool is requirements.json as it is in the
// source tree (CMake re-embeds it when the file changes).
#include "asyncconf/catalogue/requirements.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

namespace asyncconf::catalogue {
namespace {

nlohmann::json file_catalogue() {
  std::ifstream in(ASYNCCONF_CATALOGUE_JSON);
  return nlohmann::json::parse(in).at("requirements");
}

TEST(EmbeddedCatalogue, HoldsEveryEntryOfTheFileInOrder) {
  const nlohmann::json file = file_catalogue();
  const std::vector<Requirement>& all = requirements();
  ASSERT_EQ(all.size(), file.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].id, file[i].at("id").get<std::string>());
    EXPECT_EQ(all[i].level, file[i].at("level").get<std::string>()) << all[i].id;
    EXPECT_EQ(all[i].text, file[i].at("text").get<std::string>()) << all[i].id;
  }
}

TEST(EmbeddedCatalogue, FindsByIdAndAnswersEmptyForUnknownIds) {
  const Requirement& first = requirements().front();
  ASSERT_NE(find_requirement(first.id), nullptr);
  EXPECT_EQ(*find_requirement(first.id), first);
  EXPECT_EQ(requirement_text(first.id), first.text);
  EXPECT_EQ(requirement_level(first.id), first.level);
  EXPECT_EQ(find_requirement("NO-SUCH-REQUIREMENT"), nullptr);
  EXPECT_EQ(requirement_text("NO-SUCH-REQUIREMENT"), "");
  EXPECT_EQ(requirement_level(""), "");
}

TEST(EmbeddedCatalogue, KnowsARequirementTheRunnersCite) {
  // explore's tests name it; it must stay in the catalogue with its level.
  EXPECT_EQ(requirement_level("START-FINISH-RET"), "must");
  EXPECT_FALSE(requirement_text("START-FINISH-RET").empty());
}

}  // namespace
}  // namespace asyncconf::catalogue
