#include "asyncconf/harness/observation.hpp"

#include <openssl/async.h>

#include <algorithm>

#include "asyncconf/ops/all_ops.hpp"

namespace asyncconf::harness {

namespace {

bool is_list(Field f) { return f == Field::List || f == Field::List2; }

const FdList& list_of(const Observation& o, Field f) { return f == Field::List ? o.list : o.list2; }

// Heap blocks and fds gained over a sequence: a leak is a gain above the
// prediction. Fewer than at the start is no leak: the C library frees
// blocks of its own (an exited thread's TLS when its stack is reused), and
// a sequence may end before a block it found was freed by someone else.
bool is_gain(Field f) { return f == Field::Heap || f == Field::Fds; }

std::string list_text(const FdList& l) {
  std::string s = "[";
  for (int i = 0; i < std::min(l.size, kMaxFdsPerCtx); ++i) {
    if (i > 0) s += ' ';
    s += std::to_string(l.fd[static_cast<std::size_t>(i)]);
  }
  if (l.size > kMaxFdsPerCtx) s += " ...(" + std::to_string(l.size) + ")";
  return s + "]";
}

std::string start_code(long rc) {
  switch (rc) {
    case ASYNC_ERR: return "ASYNC_ERR";
    case ASYNC_NO_JOBS: return "ASYNC_NO_JOBS";
    case ASYNC_PAUSE: return "ASYNC_PAUSE";
    case ASYNC_FINISH: return "ASYNC_FINISH";
    default: return std::to_string(rc);
  }
}

// The name of each field for one op (its labels, harness/ops/), or null
// when the op does not use it.
const char* field_label(OpKind op, bool end, Field f) {
  if (end) {
    switch (f) {
      case Field::Stacks: return "job stacks left";
      case Field::Heap: return "heap blocks gained";
      case Field::Fds: return "fds gained";
      default: return nullptr;
    }
  }
  const ops::OpLabels& l = ops::labels(op);
  switch (f) {
    case Field::Rc: return l.rc.trace;
    case Field::Ref: return l.ref.trace;
    case Field::Ret: return "*ret";
    case Field::Extra: return l.extra.trace;
    case Field::Extra2: return l.extra2.trace;
    case Field::List: return l.list.trace;
    case Field::List2: return "deleted fds";
    case Field::Cleanups: return l.cleanups.trace;
    case Field::Stacks: return "job stacks alive";
    case Field::Heap: return "heap blocks gained";
    case Field::Fds: return "fds gained";
  }
  return nullptr;
}

std::string field_value(const Observation& o, Field f) {
  const ops::OpLabels& l = ops::labels(o.op);
  switch (f) {
    case Field::Rc:
      if (l.rc.show == Show::Start) return start_code(o.rc);
      if (l.rc.show == Show::Args) return o.rc != 0 ? "non-NULL args" : "NULL args";
      return std::to_string(o.rc);
    case Field::Ref: return ref_name(o.ref, l.ref.show == Show::Ctx);
    case Field::Ret: return o.ret == kRetUntouched ? "untouched" : std::to_string(o.ret);
    case Field::List:
    case Field::List2: return list_text(list_of(o, f));
    default: return std::to_string(o.value(f));
  }
}

}  // namespace

bool operator==(const FdList& a, const FdList& b) noexcept {
  if (a.size != b.size) return false;
  const int n = std::min(a.size, kMaxFdsPerCtx);
  return std::equal(a.fd.begin(), a.fd.begin() + n, b.fd.begin());
}

bool same_set(const FdList& a, const FdList& b) noexcept {
  if (a.size != b.size) return false;
  FdList x = a;
  FdList y = b;
  const int n = std::min(a.size, kMaxFdsPerCtx);
  std::sort(x.fd.begin(), x.fd.begin() + n);
  std::sort(y.fd.begin(), y.fd.begin() + n);
  return x == y;
}

const char* to_string(Field field) noexcept {
  switch (field) {
    case Field::Rc: return "rc";
    case Field::Ref: return "ref";
    case Field::Ret: return "ret";
    case Field::Extra: return "extra";
    case Field::Extra2: return "extra2";
    case Field::List: return "list";
    case Field::List2: return "list2";
    case Field::Cleanups: return "cleanups";
    case Field::Stacks: return "stacks";
    case Field::Heap: return "heap";
    case Field::Fds: return "fds";
  }
  return "?";
}

long Observation::value(Field field) const noexcept {
  switch (field) {
    case Field::Rc: return rc;
    case Field::Ref: return ref;
    case Field::Ret: return ret;
    case Field::Extra: return extra;
    case Field::Extra2: return extra2;
    case Field::List: return list.size;
    case Field::List2: return list2.size;
    case Field::Cleanups: return cleanups;
    case Field::Stacks: return stacks;
    case Field::Heap: return heap;
    case Field::Fds: return fds;
  }
  return 0;
}

Difference compare(const Expected& expected, const Observation& seen) noexcept {
  Difference best;
  auto consider = [&](Field f, const char* req, Level level) {
    if (!best.found || level < best.level) {
      best.found = true;
      best.field = f;
      best.requirement = req;
      best.level = level;
    }
  };
  if (!expected.want.same_site(seen)) {
    best.site = true;
    // A different op ran: the first checked field of the prediction says which rule.
    for (std::size_t i = 0; i < kFieldCount; ++i) {
      const FieldCheck& c = expected.checks[i];
      if (c.requirement != nullptr) {
        consider(static_cast<Field>(i), c.requirement, c.level);
        return best;
      }
    }
    consider(Field::Rc, nullptr, Level::Must);
    return best;
  }
  for (std::size_t i = 0; i < kFieldCount; ++i) {
    const Field f = static_cast<Field>(i);
    const FieldCheck& c = expected.checks[i];
    if (c.requirement == nullptr) continue;
    if (is_list(f)) {
      const FdList& want = list_of(expected.want, f);
      const FdList& got = list_of(seen, f);
      if (!same_set(want, got)) {
        consider(f, c.requirement, c.level);
      } else if (c.order_requirement != nullptr && !(want == got)) {
        consider(f, c.order_requirement, c.order_level);
      }
    } else if (is_gain(f) ? seen.value(f) > expected.want.value(f) : expected.want.value(f) != seen.value(f)) {
      consider(f, c.requirement, c.level);
    }
  }
  return best;
}

Difference compare_raw(const Observation& a, const Observation& b) noexcept {
  Difference d;
  if (!a.same_site(b)) {
    d.found = true;
    d.site = true;
    return d;
  }
  for (std::size_t i = 0; i < kFieldCount; ++i) {
    const Field f = static_cast<Field>(i);
    const bool differs = is_list(f)   ? !(list_of(a, f) == list_of(b, f))
                         : is_gain(f) ? (a.value(f) > 0) != (b.value(f) > 0)
                                      : a.value(f) != b.value(f);
    if (differs) {
      d.found = true;
      d.field = f;
      return d;
    }
  }
  return d;
}

std::string ref_name(long ref, bool ctx) {
  if (ref == kRefNull) return "NULL";
  if (ref == kRefUnknown) return ctx ? "an unknown wait ctx" : "an unknown job handle";
  return (ctx ? "w" : "j") + std::to_string(ref);
}

std::string describe(const Observation& obs, const Expected* checks) {
  std::string s = obs.end ? "sequence end" : op_name(obs.op);
  if (obs.job >= 0) s = "j" + std::to_string(obs.job) + ": " + s;
  std::string fields;
  for (std::size_t i = 0; i < kFieldCount; ++i) {
    const Field f = static_cast<Field>(i);
    if (checks != nullptr && checks->checks[i].requirement == nullptr) continue;
    const char* label = field_label(obs.op, obs.end, f);
    if (label == nullptr) continue;
    if (checks == nullptr && !obs.end && (f == Field::Heap || f == Field::Fds)) continue;
    if (!fields.empty()) fields += ", ";
    fields += std::string(label) + " " + field_value(obs, f);
  }
  if (!fields.empty()) s += " (" + fields + ")";
  return s;
}

}  // namespace asyncconf::harness
