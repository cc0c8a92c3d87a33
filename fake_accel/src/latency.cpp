#include "asyncconf/accel/latency.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>
#include <vector>

#include "asyncconf/accel/counter_hash.hpp"

namespace asyncconf::accel {

struct LatencyModel::Parts {
  LatencyModel fast;
  LatencyModel slow;
};

namespace {

// Each decision draws from its own stream, so adding a model kind never
// shifts the draws of another.
constexpr std::uint64_t kUniformStream = 0x4c41'0001;
constexpr std::uint64_t kNormalStream1 = 0x4c41'0002;
constexpr std::uint64_t kNormalStream2 = 0x4c41'0003;
constexpr std::uint64_t kModeStream = 0x4c41'0004;
constexpr std::uint64_t kFastSeed = 0x4c41'0005;
constexpr std::uint64_t kSlowSeed = 0x4c41'0006;
constexpr double kMaxSampleNs = 1e15;
constexpr int kMaxNesting = 4;

const char* const kExpected =
    "expected fixed:D, uniform:D..D, lognormal:D,SIGMA or bimodal:FAST,SLOW,P_SLOW "
    "(D a duration such as 100us)";

ParseError latency_error(std::string_view text, const std::string& why) {
  return ParseError{"latency '" + std::string(text) + "': " + why};
}

// Splits at the commas outside brackets.
std::vector<std::string_view> split_top_level(std::string_view text) {
  std::vector<std::string_view> parts;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '[') ++depth;
    if (text[i] == ']') --depth;
    if (text[i] == ',' && depth == 0) {
      parts.push_back(trim(text.substr(start, i - start)));
      start = i + 1;
    }
  }
  parts.push_back(trim(text.substr(start)));
  return parts;
}

Parsed<LatencyModel> parse_at_depth(std::string_view text, int depth);

// A bimodal mode: a duration, or a whole model in brackets.
Parsed<LatencyModel> parse_mode(std::string_view text, int depth) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    // Bounded, so that no text can exhaust the stack.
    if (depth >= kMaxNesting) return ParseError{"models nest at most 4 deep"};
    return parse_at_depth(text.substr(1, text.size() - 2), depth + 1);
  }
  Parsed<Nanos> d = parse_duration(text);
  if (!d.ok()) return ParseError{d.error()};
  return LatencyModel::fixed(d.value());
}

}  // namespace

LatencyModel::LatencyModel() : a_(std::chrono::microseconds(100)) {}

LatencyModel LatencyModel::fixed(Nanos value) {
  LatencyModel m;
  m.kind_ = Kind::Fixed;
  m.a_ = std::max(value, Nanos{0});
  return m;
}

LatencyModel LatencyModel::uniform(Nanos lo, Nanos hi) {
  if (lo > hi) std::swap(lo, hi);
  LatencyModel m;
  m.kind_ = Kind::Uniform;
  m.a_ = std::max(lo, Nanos{0});
  m.b_ = std::max(hi, Nanos{0});
  return m;
}

LatencyModel LatencyModel::lognormal(Nanos median, double sigma) {
  LatencyModel m;
  m.kind_ = Kind::LogNormal;
  m.a_ = std::max(median, Nanos{0});
  m.x_ = std::isfinite(sigma) ? std::max(sigma, 0.0) : 0.0;
  return m;
}

LatencyModel LatencyModel::bimodal(LatencyModel fast, LatencyModel slow, double p_slow) {
  LatencyModel m;
  m.kind_ = Kind::Bimodal;
  m.x_ = std::isfinite(p_slow) ? std::clamp(p_slow, 0.0, 1.0) : 0.0;
  m.parts_ = std::make_shared<const Parts>(Parts{std::move(fast), std::move(slow)});
  return m;
}

Nanos LatencyModel::sample(std::uint64_t seed, std::uint64_t index) const noexcept {
  switch (kind_) {
    case Kind::Fixed:
      return a_;
    case Kind::Uniform: {
      const auto span = static_cast<double>(b_.count() - a_.count()) + 1.0;
      const auto offset = static_cast<std::int64_t>(draw_unit(seed, kUniformStream, index) * span);
      return std::min(a_ + Nanos{offset}, b_);
    }
    case Kind::LogNormal: {
      // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
      const double u1 = 1.0 - draw_unit(seed, kNormalStream1, index);
      const double u2 = draw_unit(seed, kNormalStream2, index);
      const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
      const double ns = static_cast<double>(a_.count()) * std::exp(x_ * z);
      return Nanos{static_cast<std::int64_t>(std::min(ns, kMaxSampleNs))};
    }
    case Kind::Bimodal: {
      const bool slow = draw_unit(seed, kModeStream, index) < x_;
      return slow ? parts_->slow.sample(splitmix64(seed ^ kSlowSeed), index)
                  : parts_->fast.sample(splitmix64(seed ^ kFastSeed), index);
    }
  }
  return a_;
}

