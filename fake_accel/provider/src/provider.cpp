// OSSL_provider_init of fakeaccel: one simulated device per provider
// instance (configured from FAKEACCEL_CONFIG and openssl.cnf's `config`),
// the digests, EC keys and ECDSA, and the device's counters (and the
// signature count) as gettable provider parameters.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <strings.h>

#include "asyncconf/accel/config.hpp"
#include "provider.hpp"

namespace asyncconf::accel::provider {
namespace {

OSSL_FUNC_core_get_params_fn* g_core_get_params = nullptr;

/// What the counters are read from: the device's snapshot and the
/// provider's own signature count.
struct Snapshot {
  DeviceCounters device;
  std::uint64_t signatures = 0;
};

/// One counter: its parameter name and where it is in a snapshot.
struct CounterParam {
  const char* name;
  std::uint64_t (*read)(const Snapshot&);
};

std::uint64_t unsigned_of(std::int64_t v) noexcept { return v < 0 ? 0 : static_cast<std::uint64_t>(v); }

const CounterParam kCounters[] = {
    {"fakeaccel.submitted", [](const Snapshot& s) { return s.device.submitted; }},
    {"fakeaccel.completed", [](const Snapshot& s) { return s.device.completed; }},
    {"fakeaccel.paused", [](const Snapshot& s) { return s.device.paused; }},
    {"fakeaccel.spurious_resumes", [](const Snapshot& s) { return s.device.spurious_resumes; }},
    {"fakeaccel.retries", [](const Snapshot& s) { return s.device.retries; }},
    {"fakeaccel.timeouts", [](const Snapshot& s) { return s.device.timeouts; }},
    {"fakeaccel.open_fds", [](const Snapshot& s) { return unsigned_of(s.device.open_fds); }},
    {"fakeaccel.signatures", [](const Snapshot& s) { return s.signatures; }},
};

Snapshot snapshot(ProviderCtx& prov) { return {prov.device().counters(), prov.signatures()}; }

const OSSL_PARAM kProviderGettable[] = {
    OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_NAME, nullptr, 0),
    OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_VERSION, nullptr, 0),
    OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_BUILDINFO, nullptr, 0),
    OSSL_PARAM_int(OSSL_PROV_PARAM_STATUS, nullptr),
    OSSL_PARAM_uint64("fakeaccel.submitted", nullptr),
    OSSL_PARAM_uint64("fakeaccel.completed", nullptr),
    OSSL_PARAM_uint64("fakeaccel.paused", nullptr),
    OSSL_PARAM_uint64("fakeaccel.spurious_resumes", nullptr),
    OSSL_PARAM_uint64("fakeaccel.retries", nullptr),
    OSSL_PARAM_uint64("fakeaccel.timeouts", nullptr),
    OSSL_PARAM_uint64("fakeaccel.open_fds", nullptr),
    OSSL_PARAM_uint64("fakeaccel.signatures", nullptr),
    OSSL_PARAM_END,
};

const OSSL_PARAM* prov_gettable_params(void*) { return kProviderGettable; }

int prov_get_params(void* provctx, OSSL_PARAM params[]) {
  OSSL_PARAM* p = nullptr;
  if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_NAME)) != nullptr &&
      OSSL_PARAM_set_utf8_ptr(p, "fakeaccel: SHA-2 and ECDSA on a simulated offload device") != 1)
    return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_VERSION)) != nullptr &&
      OSSL_PARAM_set_utf8_ptr(p, "0.1.0") != 1)
    return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_BUILDINFO)) != nullptr &&
      OSSL_PARAM_set_utf8_ptr(p, "asyncconf fake_accel") != 1)
    return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_STATUS)) != nullptr && OSSL_PARAM_set_int(p, 1) != 1)
    return 0;
  const Snapshot counters = snapshot(*static_cast<ProviderCtx*>(provctx));
  for (const CounterParam& c : kCounters) {
    if ((p = OSSL_PARAM_locate(params, c.name)) != nullptr && OSSL_PARAM_set_uint64(p, c.read(counters)) != 1)
      return 0;
  }
  return 1;
}

