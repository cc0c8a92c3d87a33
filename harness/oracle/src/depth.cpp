#include "asyncconf/harness/depth.hpp"

#include <openssl/async.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

namespace asyncconf::harness {


Depth depth(const Plan& plan) {
  Depth d;
  d.ops = plan.expected.size();
  std::set<int> paused;              // jobs paused now
  std::map<int, int> pauses;         // job -> pauses so far
  std::map<int, int> live_fds;       // ctx -> fds set and not cleared
  std::set<int> threads;
  std::set<int> finished_threads_pool;  // threads with a job back in the pool
  // Which ctx each job's body ops work on.
  std::map<int, int> ctx_of;
  for (const Step& st : plan.steps) {
    threads.insert(st.thread);
    if (st.op->kind == OpKind::Start) ctx_of[st.op->job] = st.op->ctx;
  }
  for (const Expected& e : plan.expected) {
    const Observation& w = e.want;
    if (w.end) continue;
    const Step* st = w.step >= 0 && static_cast<std::size_t>(w.step) < plan.steps.size()
                                  ? &plan.steps[static_cast<std::size_t>(w.step)]
                                  : nullptr;
    const bool body = w.job >= 0;
    if (!body && st != nullptr && (w.op == OpKind::Start || w.op == OpKind::Resume || w.op == OpKind::Await)) {
      const int job = st->op->job;
      if (w.op == OpKind::Start && w.rc != ASYNC_NO_JOBS && finished_threads_pool.count(st->thread) != 0) {
        ++d.reused_jobs;
      }
      if (w.rc == ASYNC_PAUSE) {
        paused.insert(job);
        d.pauses_of_one_job = std::max(d.pauses_of_one_job, ++pauses[job]);
      } else if (w.rc == ASYNC_FINISH) {
        paused.erase(job);
        finished_threads_pool.insert(st->thread);
      }
      d.paused_at_once = std::max(d.paused_at_once, static_cast<int>(paused.size()));
      continue;
    }
    if (w.op != OpKind::SetFd && w.op != OpKind::ClearFd && w.op != OpKind::WaitCtxFree) continue;
    int ctx = -1;
    if (body) {
      ctx = ctx_of.count(w.job) != 0 ? ctx_of[w.job] : -1;
    } else if (st != nullptr) {
      ctx = st->op->ctx;
    }
    if (ctx < 0 || w.rc == 0) continue;
    if (w.op == OpKind::SetFd) d.fds_in_one_ctx = std::max(d.fds_in_one_ctx, ++live_fds[ctx]);
    if (w.op == OpKind::ClearFd) --live_fds[ctx];
    if (w.op == OpKind::WaitCtxFree) live_fds[ctx] = 0;
  }
  d.threads = static_cast<int>(threads.size());
  return d;
}

void DepthTable::add(const Depth& d) {
  const long values[] = {d.paused_at_once, d.pauses_of_one_job, d.fds_in_one_ctx, d.threads, d.reused_jobs,
                         static_cast<long>(d.ops)};
  for (std::size_t r = 0; r < rows_.size(); ++r) {
    for (std::size_t t = 0; t < kThresholds.size(); ++t) {
      if (values[r] >= kThresholds[t]) ++rows_[r].reached[t];
    }
    rows_[r].max = std::max(rows_[r].max, values[r]);
  }
  ++count_;
}

std::string DepthTable::text() const {
  char line[256];
  std::string out;
  std::snprintf(line, sizeof line, "%-24s", "sequences reaching >=");
  out += line;
  for (int t : kThresholds) {
    std::snprintf(line, sizeof line, " %7d", t);
    out += line;
  }
  out += "     max\n";
  for (const Row& r : rows_) {
    std::snprintf(line, sizeof line, "%-24s", r.name);
    out += line;
    for (std::size_t reached : r.reached) {
      std::snprintf(line, sizeof line, " %7zu", reached);
      out += line;
    }
    std::snprintf(line, sizeof line, " %7ld\n", r.max);
    out += line;
  }
  std::snprintf(line, sizeof line, "(%zu sequences)\n", count_);
  return out + line;
}

}  // namespace asyncconf::harness
