// How the C reproducer names what it calls and observes: the API function
// behind an op, an op's text in comments and progress lines, and for each
// field of an observation its words in messages, how the program shows its
// value and where the program keeps it.
#pragma once

#include <string>

#include "asyncconf/harness/level.hpp"
#include "asyncconf/harness/observation.hpp"
#include "asyncconf/harness/sequence.hpp"

namespace asyncconf::harness::repro {

/// The op in the sequence text form (its name alone if it has none).
std::string op_text(const Op& op, bool in_body = false);

/// A driver op without its body (Start's `{ ... }`): for progress lines.
std::string short_label(const Op& op);

/// The ASYNC function an op calls ("ASYNC_start_job").
const char* api_name(OpKind op);

/// The program's enum level constant for a level ("DE_FACTO").
const char* level_enum(Level level);

/// The program's enum show constant ("AS_START").
const char* show_enum(Show s);

/// The expected value as the C program spells it ("ASYNC_PAUSE", "REF_NULL").
std::string c_value(Show s, long v);

struct FieldText {
  std::string what;  ///< "ASYNC_start_job returned"
  Show show = Show::Int;
  std::string got;   ///< the C expression of the observed value
};

/// What field `f` of an observation of `w.op` is called in the program's
/// messages, and where the program keeps it (the op's labels, harness/ops/).
FieldText field_text(const Observation& w, Field f);

/// The field is a list of fds.
bool is_list(Field f);

}  // namespace asyncconf::harness::repro
