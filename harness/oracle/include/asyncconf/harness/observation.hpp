// What one operation was seen to do: the values the interpreter records and
// the model predicts, all plain data (pointers are turned into names first),
// so that two implementations' traces, and a trace and its prediction,
// compare field by field.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "asyncconf/harness/level.hpp"
#include "asyncconf/harness/sequence.hpp"

namespace asyncconf::harness {

/// A symbolic reference: a job name (≥ 0, "j<N>") or a ctx name ("w<N>").
inline constexpr long kRefNull = -1;     ///< the pointer was NULL
inline constexpr long kRefUnknown = -2;  ///< a pointer that names nothing the sequence made
/// The value *ret holds until a job's ASYNC_start_job writes it.
inline constexpr int kRetUntouched = 0x5eed;

/// The device's wait fd in a ctx: the key it is set under (no sequence's),
/// and the name an observed fd list shows for it (its number varies from
/// run to run; the device's fds are dup'ed to kDeviceFdFloor and up, and
/// the interpreter names every listed fd from there up so).
inline constexpr int kDeviceKey = kMaxKeys;
inline constexpr int kDeviceFd = -7;
inline constexpr int kDeviceFdFloor = 512;

/// Up to kMaxFdsPerCtx fd values.
struct FdList {
  int size = 0;
  std::array<int, kMaxFdsPerCtx> fd{};
  void push(int v) noexcept {
    if (size < kMaxFdsPerCtx) fd[static_cast<std::size_t>(size)] = v;
    ++size;  // counts past the capacity, so an over-long list still differs
  }
  friend bool operator==(const FdList& a, const FdList& b) noexcept;
};
/// The same fds in any order.
bool same_set(const FdList& a, const FdList& b) noexcept;

/// The fields of an observation. Which ones an op fills: its home (harness/ops/).
enum class Field : std::uint8_t {
  Rc,        ///< the return value (for void functions: 0)
  Ref,       ///< a job or ctx the call returned, as a name
  Ret,       ///< the job's *ret after ASYNC_start_job
  Extra,     ///< a second value (an fd, a count, the arg the job read, the stack size asked)
  Extra2,    ///< a third value
  List,      ///< fds: get_all_fds, the added ones of get_changed_fds, the cleaned ones on free
  List2,     ///< fds: the deleted ones of get_changed_fds
  Cleanups,  ///< cleanup callbacks called during the call
  Stacks,    ///< job stacks alive after the call (counting stack allocator only)
  Heap,      ///< heap blocks gained since the sequence began (sequence end only)
  Fds,       ///< open fds gained since the sequence began (sequence end only)
};
inline constexpr std::size_t kFieldCount = 11;
const char* to_string(Field field) noexcept;

/// How a field's value reads: a plain number, or one of the API's codes or
/// names (the trace and the C reproducer spell these out).
enum class Show { Int, Start, Job, Ctx, Ret, Args, NonNull, YesNo, Bytes, Status };

/// One observation: what a driver op, a body op, or the end of the sequence showed.
struct Observation {
  int step = -1;        ///< the plan step (driver op) during which it was made
  int job = -1;         ///< for a body op: the job it ran in; else -1
  int body_index = -1;  ///< for a body op: its index in the job's body
  OpKind op = OpKind::Pause;
  bool end = false;     ///< the sequence-end leak check, not an op
  long rc = 0;
  long ref = kRefNull;
  long ret = kRetUntouched;
  long extra = 0;
  long extra2 = 0;
  FdList list;
  FdList list2;
  long cleanups = 0;
  long stacks = 0;
  long heap = 0;
  long fds = 0;

  /// Same op at the same place (step, job, body index, op, end).
  bool same_site(const Observation& other) const noexcept {
    return step == other.step && job == other.job && body_index == other.body_index &&
           op == other.op && end == other.end;
  }
  long value(Field field) const noexcept;
};

/// How the model checks one field: the requirement that fixes its value,
/// and whether a list's order matters (and by which requirement).
struct FieldCheck {
  const char* requirement = nullptr;  ///< null: not checked
  Level level = Level::Must;
  const char* order_requirement = nullptr;  ///< lists: null compares as sets
  Level order_level = Level::DeFacto;
};

/// What the model predicts for one observation.
struct Expected {
  Observation want;
  std::array<FieldCheck, kFieldCount> checks{};
  FieldCheck& check(Field f) noexcept { return checks[static_cast<std::size_t>(f)]; }
  const FieldCheck& check(Field f) const noexcept { return checks[static_cast<std::size_t>(f)]; }
};

/// The first difference between a prediction (or another implementation's
/// observation) and an observation.
struct Difference {
  bool found = false;
  bool site = false;      ///< a different op ran here (control flow differs)
  Field field = Field::Rc;
  const char* requirement = nullptr;
  Level level = Level::Must;
};

/// Compares `seen` with `expected`, field by field in Field order; only
/// checks up to `level` count ("found" with a looser level is reported too,
/// so a caller can tell a violation from behaviour outside the run's level).
/// Heap and Fds differ only when more were gained than predicted: a count
/// below the start is not a leak.
Difference compare(const Expected& expected, const Observation& seen) noexcept;
/// Every field, lists in order, Heap and Fds as "gained any or not": for
/// comparing two implementations.
Difference compare_raw(const Observation& a, const Observation& b) noexcept;

/// "ASYNC_start_job -> ASYNC_PAUSE, *job=j0, *ret untouched" and the like: one
/// line for people, showing the fields `checks` marks (all of them when null).
std::string describe(const Observation& obs, const Expected* checks = nullptr);
/// "j3", "w1", "NULL", "an unknown pointer".
std::string ref_name(long ref, bool ctx);

}  // namespace asyncconf::harness
