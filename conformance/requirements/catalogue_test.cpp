// Checks that the requirement catalogue (requirements.json) is well formed and
// honest: every "must" entry quotes its man page verbatim, the man pages in
// spec/ are the ones in ../shared/spec, and every entry names a real function
// of the ABI with a plausible "since".

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kCatalogue = ASYNCCONF_CATALOGUE_JSON;
const fs::path kSpecDir = ASYNCCONF_CATALOGUE_SPEC_DIR;
const fs::path kSharedSpecDir = ASYNCCONF_SHARED_SPEC_DIR;

const std::set<std::string> kLevels = {"must", "de-facto", "robustness"};
const std::vector<std::string> kReleases = {"1.1.0", "3.0", "3.2"};  // in order

// The 22 functions of the ABI and the release that added each (the pods'
// HISTORY sections).
const std::map<std::string, std::string> kFunctions = {
    {"ASYNC_init_thread", "1.1.0"},
    {"ASYNC_cleanup_thread", "1.1.0"},
    {"ASYNC_start_job", "1.1.0"},
    {"ASYNC_pause_job", "1.1.0"},
    {"ASYNC_get_current_job", "1.1.0"},
    {"ASYNC_get_wait_ctx", "1.1.0"},
    {"ASYNC_block_pause", "1.1.0"},
    {"ASYNC_unblock_pause", "1.1.0"},
    {"ASYNC_is_capable", "1.1.0"},
    {"ASYNC_set_mem_functions", "3.2"},
    {"ASYNC_get_mem_functions", "3.2"},
    {"ASYNC_WAIT_CTX_new", "1.1.0"},
    {"ASYNC_WAIT_CTX_free", "1.1.0"},
    {"ASYNC_WAIT_CTX_set_wait_fd", "1.1.0"},
    {"ASYNC_WAIT_CTX_get_fd", "1.1.0"},
    {"ASYNC_WAIT_CTX_get_all_fds", "1.1.0"},
    {"ASYNC_WAIT_CTX_get_changed_fds", "1.1.0"},
    {"ASYNC_WAIT_CTX_clear_fd", "1.1.0"},
    {"ASYNC_WAIT_CTX_set_callback", "3.0"},
    {"ASYNC_WAIT_CTX_get_callback", "3.0"},
    {"ASYNC_WAIT_CTX_set_status", "3.0"},
    {"ASYNC_WAIT_CTX_get_status", "3.0"},
};

// Id prefixes, one per area, in catalogue order: ASYNC_start_job.pod's
// areas, then ASYNC_WAIT_CTX_new.pod's (WAITCTX- is the ctx object itself:
// new, reuse), then the cross-cutting ones. WAITCTX-LOOKUP- (for
// ASYNC_get_wait_ctx) is listed before WAITCTX- because the first matching
// prefix decides the area.
const std::vector<std::string> kAreaPrefixes = {
    "POOL-",  "START-",    "PAUSE-",   "CURRENT-",  "WAITCTX-LOOKUP-", "BLOCK-",
    "WAITCTX-", "FD-",     "CHANGED-", "CLEANUP-",  "CALLBACK-",       "STATUS-",
    "MEM-",   "THREAD-",   "LEAK-",    "ROBUST-",   "CAPABLE-",
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// POD with its formatting codes (B<...>, I<...>, F<< ... >>, L<text|target>,
// E<lt>, ...) replaced by their text. Codes nest.
std::string strip_pod_markup(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    const bool code = std::string_view("IBCLEFSXZ").find(c) != std::string_view::npos &&
                      i + 1 < s.size() && s[i + 1] == '<';
    if (!code) {
      out += c;
      ++i;
      continue;
    }
    std::size_t j = i + 1;
    std::size_t angles = 0;
    while (j < s.size() && s[j] == '<') {
      ++angles;
      ++j;
    }
    std::string inner;
    std::size_t end = s.size();
    if (angles >= 2 && j < s.size() && is_space(s[j])) {
      // X<< text >>: the text runs to whitespace followed by as many '>'.
      const std::string closer(angles, '>');
      std::size_t p = j;
      while (p < s.size()) {
        const std::size_t hit = s.find(closer, p);
        if (hit == std::string_view::npos) {
          p = s.size();
          break;
        }
        if (hit > j && is_space(s[hit - 1])) {
          p = hit;
          break;
        }
        p = hit + 1;
      }
      std::string_view body = s.substr(j, p - j);
      while (!body.empty() && is_space(body.front())) body.remove_prefix(1);
      while (!body.empty() && is_space(body.back())) body.remove_suffix(1);
      inner = std::string(body);
      end = std::min(s.size(), p + angles);
    } else {
      // X<text>: '<' and '>' nest.
      int depth = 1;
      std::size_t p = i + 2;
      while (p < s.size() && depth > 0) {
        if (s[p] == '<') ++depth;
        if (s[p] == '>') --depth;
        ++p;
      }
      inner = std::string(s.substr(i + 2, (depth == 0 ? p - 1 : p) - (i + 2)));
      end = p;
    }
    inner = strip_pod_markup(inner);
    if (c == 'E') {
      static const std::map<std::string, std::string> kEscapes = {
          {"lt", "<"}, {"gt", ">"}, {"verbar", "|"}, {"sol", "/"}};
      if (auto it = kEscapes.find(inner); it != kEscapes.end()) inner = it->second;
    } else if (c == 'L') {
      if (auto bar = inner.find('|'); bar != std::string::npos) inner.resize(bar);
    } else if (c == 'X' || c == 'Z') {
      inner.clear();
    }
    out += inner;
    i = end;
  }
  return out;
}