std::string LatencyModel::to_string() const {
  switch (kind_) {
    case Kind::Fixed:
      return "fixed:" + format_duration(a_);
    case Kind::Uniform:
      return "uniform:" + format_duration(a_) + ".." + format_duration(b_);
    case Kind::LogNormal:
      return "lognormal:" + format_duration(a_) + "," + format_number(x_);
    case Kind::Bimodal: {
      auto mode = [](const LatencyModel& m) {
        return m.kind_ == Kind::Fixed ? format_duration(m.a_) : "[" + m.to_string() + "]";
      };
      return "bimodal:" + mode(parts_->fast) + "," + mode(parts_->slow) + "," + format_number(x_);
    }
  }
  return "fixed:" + format_duration(a_);
}

bool operator==(const LatencyModel& a, const LatencyModel& b) noexcept {
  if (a.kind_ != b.kind_ || a.a_ != b.a_ || a.b_ != b.b_ || a.x_ != b.x_) return false;
  if (a.kind_ != LatencyModel::Kind::Bimodal) return true;
  return a.parts_->fast == b.parts_->fast && a.parts_->slow == b.parts_->slow;
}

namespace {

Parsed<LatencyModel> parse_at_depth(std::string_view text, int depth) {
  const std::string_view whole = trim(text);
  const std::size_t colon = whole.find(':');
  if (colon == std::string_view::npos) {
    Parsed<Nanos> d = parse_duration(whole);
    if (!d.ok()) return latency_error(whole, kExpected);
    return LatencyModel::fixed(d.value());
  }
  const std::string_view kind = trim(whole.substr(0, colon));
  const std::string_view args = trim(whole.substr(colon + 1));
  if (kind == "fixed") {
    Parsed<Nanos> d = parse_duration(args);
    if (!d.ok()) return latency_error(whole, d.error());
    return LatencyModel::fixed(d.value());
  }
  if (kind == "uniform") {
    const std::size_t dots = args.find("..");
    if (dots == std::string_view::npos) return latency_error(whole, "expected uniform:LO..HI");
    Parsed<Nanos> lo = parse_duration(args.substr(0, dots));
    if (!lo.ok()) return latency_error(whole, lo.error());
    Parsed<Nanos> hi = parse_duration(args.substr(dots + 2));
    if (!hi.ok()) return latency_error(whole, hi.error());
    if (lo.value() > hi.value()) return latency_error(whole, "LO must not exceed HI");
    return LatencyModel::uniform(lo.value(), hi.value());
  }
  if (kind == "lognormal") {
    const std::vector<std::string_view> parts = split_top_level(args);
    if (parts.size() != 2) return latency_error(whole, "expected lognormal:MEDIAN,SIGMA");
    Parsed<Nanos> median = parse_duration(parts[0]);
    if (!median.ok()) return latency_error(whole, median.error());
    Parsed<double> sigma = parse_number(parts[1]);
    if (!sigma.ok() || sigma.value() < 0 || sigma.value() > 10) {
      return latency_error(whole, "expected SIGMA in [0, 10], got '" + std::string(parts[1]) + "'");
    }
    return LatencyModel::lognormal(median.value(), sigma.value());
  }
  if (kind == "bimodal") {
    const std::vector<std::string_view> parts = split_top_level(args);
    if (parts.size() != 3) return latency_error(whole, "expected bimodal:FAST,SLOW,P_SLOW");
    Parsed<LatencyModel> fast = parse_mode(parts[0], depth);
    if (!fast.ok()) return latency_error(whole, "FAST: " + fast.error());
    Parsed<LatencyModel> slow = parse_mode(parts[1], depth);
    if (!slow.ok()) return latency_error(whole, "SLOW: " + slow.error());
    Parsed<double> p = parse_probability(parts[2]);
    if (!p.ok()) return latency_error(whole, "P_SLOW: " + p.error());
    return LatencyModel::bimodal(std::move(fast).value(), std::move(slow).value(), p.value());
  }
  return latency_error(whole, kExpected);
}

}  // namespace

Parsed<LatencyModel> parse_latency(std::string_view text) { return parse_at_depth(text, 0); }

}  // namespace asyncconf::accel
