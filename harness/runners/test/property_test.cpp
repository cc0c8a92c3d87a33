// State-machine property tests (RapidCheck's rc::state): random op
// sequences, each op valid by the model of the spec, run one op at a time in
// a Session against the reference and the system OpenSSL; every observation
// must be the model's prediction, and the teardown must leak no job stack.
// RapidCheck shrinks a failing sequence to a short one and prints it in the
// text form of the sequence language (see property_support.hpp).
//
// RC_PARAMS sets the seed and the number of cases (ctest fixes both; see
// harness/README.md, "Property tests", for the soak mode). Environment:
//   ASYNCCONF_PROPERTY_REFERENCE  the library the Reference.* properties load
//                                 (default: the libasyncref.so of this build)
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <deque>
#include <set>
#include <string>

#include "asyncconf/harness/async_api.hpp"
#include "asyncconf/harness/interpreter.hpp"
#include "property_support.hpp"

namespace asyncconf::harness::proptest {
namespace {

// --- the implementations, each set up once per process -------------------------

struct Ready {
  const AsyncApi* api = nullptr;
  std::string error;            ///< why it did not load
};

// Loads, installs the counting stack allocator (before any job of the
// process), and makes the implementation's one-time allocations.
Ready set_up(LoadResult loaded) {
  Ready r;
  if (!loaded.ok()) {
    r.error = loaded.error().message;
    return r;
  }
  static std::deque<LoadedImpl> kept;  // never unloaded
  kept.push_back(std::move(loaded).impl());
  r.api = &kept.back().api();
  // The counting allocator serves one implementation per process: when an
  // earlier one has it, this one's stacks go uncounted (model_config knows).
  install_counting_stacks(*r.api);
  warm_up(*r.api);
  return r;
}

std::string reference_path() {
  const char* env = std::getenv("ASYNCCONF_PROPERTY_REFERENCE");
  return env != nullptr && *env != '\0' ? std::string(env) : std::string(ASYNCCONF_TEST_REFERENCE);
}

const Ready& reference() {
  static const Ready r = set_up(LoadedImpl::load(reference_path()));
  return r;
}

const Ready& openssl() {
  static const Ready r = set_up(LoadedImpl::load_system("libcrypto.so.3"));
  return r;
}

// model_config knows whether this implementation's stacks are the counted ones.
ModelConfig config_for(const Ready& r, Level level) { return model_config(*r.api, level); }

void property(const Ready& r, Level level, int threads) {
  if (r.api == nullptr) RC_FAIL("cannot load the implementation: " + r.error);
  check_session(*r.api, config_for(r, level), threads);
}

// --- the properties ----------------------------------------------------------------

RC_GTEST_PROP(Reference, MustOneThread, ()) { property(reference(), Level::Must, 1); }
RC_GTEST_PROP(Reference, MustTwoThreads, ()) { property(reference(), Level::Must, 2); }
RC_GTEST_PROP(Reference, DeFactoTwoThreads, ()) { property(reference(), Level::DeFacto, 2); }
// The reference answers misuse (reference_impl/README.md, "Deliberate
// differences"), and the model answers it the same way.
RC_GTEST_PROP(Reference, RobustnessTwoThreads, ()) { property(reference(), Level::Robustness, 2); }

// With the simulated device attached: bodies offload (one job many times,
// several jobs at once) and the driver awaits them in each way.
void device_property(const Ready& r, Level level, int threads) {
  if (r.api == nullptr) RC_FAIL("cannot load the implementation: " + r.error);
  ModelConfig config = config_for(r, level);
  config.device = true;
  check_session(*r.api, config, threads);
}
RC_GTEST_PROP(Reference, DeviceDeFactoTwoThreads, ()) { device_property(reference(), Level::DeFacto, 2); }

// The device misbehaving in every way the harness's device may (each test
// is a process: the faults are this one's): the job is woken early, twice
// and late, and some requests fail or are lost; every offload still returns
// its result or a failure the job sees, and nothing leaks.
void device_faults_property(const Ready& r, Level level, int threads) {
  static const std::string set =
      set_device_faults("spurious=0.3,duplicate=0.2,late=0.05,notify_early=0.1,error=0.1,lost=0.005", 20261207);
  if (!set.empty()) RC_FAIL("set_device_faults: " + set);
  if (r.api == nullptr) RC_FAIL("cannot load the implementation: " + r.error);
  ModelConfig config = config_for(r, level);
  config.device = true;
  config.device_faults = true;
  check_session(*r.api, config, threads);
}
RC_GTEST_PROP(Reference, DeviceFaultsDeFactoTwoThreads, ()) { device_faults_property(reference(), Level::DeFacto, 2); }
RC_GTEST_PROP(Reference, DeviceRobustnessTwoThreads, ()) { device_property(reference(), Level::Robustness, 2); }

// Not at the robustness level: OpenSSL crashes on misuse by design, and a
// crash here would end the whole test binary.
RC_GTEST_PROP(OpenSsl, MustOneThread, ()) { property(openssl(), Level::Must, 1); }
RC_GTEST_PROP(OpenSsl, MustTwoThreads, ()) { property(openssl(), Level::Must, 2); }
RC_GTEST_PROP(OpenSsl, DeviceMustTwoThreads, ()) { device_property(openssl(), Level::Must, 2); }
RC_GTEST_PROP(OpenSsl, DeviceFaultsMustTwoThreads, ()) { device_faults_property(openssl(), Level::Must, 2); }

// --- the generators reach every op ----------------------------------------------

// A random walk with the properties' own generator and preconditions at the
// robustness level (every capability on): every driver op of ops.def is
// generated and accepted by the model, and every body op is generated.
TEST(Generators, ReachEveryDriverAndBodyOp) {
  ModelConfig config;
  config.level = Level::Robustness;
  config.counting_stacks = true;
  config.fresh_process = false;
  config.device = true;
  Applied fresh;
  fresh.config = session_config(config);
  fresh.threads = 2;
  std::set<OpKind> driver;
  std::set<OpKind> body;
  rc::Random random(20240611);
  Applied s = fresh;
  for (int i = 0; i < 6000; ++i) {
    if (i % 40 == 0) s = fresh;
    const Op op = gen_driver_op(s)(random.split(), 40).value();
    if (!replay(s).skip_reason(op).empty()) continue;
    note(s, op);
    driver.insert(op.kind);
    for (const Op& b : op.body) body.insert(b.kind);
  }
  for (std::size_t k = 0; k < kOpKindCount; ++k) {
    const auto kind = static_cast<OpKind>(k);
    if (is_driver_op(kind)) {
      EXPECT_TRUE(driver.count(kind)) << "driver op " << op_name(kind) << " never ran";
    }
    if (is_body_op(kind)) {
      EXPECT_TRUE(body.count(kind)) << "body op " << op_name(kind) << " never generated";
    }
  }
}

}  // namespace
}  // namespace asyncconf::harness::proptest