std::string collapse_whitespace(std::string_view s) {
  std::string out;
  bool pending_space = false;
  for (char c : s) {
    if (is_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

std::string normalise(std::string_view pod) { return collapse_whitespace(strip_pod_markup(pod)); }

std::vector<std::string> pod_names(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().extension() == ".pod")
      names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

class Catalogue : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    doc_ = new json(json::parse(read_file(kCatalogue)));
    pods_ = new std::map<std::string, std::string>;
    for (const auto& name : pod_names(kSpecDir)) (*pods_)[name] = normalise(read_file(kSpecDir / name));
  }
  static void TearDownTestSuite() {
    delete doc_;
    delete pods_;
    doc_ = nullptr;
    pods_ = nullptr;
  }

  static const json& requirements() { return doc_->at("requirements"); }
  static std::string field(const json& r, const char* name) {
    return r.contains(name) && r.at(name).is_string() ? r.at(name).get<std::string>() : "";
  }
  static std::string where(const json& r) { return "requirement " + field(r, "id"); }

  static json* doc_;
  static std::map<std::string, std::string>* pods_;
};

json* Catalogue::doc_ = nullptr;
std::map<std::string, std::string>* Catalogue::pods_ = nullptr;

// --- the normalisation the quotes are checked with ---------------------------

TEST(PodText, StripsFormattingCodes) {
  EXPECT_EQ(strip_pod_markup("B<ASYNC_JOB>s and I<*job>"), "ASYNC_JOBs and *job");
  EXPECT_EQ(strip_pod_markup("see L<ASYNC_WAIT_CTX_new(3)>"), "see ASYNC_WAIT_CTX_new(3)");
  EXPECT_EQ(strip_pod_markup("L<the page|ASYNC_start_job(3)>"), "the page");
  EXPECT_EQ(strip_pod_markup("F<< <openssl/async.h> >> first"), "<openssl/async.h> first");
  EXPECT_EQ(strip_pod_markup("B<I<nested>> E<lt>x E<gt>"), "nested <x >");
  EXPECT_EQ(strip_pod_markup("numfds > 1 || a < b"), "numfds > 1 || a < b");
}

TEST(PodText, CollapsesWhitespace) {
  EXPECT_EQ(collapse_whitespace("  a\n\tb   c \n"), "a b c");
  EXPECT_EQ(normalise("the\nB<ASYNC_PAUSE>\n\nresult"), "the ASYNC_PAUSE result");
}

// --- the catalogue -------------------------------------------------------------

TEST_F(Catalogue, ParsesWithSchema1) {
  ASSERT_TRUE(doc_->is_object());
  ASSERT_TRUE(doc_->contains("schema"));
  EXPECT_EQ(doc_->at("schema"), 1);
  ASSERT_TRUE(doc_->contains("requirements"));
  ASSERT_TRUE(requirements().is_array());
  EXPECT_FALSE(requirements().empty());
}

TEST_F(Catalogue, EveryEntryHasExactlyTheSixStringFields) {
  const std::set<std::string> expected = {"id", "level", "function", "since", "source", "text"};
  for (const auto& r : requirements()) {
    ASSERT_TRUE(r.is_object());
    std::set<std::string> keys;
    for (const auto& [key, value] : r.items()) {
      keys.insert(key);
      EXPECT_TRUE(value.is_string()) << where(r) << ": " << key << " is not a string";
      if (value.is_string()) {
        EXPECT_FALSE(value.get<std::string>().empty()) << where(r) << ": empty " << key;
      }
    }
    EXPECT_EQ(keys, expected) << where(r);
  }
}

TEST_F(Catalogue, IdsAreUniqueAndUpperKebab) {
  const std::regex pattern("^[A-Z][A-Z0-9-]+$");
  std::set<std::string> seen;
  for (const auto& r : requirements()) {
    const std::string id = field(r, "id");
    EXPECT_TRUE(std::regex_match(id, pattern)) << "malformed id '" << id << "'";
    EXPECT_TRUE(seen.insert(id).second) << "duplicate id " << id;
    EXPECT_NE(id.back(), '-') << id;
    EXPECT_EQ(id.find("--"), std::string::npos) << id;
  }
}

TEST_F(Catalogue, IdsArePrefixedByAreaAndGroupedInAreaOrder) {
  auto area_of = [](const std::string& id) -> int {
    for (std::size_t a = 0; a < kAreaPrefixes.size(); ++a)
      if (id.rfind(kAreaPrefixes[a], 0) == 0) return static_cast<int>(a);
    return -1;
  };
  int previous = -1;
  for (const auto& r : requirements()) {
    const std::string id = field(r, "id");
    const int area = area_of(id);
    ASSERT_GE(area, 0) << id << " has no known area prefix";
    EXPECT_GE(area, previous) << id << " is out of area order (areas must be contiguous, in the order "
                              << "POOL, START, PAUSE, CURRENT, WAITCTX-LOOKUP, BLOCK, WAITCTX, FD, "
                              << "CHANGED, CLEANUP, CALLBACK, STATUS, MEM, THREAD, LEAK, ROBUST, CAPABLE)";
    previous = std::max(previous, area);
  }
}

TEST_F(Catalogue, LevelsAreKnown) {
  for (const auto& r : requirements())
    EXPECT_TRUE(kLevels.count(field(r, "level"))) << where(r) << ": level '" << field(r, "level") << "'";
}

TEST_F(Catalogue, SinceIsAKnownRelease) {
  for (const auto& r : requirements()) {
    const std::string since = field(r, "since");
    EXPECT_NE(std::find(kReleases.begin(), kReleases.end(), since), kReleases.end())
        << where(r) << ": since '" << since << "'";
  }
}

TEST_F(Catalogue, FunctionIsOneOfTheAbiAndSinceIsNotBeforeIt) {
  auto rank = [](const std::string& release) {
    return std::find(kReleases.begin(), kReleases.end(), release) - kReleases.begin();
  };
  for (const auto& r : requirements()) {
    const std::string function = field(r, "function");
    auto it = kFunctions.find(function);
    ASSERT_NE(it, kFunctions.end()) << where(r) << ": unknown function '" << function << "'";
    EXPECT_GE(rank(field(r, "since")), rank(it->second))
        << where(r) << ": since " << field(r, "since") << " but " << function << " came in " << it->second;
  }
}

TEST_F(Catalogue, AbiFunctionsAreNamedInThePods) {
  std::string all;
  for (const auto& [name, text] : *pods_) all += text + '\n';
  for (const auto& [function, since] : kFunctions)
    EXPECT_NE(all.find(function), std::string::npos) << function << " is in no pod";
}

TEST_F(Catalogue, EveryFunctionHasARequirement) {
  std::set<std::string> covered;
  for (const auto& r : requirements()) covered.insert(field(r, "function"));
  for (const auto& [function, since] : kFunctions)
    EXPECT_TRUE(covered.count(function)) << function << " has no requirement";
}

TEST_F(Catalogue, MustTextsAreVerbatimQuotesOfTheirPod) {
  std::size_t checked = 0;
  for (const auto& r : requirements()) {
    if (field(r, "level") != "must") continue;
    const std::string source = field(r, "source");
    const std::string text = field(r, "text");
    auto pod = pods_->find(source);
    ASSERT_NE(pod, pods_->end()) << where(r) << ": source '" << source << "' is not a pod in "
                                 << kSpecDir;
    EXPECT_EQ(text, normalise(text)) << where(r) << ": text still has POD markup or uncollapsed whitespace";
    EXPECT_NE(pod->second.find(text), std::string::npos)
        << where(r) << ": not found verbatim in " << source << ":\n  " << text;
    ++checked;
  }
  EXPECT_GT(checked, 0u);
}

TEST_F(Catalogue, DeFactoAndRobustnessEntriesAreRulesNotQuotes) {
  for (const auto& r : requirements()) {
    const std::string level = field(r, "level");
    if (level == "must") continue;
    const std::string source = field(r, "source");
    const std::string text = field(r, "text");
    EXPECT_FALSE(text.empty()) << where(r);
    EXPECT_EQ(pods_->count(source), 0u) << where(r) << ": a " << level << " rule cannot cite a pod";
    EXPECT_FALSE(source.size() >= 4 && source.compare(source.size() - 4, 4, ".pod") == 0) << where(r);
    if (level == "de-facto") {
      EXPECT_EQ(source.rfind("OpenSSL crypto/async/", 0), 0u)
          << where(r) << ": a de-facto rule cites OpenSSL's source, not '" << source << "'";
    }
    if (level == "robustness") {
      EXPECT_EQ(source, "robustness") << where(r);
    }
    EXPECT_EQ(text, collapse_whitespace(text)) << where(r);
  }
}

TEST_F(Catalogue, CountsPerLevel) {
  std::map<std::string, std::size_t> counts;
  for (const auto& r : requirements()) ++counts[field(r, "level")];
  std::cout << "requirements: " << requirements().size() << " (must " << counts["must"] << ", de-facto "
            << counts["de-facto"] << ", robustness " << counts["robustness"] << ")\n";
  EXPECT_GE(counts["must"], 35u);
  EXPECT_GE(counts["de-facto"], 10u);
  EXPECT_GE(counts["robustness"], 8u);
}

// --- the pod copies ------------------------------------------------------------

TEST(SpecCopies, BothManPagesAreInTheRepo) {
  const auto names = pod_names(kSpecDir);
  const std::vector<std::string> expected = {"ASYNC_WAIT_CTX_new.pod", "ASYNC_start_job.pod"};
  EXPECT_EQ(names, expected);
  for (const auto& name : names) {
    const std::string text = read_file(kSpecDir / name);
    EXPECT_EQ(text.rfind("=pod", 0), 0u) << name;
    EXPECT_NE(text.find("=head1 RETURN VALUES"), std::string::npos) << name;
    EXPECT_NE(text.find("=head1 HISTORY"), std::string::npos) << name;
  }
}

TEST(SpecCopies, AreByteIdenticalToSharedSpecWhenPresent) {
  if (!fs::is_directory(kSharedSpecDir))
    GTEST_SKIP() << kSharedSpecDir << " does not exist: the copies in " << kSpecDir << " are authoritative";
  const auto shared = pod_names(kSharedSpecDir);
  const auto copies = pod_names(kSpecDir);
  ASSERT_FALSE(shared.empty()) << kSharedSpecDir << " holds no .pod";
  EXPECT_EQ(copies, shared) << "the repo's pods and " << kSharedSpecDir << "'s differ in names";
  std::size_t compared = 0;
  for (const auto& name : copies) {
    if (!fs::exists(kSharedSpecDir / name)) continue;
    EXPECT_EQ(read_file(kSpecDir / name), read_file(kSharedSpecDir / name))
        << name << " differs from " << (kSharedSpecDir / name);
    ++compared;
  }
  EXPECT_EQ(compared, 2u);
}

}  // namespace
