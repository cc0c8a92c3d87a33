// The C reproducer generator: the C files it writes are compiled with the C
// compiler (-std=c11 -Wall -Wextra -Werror) and run against the system
// libcrypto, libasyncref.so and libasyncref-faulty.so.
#include "asyncconf/harness/reproducer.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "asyncconf/harness/generator.hpp"
#include "asyncconf/harness/model.hpp"
#include "asyncconf/harness/sequence_text.hpp"

namespace asyncconf::harness {
namespace {

namespace fs = std::filesystem;

// --- files, the compiler, the program ------------------------------------------

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (const char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// A fresh directory per test (removed at the end unless the test failed).
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("asyncconf-repro-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    if (!::testing::Test::HasFailure()) {
      std::error_code ec;
      fs::remove_all(path_, ec);
    }
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

struct Outcome {
  int status = -1;  // exit status; 128 + signal when killed
  std::string out;
  std::string err;
};

int decode(int raw) {
  if (raw == -1) return -1;
  if (WIFEXITED(raw)) return WEXITSTATUS(raw);
  if (WIFSIGNALED(raw)) return 128 + WTERMSIG(raw);
  return -1;
}

std::string dir_of(const std::string& file) { return fs::path(file).parent_path().string(); }

// How the program is linked: the system libcrypto, or a library by path.
struct Link {
  std::string library;  // empty: -lcrypto
  std::string args() const {
    if (library.empty()) return "-lcrypto -lpthread";
    return quote(library) + " -Wl,-rpath," + quote(dir_of(library)) + " -lpthread";
  }
};
const Link kSystem{};
const Link kReference{ASYNCCONF_TEST_REFERENCE};
const Link kFaulty{ASYNCCONF_TEST_FAULTY};

// Compiles dir/repro.c to dir/repro; the compiler's output on failure.
Outcome compile(const fs::path& dir, const std::string& source, const Link& link) {
  write_file(dir / "repro.c", source);
  const std::string cmd = std::string(ASYNCCONF_TEST_CC) + " -std=c11 -Wall -Wextra -Werror " + ASYNCCONF_TEST_CFLAGS +
                          " -I" + quote(ASYNCCONF_TEST_OPENSSL_INCLUDE) + " " + quote((dir / "repro.c").string()) +
                          " -o " + quote((dir / "repro").string()) + " " + link.args() + " > " +
                          quote((dir / "cc.log").string()) + " 2>&1";
  Outcome o;
  o.status = decode(std::system(cmd.c_str()));
  o.err = read_file(dir / "cc.log");
  return o;
}

// Runs dir/repro with `env` ("NAME=value" words), with a time limit.
Outcome run(const fs::path& dir, const std::string& env = "") {
  const std::string cmd = "env " + env + " timeout 20 " +
                          quote((dir / "repro").string()) + " > " + quote((dir / "out.txt").string()) + " 2> " +
                          quote((dir / "err.txt").string());
  Outcome o;
  o.status = decode(std::system(cmd.c_str()));
  o.out = read_file(dir / "out.txt");
  o.err = read_file(dir / "err.txt");
  return o;
}

// --- requirement texts ----------------------------------------------------------

const std::map<std::string, std::string>& requirement_texts() {
  static const std::map<std::string, std::string> texts = [] {
    std::map<std::string, std::string> m;
    std::ifstream in(ASYNCCONF_TEST_REQUIREMENTS);
    const nlohmann::json doc = nlohmann::json::parse(in);
    for (const auto& r : doc.at("requirements")) {
      std::string text = r.contains("text") ? r.at("text").get<std::string>()
                                            : r.value("quote", std::string());
      m[r.at("id").get<std::string>()] = text;
    }
    return m;
  }();
  return texts;
}

std::string requirement_text(const std::string& id) {
  const auto& m = requirement_texts();
  const auto it = m.find(id);
  return it == m.end() ? std::string() : it->second;
}

// --- plans -------------------------------------------------------------------------

ModelConfig openssl_config(Level level = Level::Must) {
  ModelConfig c;
  c.level = level;
  c.callbacks = true;
  c.mem_functions = false;  // OpenSSL 3.0 has no ASYNC_set_mem_functions
  c.counting_stacks = false;
  return c;
}

ModelConfig reference_config(Level level = Level::Must) {
  ModelConfig c;
  c.level = level;
  c.callbacks = true;
  c.mem_functions = true;
  c.counting_stacks = true;
  return c;
}

// A sequence, its plan and the reproducer written for it.
struct Case {
  Sequence sequence;
  Plan plan;
  std::string source;
};

Case make_case(const std::string& text, const ModelConfig& config, std::size_t failing = ReproducerInput::npos,
               const std::string& what = "") {
  Case c;
  c.sequence = parse_sequence_or_throw(text);
  c.plan = plan(c.sequence, config);
  ReproducerInput in;
  in.sequence = &c.sequence;
  in.plan = &c.plan;
  in.failing = failing;
  in.what_happened = what;
  in.implementation = "the test implementation";
  in.requirement_text = requirement_text;
  c.source = write_c_reproducer(in);
  return c;
}

// Compiles and runs; the compiler's complaints fail the test.
Outcome build_and_run(const TempDir& dir, const std::string& source, const Link& link, const std::string& env = "") {
  const Outcome cc = compile(dir.path(), source, link);
  EXPECT_EQ(cc.status, 0) << "the C file does not compile cleanly:\n" << cc.err << "\n--- " << (dir.path() / "repro.c");
  if (cc.status != 0) return cc;
  return run(dir.path(), env);
}

std::string show(const Outcome& o) { return "exit " + std::to_string(o.status) + "\nstdout:\n" + o.out + "stderr:\n" + o.err; }

// A sequence that touches most of the API at level must.
const char* const kBroad =
    "init_thread 4 1\n"
    "wctx_new w0\n"
    "set_fd w0 1 7\n"
    "set_callback w0 on\n"
    "get_callback w0\n"
    "start j0 w0 arg=5 { check_arg; current_job; wait_ctx; set_fd 2 8; pause; get_changed_fds; get_all_fds; "
    "clear_fd 1; get_fd 2; set_status 2; return 3 }\n"
    "current_job\n"
    "get_status w0\n"
    "resume j0\n"
    "get_all_fds w0\n"
    "wctx_new w1\n"
    "start j1 w1 { block; pause; unblock; current_job; pause; return 1 }\n"
    "get_changed_fds w1\n";

// --- 1, 2: passing sequences ---------------------------------------------------------

TEST(Reproducer, PassesAgainstSystemLibcrypto) {
  TempDir dir;
  const Case c = make_case(kBroad, openssl_config());
  const Outcome o = build_and_run(dir, c.source, kSystem);
  EXPECT_EQ(o.status, 0) << show(o);
  EXPECT_NE(o.out.find("no violation: all " + std::to_string(c.plan.expected.size()) +
                       " observations matched the model"),
            std::string::npos)
      << show(o);
  // The progress lines, one per step, and the end.
  EXPECT_NE(o.err.find("step 0: init_thread 4 1\n"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("step 8: resume j0\n"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("sequence end"), std::string::npos) << o.err;
  // No stack counting without ASYNC_set_mem_functions; the steps run on a
  // thread of their own that exits, as in the interpreter.
  EXPECT_EQ(c.source.find("ASYNC_set_mem_functions"), std::string::npos);
  EXPECT_NE(c.source.find("pthread_create"), std::string::npos);
}

TEST(Reproducer, PassesAgainstReferenceCountingStacks) {
  TempDir dir;
  const Case c = make_case(std::string("set_mem_functions 65536\nget_mem_functions\n") + kBroad, reference_config());
  EXPECT_NE(c.source.find("#if OPENSSL_VERSION_NUMBER < 0x30200000L"), std::string::npos);
  EXPECT_NE(c.source.find("ASYNC_set_mem_functions(counting_alloc, counting_free)"), std::string::npos);
  EXPECT_NE(c.source.find("ASYNC_get_mem_functions(&alloc_fn, NULL)"), std::string::npos);
  EXPECT_NE(c.source.find("o.stacks"), std::string::npos);
  EXPECT_NE(c.source.find("o.asked, 32768"), std::string::npos);
  const Outcome o = build_and_run(dir, c.source, kReference);
  EXPECT_EQ(o.status, 0) << show(o);
  EXPECT_NE(o.out.find("no violation"), std::string::npos) << show(o);
  EXPECT_EQ(o.out.find("note:"), std::string::npos) << show(o);
}

// The same program fails when the stacks are not what the model counts: the
// counting checks are live.
TEST(Reproducer, StackCountingCatchesAHalvedStack) {
  TempDir dir;
  const Case c = make_case("wctx_new w0\nstart j0 w0 { pause; return 1 }\nresume j0\n", reference_config());
  const Outcome o = build_and_run(dir, c.source, kFaulty, "ASYNCREF_FAULT=stack-num-halved");
  EXPECT_EQ(o.status, kReproducerViolation) << show(o);
  EXPECT_NE(o.out.find("VIOLATION at step 1 (start j0 w0): the stack allocator was asked for 16384 bytes, expected "
                       "32768 bytes\n  requirement MEM-DEFAULT-STACK-32K (must): \""),
            std::string::npos)
      << show(o);
}

// Offloads to the reproducer's own small device, waited for in each way.
const char* const kDevice =
    "wctx_new w0\n"
    "set_fd w0 1 5\n"
    "start j0 w0 { offload; get_all_fds; offload; offload; return 3 }\n"
    "get_all_fds w0\n"
    "await j0 select\n"
    "await j0 epoll\n"
    "wctx_new w1\n"
    "set_callback w1 on\n"
    "start j1 w1 { offload; get_status; return 4 }\n"
    "get_changed_fds w0\n"
    "await j1 callback\n"
    "start j2 null { offload; return 5 }\n";

TEST(Reproducer, OffloadsPassAgainstSystemLibcryptoAndTheReference) {
  for (const bool system : {true, false}) {
    TempDir dir;
    const Case c = make_case(kDevice, system ? openssl_config() : reference_config());
    ASSERT_TRUE(c.plan.config.device);
    EXPECT_NE(c.source.find("offload_in_job(&o);"), std::string::npos);
    EXPECT_NE(c.source.find("await_wake(handle_j0, 0)"), std::string::npos);
    const Outcome o = build_and_run(dir, c.source, system ? kSystem : kReference);
    EXPECT_EQ(o.status, 0) << show(o);
    EXPECT_NE(o.out.find("no violation: all " + std::to_string(c.plan.expected.size()) +
                         " observations matched the model"),
              std::string::npos)
        << show(o);
  }
}

// --- 3: faults are found, and named by their requirement ---------------------------------

struct FaultCase {
  const char* fault;
  const char* sequence;
  bool counting;
  const char* requirement;  // the one stdout must name
  const char* violation;    // a piece of the VIOLATION line
  Level level = Level::Must;
};

void PrintTo(const FaultCase& f, std::ostream* os) { *os << f.fault; }

class ReproducerFault : public ::testing::TestWithParam<FaultCase> {};

TEST_P(ReproducerFault, ExitsOneNamingTheRequirement) {
  const FaultCase& f = GetParam();
  TempDir dir;
  const Case c = make_case(f.sequence, f.counting ? reference_config(f.level) : openssl_config(f.level));
  const Outcome cc = compile(dir.path(), c.source, kFaulty);
  ASSERT_EQ(cc.status, 0) << cc.err;
  // Without the fault the faulty library is the reference: no violation.
  const Outcome clean = run(dir.path());
  EXPECT_EQ(clean.status, 0) << show(clean);
  EXPECT_NE(clean.out.find("no violation"), std::string::npos) << show(clean);
  // With it, the first violation, its requirement and the man page's words.
  const Outcome o = run(dir.path(), std::string("ASYNCREF_FAULT=") + f.fault);
  EXPECT_EQ(o.status, kReproducerViolation) << show(o);
  EXPECT_EQ(o.out.rfind("VIOLATION at step ", 0), 0u) << show(o);
  EXPECT_NE(o.out.find(std::string("requirement ") + f.requirement + " ("), std::string::npos) << show(o);
  EXPECT_NE(o.out.find(f.violation), std::string::npos) << show(o);
  const std::string text = requirement_text(f.requirement);
  ASSERT_FALSE(text.empty());
  EXPECT_NE(o.out.find(text.substr(0, 30)), std::string::npos) << show(o);
  EXPECT_EQ(o.out.find("no violation"), std::string::npos) << show(o);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, ReproducerFault,
    ::testing::Values(
        FaultCase{"finish-ret-not-written", "start j0 null { return 3 }\n", false, "START-FINISH-RET",
                  "VIOLATION at step 0 (start j0 null): *ret is untouched (0x5eed), expected 3"},
        // The pause pauses: ASYNC_start_job returns where the model expected
        // the pause to return 1 (control flow differs).
        FaultCase{"block-ignored", "wctx_new w0\nstart j0 w0 { block; pause; unblock; return 1 }\n", false,
                  "BLOCK-PREVENTS-PAUSE", "control flow differs from the model: the program reached step 1"},
        // A refused job runs: its body op the model says never runs.
        FaultCase{"pool-max-off-by-one",
                  "init_thread 1 0\nwctx_new w0\nwctx_new w1\nstart j0 w0 { pause; return 1 }\n"
                  "start j1 w1 { set_fd 1 3; return 2 }\nresume j0\n",
                  true, "START-NO-JOBS-POOL-EMPTY", "j1 body op 0 (set_fd 1 3) ran, which the model says never runs"},
        FaultCase{"get-all-fds-misses-newest", "wctx_new w0\nset_fd w0 1 5\nset_fd w0 2 6\nget_all_fds w0\n", false,
                  "FD-GET-ALL-NUMFDS", "numfds is 1, expected 2"},
        FaultCase{"free-skips-cleanup", "wctx_new w0\nset_fd w0 1 5\nset_fd w0 2 6\nwctx_free w0\n", false,
                  "CLEANUP-CALLED-ON-FREE", "the fds cleaned up are [], expected [5 6] (in any order)"},
        FaultCase{"changed-fds-not-reset",
                  "wctx_new w0\nstart j0 w0 { set_fd 1 5; pause; get_changed_fds; return 0 }\nresume j0\n", false,
                  "CHANGED-RESET-ON-RESUME", "in j0 body op 2 (get_changed_fds): numaddfds is 1, expected 0",
                  Level::DeFacto},
        FaultCase{"thread-exit-leaks", "wctx_new w0\nstart j0 w0 { return 1 }\n", true,
                  "LEAK-AUTO-CLEANUP-AT-THREAD-EXIT",
                  "(sequence end): job stacks alive after every thread exited: 1, expected 0"},
        // The device's fd is left out: select has nothing to wait on.
        FaultCase{"get-all-fds-misses-newest", "wctx_new w0\nstart j0 w0 { offload; return 1 }\nawait j0 select\n",
                  false, "FD-GET-ALL-RETURNS-FDS",
                  "VIOLATION at step 2 (await j0 select): the device's wake-up came (1; 0: not in 10 s; -1: no fd "
                  "listed): -1, expected 1"}),
    [](const ::testing::TestParamInfo<FaultCase>& info) {
      std::string name = info.param.fault;
      std::replace(name.begin(), name.end(), '-', '_');
      if (std::string_view(info.param.sequence).find("offload") != std::string_view::npos) name += "_offloading";
      return name;
    });

// --- levels: a looser check is a note, enforced at its own level -----------------------------

TEST(Reproducer, LooserLevelDifferenceIsANote) {
  const char* seq = "wctx_new w0\nstart j0 w0 { pause; return 4 }\nresume j0\n";
  // *ret written on ASYNC_PAUSE breaks START-PAUSE-RET-UNTOUCHED (de-facto).
  TempDir must_dir;
  const Case must = make_case(seq, openssl_config(Level::Must));
  const Outcome m = build_and_run(must_dir, must.source, kFaulty, "ASYNCREF_FAULT=ret-written-on-pause");
  EXPECT_EQ(m.status, 0) << show(m);
  EXPECT_NE(m.out.find("note at step 1 (start j0 w0): *ret is 0, expected untouched (0x5eed)\n"
                       "  requirement START-PAUSE-RET-UNTOUCHED (de-facto; not enforced at this level)"),
            std::string::npos)
      << show(m);
  EXPECT_NE(m.out.find("no violation: all " + std::to_string(must.plan.expected.size()) +
                       " observations matched the model at level must (1 difference at looser levels noted above)"),
            std::string::npos)
      << show(m);

  TempDir de_facto_dir;
  const Case de_facto = make_case(seq, openssl_config(Level::DeFacto));
  const Outcome d = build_and_run(de_facto_dir, de_facto.source, kFaulty, "ASYNCREF_FAULT=ret-written-on-pause");
  EXPECT_EQ(d.status, kReproducerViolation) << show(d);
  EXPECT_NE(d.out.find("VIOLATION at step 1 (start j0 w0): *ret is 0, expected untouched (0x5eed)\n"
                       "  requirement START-PAUSE-RET-UNTOUCHED (de-facto): "),
            std::string::npos)
      << show(d);
}

// --- 4: threads -----------------------------------------------------------------------------------

const char* const kThreads =
    "wctx_new w0\n"
    "t1: init_thread 2 0\n"
    "t1: start j0 w0 { pause; set_fd 1 4; return 2 }\n"
    "start j1 null { current_job; return 1 }\n"
    "t1: resume j0\n"
    "t1: current_job\n"
    "wctx_new w1\n"
    "t2: start j2 w1 { pause; get_all_fds; return 4 }\n"
    "t3: get_status w1\n"
    "t2: resume j2\n"
    "wctx_new w2\n"
    "t1: start j3 w2 { pause; return 5 }\n";  // resumed by the teardown, on t1

TEST(Reproducer, ThreadsPassAgainstReference) {
  TempDir dir;
  const Case c = make_case(kThreads, reference_config());
  ASSERT_EQ(c.plan.threads, 4);
  EXPECT_NE(c.source.find("#include <semaphore.h>"), std::string::npos);
  EXPECT_NE(c.source.find("static void *thread_t3(void *unused)"), std::string::npos);
  EXPECT_NE(c.source.find("pass_turn(1, 0); /* step 3 runs on t0 */"), std::string::npos);
  const Outcome o = build_and_run(dir, c.source, kReference);
  EXPECT_EQ(o.status, 0) << show(o);
  EXPECT_NE(o.out.find("no violation: all " + std::to_string(c.plan.expected.size()) + " observations"),
            std::string::npos)
      << show(o);
  // Steps ran in plan order whatever thread they are on.
  std::size_t at = 0;
  for (std::size_t s = 0; s < c.plan.steps.size(); ++s) {
    const std::size_t next = o.err.find("step " + std::to_string(s) + ": ", at);
    ASSERT_NE(next, std::string::npos) << "step " << s << "\n" << o.err;
    at = next;
  }
}

// And against the system libcrypto, without stack counting.
TEST(Reproducer, ThreadsPassAgainstSystemLibcrypto) {
  TempDir dir;
  const Case c = make_case(kThreads, openssl_config());
  const Outcome o = build_and_run(dir, c.source, kSystem);
  EXPECT_EQ(o.status, 0) << show(o);
  EXPECT_NE(o.out.find("no violation"), std::string::npos) << show(o);
}

// A thread's state is freed when it exits: a resume on the wrong thread is
// caught (the pool is per thread), so the handover really changes threads.
TEST(Reproducer, StepsRunOnTheirThreads) {
  TempDir dir;
  // Robustness level: the model predicts ASYNC_ERR for a resume on another
  // thread, as the reference answers it.
  const Case c = make_case("wctx_new w0\nstart j0 w0 { pause; return 1 }\nt1: resume j0\n",
                           reference_config(Level::Robustness));
  const Outcome o = build_and_run(dir, c.source, kReference);
  EXPECT_EQ(o.status, 0) << show(o);
  EXPECT_NE(o.out.find("no violation"), std::string::npos) << show(o);
  // The same resume on the owning thread would have finished the job: the
  // prediction for step 2 is ASYNC_ERR.
  EXPECT_NE(c.source.find("expect_value(&R_ROBUST_RESUME_OTHER_THREAD, \"ASYNC_start_job returned\", AS_START, o.rc, "
                          "ASYNC_ERR);"),
            std::string::npos);
}

// --- 5: random sequences ------------------------------------------------------------------------

TEST(Reproducer, RandomSequencesCompileCleanAndPass) {
  constexpr int kCount = 30;
  GeneratorOptions options;
  options.model = reference_config(Level::Must);
  options.threads = 2;
  std::vector<Case> cases(kCount);
  for (int i = 0; i < kCount; ++i) {
    Case& c = cases[static_cast<std::size_t>(i)];
    c.sequence = generate(sequence_seed(7, static_cast<std::uint64_t>(i)), options);
    c.plan = plan(c.sequence, options.model);
    ReproducerInput in;
    in.sequence = &c.sequence;
    in.plan = &c.plan;
    in.implementation = "libasyncref.so";
    in.requirement_text = requirement_text;
    c.source = write_c_reproducer(in);
  }
  std::vector<std::unique_ptr<TempDir>> dirs;
  for (int i = 0; i < kCount; ++i) dirs.push_back(std::make_unique<TempDir>());
  std::vector<Outcome> compiled(kCount);
  std::vector<Outcome> ran(kCount);
  std::atomic<int> next{0};
  auto work = [&] {
    for (int i = next++; i < kCount; i = next++) {
      const auto n = static_cast<std::size_t>(i);
      compiled[n] = compile(dirs[n]->path(), cases[n].source, kReference);
      if (compiled[n].status == 0) ran[n] = run(dirs[n]->path());
    }
  };
  const unsigned workers = std::max(2u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned w = 0; w < workers; ++w) pool.emplace_back(work);
  for (auto& t : pool) t.join();
  int threaded = 0;
  for (int i = 0; i < kCount; ++i) {
    const auto n = static_cast<std::size_t>(i);
    const std::string seq = print_sequence(cases[n].sequence);
    if (cases[n].plan.threads > 1) ++threaded;
    ASSERT_EQ(compiled[n].status, 0) << "sequence " << i << ":\n" << seq << compiled[n].err;
    EXPECT_EQ(ran[n].status, 0) << "sequence " << i << ":\n" << seq << show(ran[n]);
    EXPECT_NE(ran[n].out.find("no violation: all " + std::to_string(cases[n].plan.expected.size()) +
                              " observations matched the model\n"),
              std::string::npos)
        << "sequence " << i << ":\n" << seq << show(ran[n]);
  }
  EXPECT_GT(threaded, 0) << "no random sequence used two threads";
}

// --- 6: the text ------------------------------------------------------------------------------------

TEST(Reproducer, HeaderHoldsSequenceBuildLinesAndWhere) {
  const Case c = make_case(kBroad, openssl_config(), 9,
                           "libcrypto.so.3 (OpenSSL 3.0.19): ASYNC_start_job returned ASYNC_FINISH at step 8, "
                           "expected ASYNC_PAUSE.");
  const std::string& s = c.source;
  const std::size_t end_of_header = s.find(" */\n");
  ASSERT_NE(end_of_header, std::string::npos);
  const std::string header = s.substr(0, end_of_header);
  EXPECT_EQ(s.rfind("/*\n * Reproducer: the test implementation and the OpenSSL ASYNC job API\n", 0), 0u) << header;
  // Every line of the sequence's text, as the text form prints it.
  std::istringstream lines(print_sequence(c.sequence));
  for (std::string line; std::getline(lines, line);) {
    EXPECT_NE(header.find(" *   " + line + "\n"), std::string::npos) << line << "\n" << header;
  }
  EXPECT_NE(header.find("cc repro.c -lcrypto -lpthread && ./a.out"), std::string::npos) << header;
  EXPECT_NE(header.find("LD_PRELOAD=/path/libasyncref.so ./a.out"), std::string::npos) << header;
  EXPECT_NE(header.find("cc repro.c /path/libX.so"), std::string::npos) << header;
  EXPECT_NE(header.find("libcrypto.so.3 (OpenSSL 3.0.19): ASYNC_start_job returned"), std::string::npos) << header;
  // Where the harness saw it: observation 9's step, and its prediction.
  const Observation& w = c.plan.expected[9].want;
  EXPECT_NE(header.find("The harness saw the first difference at step " + std::to_string(w.step)), std::string::npos)
      << header;
  EXPECT_NE(header.find(describe(w, &c.plan.expected[9])), std::string::npos) << header;
  EXPECT_NE(s.find("observation(9, &o); /* <- the harness saw this observation differ */"), std::string::npos);
  // The code: a job function per job, named objects, a progress line per step.
  EXPECT_NE(s.find("static int job_j0(void *args)"), std::string::npos);
  EXPECT_NE(s.find("static int job_j1(void *args)"), std::string::npos);
  EXPECT_NE(s.find("static ASYNC_JOB *handle_j0;"), std::string::npos);
  EXPECT_NE(s.find("static ASYNC_WAIT_CTX *ctx_w1;"), std::string::npos);
  EXPECT_NE(s.find("o.rc = ASYNC_pause_job();"), std::string::npos);
  EXPECT_NE(s.find("step(8, \"resume j0\");"), std::string::npos);
  // The man page's words come with the requirement.
  EXPECT_NE(s.find("\"START-FINISH-RET\", MUST,\n    \"" + requirement_text("START-FINISH-RET").substr(0, 20)),
            std::string::npos);
  // Only <openssl/async.h> from OpenSSL.
  std::size_t includes = 0;
  for (std::size_t at = s.find("#include <openssl/"); at != std::string::npos; at = s.find("#include <openssl/", at + 1)) {
    ++includes;
  }
  EXPECT_EQ(includes, 1u);
}

TEST(Reproducer, CrashHasNoObservationAndIdsOnlyWithoutTexts) {
  Case c;
  c.sequence = parse_sequence_or_throw("start j0 null { return 3 }\n");
  c.plan = plan(c.sequence, openssl_config());
  ReproducerInput in;
  in.sequence = &c.sequence;
  in.plan = &c.plan;
  in.what_happened = "libX.so crashed with SIGSEGV at step 0";
  in.implementation = "libX.so";
  const std::string s = write_c_reproducer(in);
  EXPECT_NE(s.find("No observation differed: the implementation crashed or hung."), std::string::npos) << s;
  EXPECT_NE(s.find("libX.so crashed with SIGSEGV at step 0"), std::string::npos) << s;
  EXPECT_NE(s.find("\"START-FINISH-RET\", MUST,\n    NULL\n"), std::string::npos) << s;
  EXPECT_EQ(s.find("<- the harness saw"), std::string::npos) << s;
}

TEST(Reproducer, Deterministic) {
  GeneratorOptions options;
  options.model = reference_config(Level::Robustness);
  options.threads = 3;
  for (std::uint64_t i = 0; i < 20; ++i) {
    const Sequence seq = generate(sequence_seed(11, i), options);
    const Plan p1 = plan(seq, options.model);
    const Plan p2 = plan(seq, options.model);
    ReproducerInput a;
    a.sequence = &seq;
    a.plan = &p1;
    a.failing = p1.expected.size() / 2;
    a.requirement_text = requirement_text;
    ReproducerInput b = a;
    b.plan = &p2;
    const std::string first = write_c_reproducer(a);
    EXPECT_EQ(first, write_c_reproducer(b)) << i;
    EXPECT_EQ(first, write_c_reproducer(a)) << i;
  }
}

// The values the runtime shares with the harness are the harness's own,
// written ahead of the runtime (runtime.c keeps no copy of them).
TEST(Reproducer, ConstantsComeFromTheHarness) {
  const Case c = make_case("wctx_new w0\nset_fd w0 1 5\n", openssl_config());
  const std::string& s = c.source;
  const auto defined = [&](const std::string& name, const std::string& value) {
    const std::size_t at = s.find("#define " + name + " " + value + " ");
    EXPECT_NE(at, std::string::npos) << name << " " << value << "\n" << s;
    return at;
  };
  const std::size_t first = defined("MAX_FDS", std::to_string(kMaxFdsPerCtx));
  defined("MAX_KEYS", std::to_string(kMaxKeys));
  defined("REF_NULL", "(" + std::to_string(kRefNull) + "L)");
  defined("REF_UNKNOWN", "(" + std::to_string(kRefUnknown) + "L)");
  char untouched[16];
  std::snprintf(untouched, sizeof untouched, "%#x", static_cast<unsigned>(kRetUntouched));
  defined("RET_UNTOUCHED", untouched);
  defined("EXIT_VIOLATION", std::to_string(kReproducerViolation));
  defined("EXIT_SETUP_FAILED", std::to_string(kReproducerSetupFailed));
  // Ahead of the runtime's first use of them; the runtime's own checks for
  // them (and its stand-ins for the writer's text) are never copied.
  EXPECT_LT(first, s.find("struct fd_list {"));
  EXPECT_NE(s.find("static char keys[MAX_KEYS];"), std::string::npos);
  EXPECT_EQ(s.find("#error"), std::string::npos);
  EXPECT_EQ(s.find("/*@"), std::string::npos);
  EXPECT_EQ(s.find("R_EXAMPLE"), std::string::npos);
}

// Text that would break the C file stays inside its literal or comment.
TEST(Reproducer, HostileTextIsEscaped) {
  TempDir dir;
  Case c;
  c.sequence = parse_sequence_or_throw("wctx_new w0\nget_status w0\n");
  c.plan = plan(c.sequence, openssl_config());
  ReproducerInput in;
  in.sequence = &c.sequence;
  in.plan = &c.plan;
  in.what_happened = "*/ int broken; /* ?\?/ \"quoted\" \\ \xc3\xa9\n second line";
  in.implementation = "lib*/x";
  in.requirement_text = [](const std::string&) { return std::string("a \"quote\", a \\ and ?\?( and \xe2\x80\x9c \n"); };
  const std::string s = write_c_reproducer(in);
  const Outcome o = build_and_run(dir, s, kSystem);
  EXPECT_EQ(o.status, 0) << show(o);
  EXPECT_NE(o.out.find("no violation"), std::string::npos) << show(o);
}

// The end: heap blocks cannot be counted here, the program says how to see them.
TEST(Reproducer, LeakAtTheEndGivesANote) {
  TempDir dir;
  Case c;
  c.sequence = parse_sequence_or_throw("wctx_new w0\nstart j0 w0 { return 1 }\n");
  ModelConfig config = openssl_config();
  config.counting_heap = true;
  c.plan = plan(c.sequence, config);
  Observation seen = c.plan.expected.back().want;
  ASSERT_TRUE(seen.end);
  seen.heap = 3;
  ReproducerInput in;
  in.sequence = &c.sequence;
  in.plan = &c.plan;
  in.failing = c.plan.expected.size() - 1;
  in.observed = &seen;
  in.requirement_text = requirement_text;
  const std::string s = write_c_reproducer(in);
  EXPECT_NE(s.find("The harness observed:"), std::string::npos) << s;
  const Outcome o = build_and_run(dir, s, kSystem);
  EXPECT_EQ(o.status, 0) << show(o);
  EXPECT_NE(o.out.find("note: the harness saw 3 heap blocks leaked by the end of the sequence, which this program "
                       "cannot count; run it under valgrind --leak-check=full"),
            std::string::npos)
      << show(o);
}

}  // namespace
}  // namespace asyncconf::harness
