#include "asyncconf/harness/trace.hpp"

#include <map>

#include "asyncconf/harness/sequence_text.hpp"

namespace asyncconf::harness {

namespace {

// What the op of a step is, for a body observation: "j0: pause" in its body.
std::string site_text(const Plan& plan, const Observation& o) {
  if (o.end) return "sequence end";
  if (o.job < 0) return step_text(plan, o.step);
  return "j" + std::to_string(o.job) + " body op " + std::to_string(o.body_index + 1) + ": " +
         op_name(o.op);
}

}  // namespace

std::string step_text(const Plan& plan, int step) {
  if (step < 0 || static_cast<std::size_t>(step) >= plan.steps.size()) return "sequence end";
  const Step& s = plan.steps[static_cast<std::size_t>(step)];
  Op shown = *s.op;
  shown.body.clear();  // a start's body is shown by its own observations
  std::string text = print_op(shown);
  if (s.op->kind == OpKind::Start) text = text.substr(0, text.rfind(" {"));
  if (s.op_index < 0) return text + "   (teardown)";
  return text + "   (op " + std::to_string(s.op_index + 1) + ")";
}

std::string format_trace(const Sequence& sequence, const Plan& plan, const RunResult& result) {
  (void)sequence;
  std::string out;
  std::map<int, std::string> skipped;
  for (const Skipped& s : plan.skipped) skipped[s.op_index] = s.reason;
  int last_step = -1;
  for (std::size_t i = 0; i < result.observed.size(); ++i) {
    const Observation& o = result.observed[i];
    if (o.step != last_step) {
      // Ops skipped before this step, in sequence order.
      const int upto = o.step < static_cast<int>(plan.steps.size())
                           ? plan.steps[static_cast<std::size_t>(o.step)].op_index
                           : static_cast<int>(plan.step_of_op.size());
      for (auto it = skipped.begin(); it != skipped.end() && (upto < 0 || it->first < upto);) {
        out += "  skipped op " + std::to_string(it->first + 1) + ": " + it->second + "\n";
        it = skipped.erase(it);
      }
      out += (o.end ? std::string("end") : "step " + std::to_string(o.step)) + "  " + step_text(plan, o.step) + "\n";
      last_step = o.step;
    }
    const Expected* e = i < plan.expected.size() ? &plan.expected[i] : nullptr;
    const bool differs = i == result.mismatch;
    // Only a looser level than the run's fixes what differs here.
    const bool looser = i == result.looser;
    out += std::string(differs ? "  DIFFERS " : looser ? "  looser  " : "  ok      ") + describe(o, e) + "\n";
    if ((differs || looser) && e != nullptr) out += "  expected " + describe(e->want, e) + "\n";
  }
  for (const auto& [index, reason] : skipped) {
    out += "  skipped op " + std::to_string(index + 1) + ": " + reason + "\n";
  }
  return out;
}

std::string format_difference(const Sequence& sequence, const Plan& plan, const RunResult& result,
                              const RequirementText& text) {
  (void)sequence;
  if (result.mismatch == RunResult::npos) return {};
  const std::size_t i = result.mismatch;
  const Observation& seen = result.observed[i];
  const Expected* want = i < plan.expected.size() ? &plan.expected[i] : nullptr;
  std::string out;
  const int step = want != nullptr ? want->want.step : seen.step;
  out += "at step " + std::to_string(step) + ": " + step_text(plan, step) + "\n";
  if (want == nullptr) {
    out += "  the model expected nothing more, but " + site_text(plan, seen) + " ran\n";
  } else if (result.difference.site) {
    out += "  expected " + site_text(plan, want->want) + ": " + describe(want->want, want) + "\n";
    out += "  observed " + site_text(plan, seen) + " instead: " + describe(seen) + "\n";
  } else {
    out += "  expected " + describe(want->want, want) + "\n";
    out += "  observed " + describe(seen, want) + "\n";
  }
  if (result.difference.requirement != nullptr) {
    const std::string id = result.difference.requirement;
    out += "  requirement " + id + " (" + to_string(result.difference.level) + ")";
    const std::string sentence = text ? text(id) : std::string();
    if (!sentence.empty()) out += ": \"" + sentence + "\"";
    out += "\n";
  }
  if (plan.misuse != 0) out += "  (the sequence misuses the API: " + misuse_names(plan.misuse) + ")\n";
  if (!result.enforced) {
    out += "  (outside the run's level " + std::string(to_string(plan.config.level)) +
           ": the model cannot follow the implementation past this point)\n";
  }
  return out;
}

}  // namespace asyncconf::harness
