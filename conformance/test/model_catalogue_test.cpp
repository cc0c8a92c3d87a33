// The model ties every prediction to a requirement id: each must exist in
// the catalogue, at the level the model gives it (a typo or a stale id
// would put a wrong citation in every report that quotes it).
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "asyncconf/conformance/catalogue.hpp"
#include "asyncconf/harness/generator.hpp"
#include "asyncconf/harness/model.hpp"

namespace asyncconf::conformance {
namespace {

// Every requirement the model cites, with its level, over many plans. After
// a misuse every check is at least robustness (what follows is its
// consequence), so exact levels are taken from plans without misuse; in
// plans with misuse a level may only be looser than the catalogue's.
std::map<std::string, harness::Level> cited(std::map<std::string, harness::Level>& after_misuse) {
  std::map<std::string, harness::Level> ids;
  harness::GeneratorOptions g;
  g.model.level = harness::Level::Robustness;
  g.model.counting_stacks = true;
  g.model.counting_heap = true;
  g.threads = 3;
  for (const bool fresh : {true, false}) {
    for (const bool exits : {true, false}) {
      g.model.fresh_process = fresh;
      g.model.thread_exits = exits;
      g.threads = exits ? 3 : 1;
      for (std::uint64_t i = 0; i < 3000; ++i) {
        const harness::Sequence s = harness::generate(harness::sequence_seed(11, i), g);
        const harness::Plan p = harness::plan(s, g.model);
        auto& into = p.misuse == 0 ? ids : after_misuse;
        for (const harness::Expected& e : p.expected) {
          for (const harness::FieldCheck& c : e.checks) {
            if (c.requirement != nullptr) into[c.requirement] = c.level;
            if (c.order_requirement != nullptr) into[c.order_requirement] = c.order_level;
          }
        }
      }
    }
  }
  return ids;
}

TEST(ModelCatalogue, EveryCitedRequirementExistsAtTheLevelTheModelGivesIt) {
  std::map<std::string, harness::Level> after_misuse;
  const auto ids = cited(after_misuse);
  EXPECT_GT(ids.size(), 40u);  // the generator reaches most of the model
  for (const auto& [id, level] : ids) {
    const reports::Requirement* r = find_requirement(id);
    ASSERT_NE(r, nullptr) << id << " is not in requirements.json";
    EXPECT_EQ(r->level, to_string(level)) << id;
  }
  EXPECT_GT(after_misuse.size(), 10u);
  for (const auto& [id, level] : after_misuse) {
    const reports::Requirement* r = find_requirement(id);
    ASSERT_NE(r, nullptr) << id << " is not in requirements.json";
    EXPECT_GE(level, level_from_string(r->level).value()) << id;
  }
}

}  // namespace
}  // namespace asyncconf::conformance
