#include "asyncconf/accel/config.hpp"

#include <array>
#include <functional>
#include <limits>

namespace asyncconf::accel {
namespace {

using Setter = std::function<std::optional<std::string>(std::string_view, DeviceConfig&)>;

struct Key {
  std::string_view name;
  Setter set;  // nullopt when read, else why not
};

// A reader of whole numbers in [lo, hi] into `field`.
template <class Field>
Setter count_in(std::uint64_t lo, std::uint64_t hi, Field DeviceConfig::*field) {
  return [=](std::string_view value, DeviceConfig& c) -> std::optional<std::string> {
    Parsed<std::uint64_t> n = parse_unsigned(value);
    if (!n.ok()) return n.error();
    if (n.value() < lo || n.value() > hi) {
      return "expected a number in " + std::to_string(lo) + ".." + std::to_string(hi) + ", got " +
             std::to_string(n.value());
    }
    c.*field = static_cast<Field>(n.value());
    return std::nullopt;
  };
}

Setter duration_into(Nanos DeviceConfig::*field, bool positive) {
  return [=](std::string_view value, DeviceConfig& c) -> std::optional<std::string> {
    Parsed<Nanos> d = parse_duration(value);
    if (!d.ok()) return d.error();
    if (positive && d.value() <= Nanos{0}) return "expected a duration > 0";
    c.*field = d.value();
    return std::nullopt;
  };
}

// One of the words of `Enum` (in the order of its enumerators).
template <class Enum, std::size_t N>
Setter word_into(std::array<Enum, N> choices, Enum DeviceConfig::*field) {
  return [=](std::string_view value, DeviceConfig& c) -> std::optional<std::string> {
    std::string expected;
    for (Enum e : choices) {
      if (value == to_string(e)) {
        c.*field = e;
        return std::nullopt;
      }
      expected += (expected.empty() ? "" : ", ") + std::string(to_string(e));
    }
    return "expected one of " + expected + ", got '" + std::string(value) + "'";
  };
}

constexpr std::size_t kKeyCount = 12;

const std::array<Key, kKeyCount>& keys() {
  static const std::array<Key, kKeyCount> k = {{
      {"queue_depth", count_in(1, 65536, &DeviceConfig::queue_depth)},
      {"workers", count_in(1, 256, &DeviceConfig::workers)},
      {"latency",
       [](std::string_view value, DeviceConfig& c) -> std::optional<std::string> {
         Parsed<LatencyModel> m = parse_latency(value);
         if (!m.ok()) return m.error();
         c.latency = std::move(m).value();
         return std::nullopt;
       }},
      {"notify", word_into(std::array{NotifyMode::Fd, NotifyMode::Callback, NotifyMode::Poll},
                           &DeviceConfig::notify)},
      {"poll_interval", duration_into(&DeviceConfig::poll_interval, false)},
      {"ring_full",
       word_into(std::array{RingFullPolicy::Retry, RingFullPolicy::Block, RingFullPolicy::Fail},
                 &DeviceConfig::ring_full)},
      {"retry_limit", count_in(0, 1'000'000, &DeviceConfig::retry_limit)},
      {"late_by", duration_into(&DeviceConfig::late_by, false)},
      {"give_up_after", duration_into(&DeviceConfig::give_up_after, true)},
      {"fd_floor", count_in(0, 65536, &DeviceConfig::fd_floor)},
      {"faults",
       [](std::string_view value, DeviceConfig& c) -> std::optional<std::string> {
         Parsed<FaultPlan> plan = parse_fault_plan(value, c.faults.seed);
         if (!plan.ok()) return plan.error();
         c.faults = plan.value();
         return std::nullopt;
       }},
      {"seed",
       [](std::string_view value, DeviceConfig& c) -> std::optional<std::string> {
         Parsed<std::uint64_t> n = parse_unsigned(value);
         if (!n.ok()) return n.error();
         // The faults key keeps faults.seed, so the order of the two keys does not matter.
         c.seed = c.faults.seed = n.value();
         return std::nullopt;
       }},
  }};
  return k;
}

std::string key_names() {
  std::string names;
  for (const Key& k : keys()) names += (names.empty() ? "" : ", ") + std::string(k.name);
  return names;
}

}  // namespace

std::string_view to_string(NotifyMode mode) noexcept {
  switch (mode) {
    case NotifyMode::Fd: return "fd";
    case NotifyMode::Callback: return "callback";
    case NotifyMode::Poll: return "poll";
  }
  return "?";
}

std::string_view to_string(RingFullPolicy policy) noexcept {
  switch (policy) {
    case RingFullPolicy::Retry: return "retry";
    case RingFullPolicy::Block: return "block";
    case RingFullPolicy::Fail: return "fail";
  }
  return "?";
}

Parsed<DeviceConfig> parse_device_config(std::string_view text, const DeviceConfig& base) {
  DeviceConfig config = base;
  std::array<bool, kKeyCount> seen{};
  while (!text.empty()) {
    const std::size_t semi = text.find(';');
    const std::string_view item = trim(text.substr(0, semi));
    text = semi == std::string_view::npos ? std::string_view{} : text.substr(semi + 1);
    if (item.empty()) continue;
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return ParseError{"device config: expected key=value, got '" + std::string(item) + "'"};
    }
    const std::string_view name = trim(item.substr(0, eq));
    std::size_t i = 0;
    while (i < keys().size() && keys()[i].name != name) ++i;
    if (i == keys().size()) {
      return ParseError{"device config: unknown key '" + std::string(name) + "' (known: " + key_names() + ")"};
    }
    if (seen[i]) return ParseError{"device config: key '" + std::string(name) + "' given twice"};
    seen[i] = true;
    if (auto why = keys()[i].set(trim(item.substr(eq + 1)), config)) {
      return ParseError{"device config: key '" + std::string(name) + "': " + *why};
    }
  }
  return config;
}

std::string to_string(const DeviceConfig& c) {
  return "queue_depth=" + std::to_string(c.queue_depth) + ";workers=" + std::to_string(c.workers) +
         ";latency=" + c.latency.to_string() + ";notify=" + std::string(to_string(c.notify)) +
         ";poll_interval=" + format_duration(c.poll_interval) +
         ";ring_full=" + std::string(to_string(c.ring_full)) +
         ";retry_limit=" + std::to_string(c.retry_limit) + ";late_by=" + format_duration(c.late_by) +
         ";give_up_after=" + format_duration(c.give_up_after) + ";fd_floor=" + std::to_string(c.fd_floor) + ";faults=" + to_string(c.faults) +
         ";seed=" + std::to_string(c.seed);
}

}  // namespace asyncconf::accel