const OSSL_ALGORITHM* prov_query(void*, int operation_id, int* no_cache) {
  *no_cache = 0;
  switch (operation_id) {
    case OSSL_OP_DIGEST: return kDigests;
    case OSSL_OP_KEYMGMT: return kKeymgmts;
    case OSSL_OP_SIGNATURE: return kSignatures;
    default: return nullptr;
  }
}

/// libssl offers a TLS group only when the provider that declares it is the
/// one whose key management the group's algorithm fetches. Loaded before the
/// default provider, fakeaccel's "EC" wins that fetch, so fakeaccel declares
/// the default provider's EC groups (P-256, P-384, ...) as its own: without
/// them libssl would drop every NIST curve from its group list.
struct EcGroupFilter {
  OSSL_CALLBACK* cb;
  void* arg;
};

int forward_ec_group(const OSSL_PARAM params[], void* varg) {
  const auto* filter = static_cast<EcGroupFilter*>(varg);
  const OSSL_PARAM* alg = OSSL_PARAM_locate_const(params, OSSL_CAPABILITY_TLS_GROUP_ALG);
  const char* name = nullptr;
  if (alg == nullptr || OSSL_PARAM_get_utf8_string_ptr(alg, &name) != 1 || std::strcmp(name, "EC") != 0) return 1;
  return filter->cb(params, filter->arg);
}

int find_default_provider(OSSL_PROVIDER* prov, void* out) {
  if (std::strcmp(OSSL_PROVIDER_get0_name(prov), "default") != 0) return 1;
  *static_cast<OSSL_PROVIDER**>(out) = prov;
  return 0;
}

int prov_get_capabilities(void* provctx, const char* capability, OSSL_CALLBACK* cb, void* arg) {
  if (strcasecmp(capability, "TLS-GROUP") != 0) return 0;
  OSSL_PROVIDER* default_provider = nullptr;
  OSSL_PROVIDER_do_all(static_cast<ProviderCtx*>(provctx)->child(), &find_default_provider, &default_provider);
  if (default_provider == nullptr) return 1;  // no EC keys either: nothing to declare
  EcGroupFilter filter{cb, arg};
  return OSSL_PROVIDER_get_capabilities(default_provider, capability, &forward_ec_group, &filter);
}

void prov_teardown(void* provctx) { delete static_cast<ProviderCtx*>(provctx); }

const OSSL_DISPATCH kProviderFunctions[] = {
    {OSSL_FUNC_PROVIDER_TEARDOWN, reinterpret_cast<void (*)()>(&prov_teardown)},
    {OSSL_FUNC_PROVIDER_GET_CAPABILITIES, reinterpret_cast<void (*)()>(&prov_get_capabilities)},
    {OSSL_FUNC_PROVIDER_GETTABLE_PARAMS, reinterpret_cast<void (*)()>(&prov_gettable_params)},
    {OSSL_FUNC_PROVIDER_GET_PARAMS, reinterpret_cast<void (*)()>(&prov_get_params)},
    {OSSL_FUNC_PROVIDER_QUERY_OPERATION, reinterpret_cast<void (*)()>(&prov_query)},
    {0, nullptr},
};

