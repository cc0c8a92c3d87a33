// How long the device takes to serve one request.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "asyncconf/accel/parse.hpp"

namespace asyncconf::accel {

/// A distribution of service times. A sample is a pure function of
/// (seed, request index), so a run replays exactly whatever order its
/// threads serve requests in. An immutable value: copies share the
/// sub-models of a bimodal model.
class LatencyModel {
public:
  enum class Kind { Fixed, Uniform, LogNormal, Bimodal };

  /// Fixed 100 us.
  LatencyModel();

  /// Always `value` (negative is taken as 0).
  static LatencyModel fixed(Nanos value);
  /// Uniform over [lo, hi], both included (swapped if lo > hi).
  static LatencyModel uniform(Nanos lo, Nanos hi);
  /// median * exp(sigma * Z), Z standard normal; sigma < 0 is taken as 0.
  /// Samples are capped at 10^6 s.
  static LatencyModel lognormal(Nanos median, double sigma);
  /// `slow` with probability p_slow (clamped to [0, 1]), else `fast`.
  static LatencyModel bimodal(LatencyModel fast, LatencyModel slow, double p_slow);

  /// The service time of request `index` of a device seeded with `seed`.
  Nanos sample(std::uint64_t seed, std::uint64_t index) const noexcept;

  Kind kind() const noexcept { return kind_; }

  /// Text that parse_latency() reads back as an equal model.
  std::string to_string() const;

  friend bool operator==(const LatencyModel& a, const LatencyModel& b) noexcept;

private:
  struct Parts;

  Kind kind_ = Kind::Fixed;
  Nanos a_{0};      // fixed value; uniform lo; lognormal median
  Nanos b_{0};      // uniform hi
  double x_ = 0.0;  // lognormal sigma; bimodal p_slow
  std::shared_ptr<const Parts> parts_;  // bimodal: fast and slow
};

/// Reads a model: `fixed:100us` (or just `100us`), `uniform:50us..150us`,
/// `lognormal:100us,0.5` (median, sigma), `bimodal:FAST,SLOW,P_SLOW` where
/// FAST and SLOW are each a duration or a model in brackets
/// (`bimodal:100us,[lognormal:5ms,0.3],0.01`). Durations as parse_duration().
Parsed<LatencyModel> parse_latency(std::string_view text);

}  // namespace asyncconf::accel
