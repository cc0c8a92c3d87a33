#include "asyncconf/accel/faults.hpp"

#include "asyncconf/accel/counter_hash.hpp"

namespace asyncconf::accel {
namespace {

constexpr std::uint64_t kFaultStreamBase = 0x4641'0000;  // a stream per fault

constexpr std::string_view kFaultNames[kFaultCount] = {
    "ring_full", "lost", "late", "error", "spurious", "duplicate", "notify_early", "fd_fail", "slow_poll"};

std::string all_fault_names() {
  std::string names;
  for (Fault f : kAllFaults) names += (names.empty() ? "" : ", ") + std::string(fault_name(f));
  return names;
}

ParseError rule_error(std::string_view item, const std::string& why) {
  return ParseError{"fault rule '" + std::string(item) + "': " + why};
}

// Sets one part of `rule` from SPEC; refuses to set a part twice.
std::optional<ParseError> apply_spec(std::string_view item, std::string_view spec, FaultRule& rule) {
  const auto count = [&](std::string_view digits, std::uint64_t& field) -> std::optional<ParseError> {
    Parsed<std::uint64_t> n = parse_unsigned(digits);
    if (!n.ok() || n.value() == 0) return rule_error(item, "expected a count >= 1 after ':'");
    if (field != 0) return rule_error(item, "given twice");
    field = n.value();
    return std::nullopt;
  };
  if (spec.starts_with("every:")) return count(spec.substr(6), rule.every_nth);
  if (spec.starts_with("first:")) return count(spec.substr(6), rule.first_k);
  Parsed<double> rate = parse_probability(spec);
  if (!rate.ok()) return rule_error(item, "expected a rate in [0, 1], every:N or first:K");
  if (rule.rate != 0.0) return rule_error(item, "rate given twice");
  rule.rate = rate.value();
  return std::nullopt;
}

}  // namespace

std::string_view fault_name(Fault fault) noexcept { return kFaultNames[static_cast<std::size_t>(fault)]; }

std::optional<Fault> fault_named(std::string_view name) noexcept {
  for (Fault f : kAllFaults) {
    if (fault_name(f) == name) return f;
  }
  return std::nullopt;
}

bool FaultPlan::fires(Fault fault, std::uint64_t index) const noexcept {
  const FaultRule& r = rule(fault);
  if (index < r.first_k) return true;
  if (r.every_nth > 0 && (index + 1) % r.every_nth == 0) return true;
  if (r.rate <= 0.0) return false;
  return draw_unit(seed, kFaultStreamBase + static_cast<std::uint64_t>(fault), index) < r.rate;
}

Parsed<FaultPlan> parse_fault_plan(std::string_view text, std::uint64_t seed) {
  FaultPlan plan;
  plan.seed = seed;
  text = trim(text);
  if (text.empty() || text == "none") return plan;
  while (true) {
    const std::size_t comma = text.find(',');
    const std::string_view item = trim(text.substr(0, comma));
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) return rule_error(item, "expected NAME=RATE, NAME=every:N or NAME=first:K");
    const std::optional<Fault> fault = fault_named(trim(item.substr(0, eq)));
    if (!fault) return rule_error(item, "unknown fault (known: " + all_fault_names() + ")");
    if (auto error = apply_spec(item, trim(item.substr(eq + 1)), plan.rule(*fault))) return *error;
    if (comma == std::string_view::npos) break;
    text = text.substr(comma + 1);
  }
  return plan;
}

std::string to_string(const FaultPlan& plan) {
  std::string text;
  const auto add = [&](Fault f, const std::string& spec) {
    text += (text.empty() ? "" : ",") + std::string(fault_name(f)) + "=" + spec;
  };
  for (Fault f : kAllFaults) {
    const FaultRule& r = plan.rule(f);
    if (r.rate > 0.0) add(f, format_number(r.rate));
    if (r.every_nth > 0) add(f, "every:" + std::to_string(r.every_nth));
    if (r.first_k > 0) add(f, "first:" + std::to_string(r.first_k));
  }
  return text.empty() ? "none" : text;
}

}  // namespace asyncconf::accel
