// asyncconf list: the requirements and the cases that check them.
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "asyncconf/conformance/catalogue.hpp"
#include "commands.hpp"

namespace asyncconf::cli {

namespace {

struct ListOptions {
  bool json = false;
};

std::map<std::string, std::vector<std::string>> cases_by_requirement() {
  std::map<std::string, std::vector<std::string>> out;
  for (const conformance::Case& c : conformance::all_cases()) {
    for (const std::string& id : c.requirements) out[id].push_back(c.id);
  }
  return out;
}

int run_list(const ListOptions& o) {
  const auto checked_by = cases_by_requirement();
  const auto& reqs = conformance::requirements();
  const auto& cases = conformance::all_cases();
  if (o.json) {
    nlohmann::json doc{{"requirements", nlohmann::json::array()}, {"cases", nlohmann::json::array()}};
    for (const reports::Requirement& r : reqs) {
      const auto it = checked_by.find(r.id);
      doc["requirements"].push_back({{"id", r.id}, {"level", r.level}, {"function", r.function},
                                     {"since", r.since}, {"source", r.source}, {"text", r.text},
                                     {"cases", it == checked_by.end() ? std::vector<std::string>{}
                                                                      : it->second}});
    }
    for (const conformance::Case& c : cases) {
      std::vector<std::string> needs;
      for (conformance::Capability n : c.needs) needs.emplace_back(conformance::to_string(n));
      doc["cases"].push_back({{"id", c.id}, {"title", c.title}, {"area", c.area()},
                              {"level", conformance::to_string(conformance::case_level(c))},
                              {"requirements", c.requirements}, {"needs", needs}});
    }
    std::printf("%s\n", doc.dump(2).c_str());
    return kExitOk;
  }
  std::printf("%zu requirements\n", reqs.size());
  for (const reports::Requirement& r : reqs) {
    const auto it = checked_by.find(r.id);
    std::printf("  %-40s %-10s %-32s %zu case(s)\n", r.id.c_str(), r.level.c_str(),
                r.function.c_str(), it == checked_by.end() ? 0 : it->second.size());
  }
  std::printf("%zu cases\n", cases.size());
  for (const conformance::Case& c : cases) {
    std::string ids;
    for (const std::string& id : c.requirements) ids += (ids.empty() ? "" : ", ") + id;
    std::printf("  %-48s %-10s %s\n", c.id.c_str(),
                conformance::to_string(conformance::case_level(c)), ids.c_str());
  }
  return kExitOk;
}

}  // namespace

void setup_list(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ListOptions>();
  CLI::App* list = app.add_subcommand("list", "List the requirements and the cases that check them");
  list->add_flag("--json", options->json, "Print JSON instead of text");
  list->callback([options, &exit_code] { exit_code = run_list(*options); });
}

}  // namespace asyncconf::cli
