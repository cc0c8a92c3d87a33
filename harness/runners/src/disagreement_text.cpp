#include "asyncconf/harness/disagreement_text.hpp"

#include <algorithm>

#include "asyncconf/harness/failure_point.hpp"
#include "asyncconf/harness/finding_files.hpp"
#include "asyncconf/harness/trace.hpp"

namespace asyncconf::harness {

namespace {

using Kind = IsolatedOutcome::Kind;

bool ended_early(const IsolatedOutcome& side) {
  return side.kind == Kind::Crash || side.kind == Kind::Hang || side.kind == Kind::HarnessError;
}

}  // namespace

std::pair<std::string, std::string> side_names(const std::string& impl_a, const std::string& impl_b) {
  std::string a = impl_file_name(impl_a);
  std::string b = impl_file_name(impl_b);
  if (a == b) return {"A", "B"};
  return {a, b};
}

std::string side_at(const IsolatedOutcome& side, std::size_t i, std::chrono::milliseconds timeout) {
  const auto& obs = side.result.observed;
  if (i < obs.size()) return describe(obs[i]);
  return ended_early(side) ? "nothing: " + end_text(side, timeout) : "nothing: its run had ended";
}

std::string first_difference_text(const Plan& plan, const Disagreement& d, const std::string& a,
                                  const std::string& b, std::chrono::milliseconds timeout) {
  const Observation* at = d.position < d.a.result.observed.size()   ? &d.a.result.observed[d.position]
                          : d.position < d.b.result.observed.size() ? &d.b.result.observed[d.position]
                                                                    : nullptr;
  const std::string where = at == nullptr ? std::string("after the last observation")
                            : at->end     ? std::string("sequence end")
                                          : "step " + std::to_string(at->step) + ": " + step_text(plan, at->step);
  std::string out = "first difference at observation " + std::to_string(d.position + 1) + ", " + where + "\n";
  out += "  " + a + ": " + side_at(d.a, d.position, timeout) + "\n";
  out += "  " + b + ": " + side_at(d.b, d.position, timeout) + "\n";
  return out;
}

std::string side_by_side(const Plan& plan, const Disagreement& d, const std::string& a, const std::string& b,
                         std::chrono::milliseconds timeout) {
  const auto& x = d.a.result.observed;
  const auto& y = d.b.result.observed;
  const std::size_t n = std::max(x.size(), y.size());
  std::string out;
  int last_step = -2;
  for (std::size_t i = 0; i < n; ++i) {
    const Observation& site = i < x.size() ? x[i] : y[i];
    if (site.step != last_step) {
      out += (site.end ? std::string("end") : "step " + std::to_string(site.step)) + "  " +
             step_text(plan, site.step) + "\n";
      last_step = site.step;
    }
    const bool same = i < x.size() && i < y.size() && !compare_raw(x[i], y[i]).found;
    if (same) {
      out += "  same      " + describe(x[i]) + "\n";
    } else {
      out += std::string(i == d.position ? "  DIFFERS   " : "  differs   ") + a + ": " + side_at(d.a, i, timeout) +
             "\n";
      out += "            " + b + ": " + side_at(d.b, i, timeout) + "\n";
    }
  }
  const auto ending = [&](const IsolatedOutcome& side) {
    return ended_early(side) ? end_text(side, timeout) : std::string("ran to the end");
  };
  out += "ended: " + a + " " + ending(d.a) + "; " + b + " " + ending(d.b) + "\n";
  return out;
}

std::string disagreement_file_name(const std::string& a, const std::string& b) {
  return "diff-" + file_safe(a) + "-" + file_safe(b) + ".seq";
}

}  // namespace asyncconf::harness