/// Defaults (fd, fixed:100us, 4 workers), then openssl.cnf's `config`,
/// then FAKEACCEL_CONFIG on top. A bad string is reported on stderr.
bool device_config(const OSSL_CORE_HANDLE* handle, DeviceConfig& config) {
  config.workers = 4;
  if (g_core_get_params != nullptr) {
    char* text = nullptr;
    OSSL_PARAM request[] = {OSSL_PARAM_utf8_ptr("config", &text, 0), OSSL_PARAM_END};
    if (g_core_get_params(handle, request) == 1 && text != nullptr) {
      auto parsed = parse_device_config(text, config);
      if (!parsed) {
        std::fprintf(stderr, "fakeaccel: openssl.cnf config: %s\n", parsed.error().c_str());
        return false;
      }
      config = std::move(parsed).value();
    }
  }
  if (const char* env = std::getenv("FAKEACCEL_CONFIG"); env != nullptr) {
    auto parsed = parse_device_config(env, config);
    if (!parsed) {
      std::fprintf(stderr, "fakeaccel: FAKEACCEL_CONFIG: %s\n", parsed.error().c_str());
      return false;
    }
    config = std::move(parsed).value();
  }
  return true;
}

/// FAKEACCEL_COUNTERS names a file: the counters, one key=value a line.
void write_counters_file(const Snapshot& c) {
  const char* path = std::getenv("FAKEACCEL_COUNTERS");
  if (path == nullptr || *path == '\0') return;
  std::FILE* f = std::fopen(path, "w");
  if (f == nullptr) return;
  for (const CounterParam& counter : kCounters) {
    std::fprintf(f, "%s=%llu\n", counter.name + sizeof("fakeaccel.") - 1,
                 static_cast<unsigned long long>(counter.read(c)));
  }
  std::fclose(f);
}

}  // namespace

ProviderCtx::~ProviderCtx() {
  write_counters_file(snapshot(*this));
  device_.reset();
  for (EVP_MD*& md : md_) EVP_MD_free(md);
  EVP_KEYMGMT_free(ec_keymgmt_);
  EVP_SIGNATURE_free(ecdsa_);
  OSSL_LIB_CTX_free(child_);
}

const EVP_MD* ProviderCtx::software_md(Sha2 kind) {
  static constexpr const char* kNames[] = {"SHA2-256", "SHA2-384", "SHA2-512"};
  const auto i = static_cast<std::size_t>(kind);
  std::lock_guard lock(fetch_mutex_);
  if (md_[i] == nullptr) md_[i] = EVP_MD_fetch(child_, kNames[i], kSoftwareQuery);
  return md_[i];
}

const EVP_KEYMGMT* ProviderCtx::software_ec_keymgmt() {
  std::lock_guard lock(fetch_mutex_);
  if (ec_keymgmt_ == nullptr) ec_keymgmt_ = EVP_KEYMGMT_fetch(child_, "EC", kSoftwareQuery);
  return ec_keymgmt_;
}

const EVP_SIGNATURE* ProviderCtx::software_ecdsa() {
  std::lock_guard lock(fetch_mutex_);
  if (ecdsa_ == nullptr) ecdsa_ = EVP_SIGNATURE_fetch(child_, "ECDSA", kSoftwareQuery);
  return ecdsa_;
}

}  // namespace asyncconf::accel::provider

extern "C" __attribute__((visibility("default"))) int OSSL_provider_init(
    const OSSL_CORE_HANDLE* handle, const OSSL_DISPATCH* in, const OSSL_DISPATCH** out, void** provctx) {
  using namespace asyncconf::accel;
  using namespace asyncconf::accel::provider;
  for (const OSSL_DISPATCH* f = in; f->function_id != 0; ++f) {
    if (f->function_id == OSSL_FUNC_CORE_GET_PARAMS) g_core_get_params = OSSL_FUNC_core_get_params(f);
  }
  DeviceConfig config;
  if (!device_config(handle, config)) return 0;
  OSSL_LIB_CTX* child = OSSL_LIB_CTX_new_child(handle, in);
  if (child == nullptr) return 0;
  try {
    *provctx = new ProviderCtx(handle, child, std::make_unique<Device>(config));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fakeaccel: cannot start the device: %s\n", e.what());
    OSSL_LIB_CTX_free(child);
    return 0;
  }
  *out = kProviderFunctions;
  return 1;
}
