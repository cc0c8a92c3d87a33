#include "asyncconf/harness/async_api.hpp"

#include <dlfcn.h>
#include <link.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <utility>

#include "asyncconf/harness/mapped_objects.hpp"

namespace asyncconf::harness {

namespace {

constexpr bool is_required(int major, int minor) noexcept { return major == 1 && minor == 1; }

// Null when the library does not define `name`: none of the ABI's symbols
// is a function that could legitimately live at address 0.
template <typename Fn>
bool resolve(void* handle, const char* name, Fn& slot) noexcept {
  slot = reinterpret_cast<Fn>(dlsym(handle, name));
  return slot != nullptr;
}

// The file the loader actually mapped (a soname resolves to a path).
std::string loaded_path(void* handle, const std::string& fallback) {
  link_map* map = nullptr;
  if (dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map != nullptr && map->l_name != nullptr &&
      map->l_name[0] != '\0') {
    return map->l_name;
  }
  return fallback;
}

// Load biases of every object a load() or load_system() mapped: the
// implementations under test and what they brought with them. Anything else
// that is a libcrypto or libssl has no business in the process.
std::mutex g_loaded_mutex;
std::vector<std::uintptr_t> g_loaded_bases;

bool is_openssl_library(const std::optional<std::string>& soname) {
  return soname && (soname->rfind("libcrypto.so", 0) == 0 || soname->rfind("libssl.so", 0) == 0);
}

bool contains(const std::vector<MappedObject>& objects, std::uintptr_t base) {
  return std::any_of(objects.begin(), objects.end(), [&](const MappedObject& o) { return o.base == base; });
}

const char* const kCrossing =
    ": two copies of one library in a process call into each other, and every verdict "
    "would be the harness's, not the implementation's. Run it in a process of its own.";

// A file to be loaded whose soname an object already in the process has.
std::optional<LoadError> same_soname_conflict(const std::string& file,
                                              const std::vector<MappedObject>& before) {
  const std::optional<std::string> soname = elf_soname(file);
  if (!soname) return std::nullopt;
  for (const MappedObject& o : before) {
    if (o.soname == soname && !same_file(o.path, file)) {
      return LoadError{LoadError::Kind::NotIsolated,
                       file + " has the soname " + *soname + ", and another object with that soname is "
                              "already in this process: " + o.path + kCrossing};
    }
  }
  return std::nullopt;
}

// The implementation's functions must be its own, or come from what its own
// load brought in, and nothing already global may shadow them.
std::optional<LoadError> crossing(const std::string& path, const AsyncApi& api,
                                  const std::vector<MappedObject>& before) {
  const std::pair<const char*, const void*> functions[] = {
#define ASYNCCONF_SYMBOL(name, major, minor) {#name, reinterpret_cast<const void*>(api.name)},
#include "asyncconf/async_symbols.def"
#undef ASYNCCONF_SYMBOL
  };
  for (const auto& [name, address] : functions) {
    if (address == nullptr) continue;
    const std::optional<MappedObject> owner = object_containing(address);
    if (owner && contains(before, owner->base) && !same_file(owner->path, path)) {
      return LoadError{LoadError::Kind::NotIsolated,
                       path + ": " + name + " resolves to " + owner->path +
                           ", which was in this process before " + path + " was loaded" + kCrossing};
    }
    const void* global = dlsym(RTLD_DEFAULT, name);
    if (global != nullptr && global != address) {
      const std::optional<MappedObject> other = object_containing(global);
      return LoadError{LoadError::Kind::NotIsolated,
                       path + ": " + name + " is already defined in this process's global scope by " +
                           (other ? other->path : std::string("another object")) +
                           ", so the library's own calls to it could go there" + kCrossing};
    }
  }
  return std::nullopt;
}

// A libcrypto or libssl in the process that no load brought in.
std::optional<LoadError> foreign_openssl(const std::string& path, const std::vector<MappedObject>& now) {
  const std::lock_guard<std::mutex> lock(g_loaded_mutex);
  for (const MappedObject& o : now) {
    if (is_openssl_library(o.soname) &&
        std::find(g_loaded_bases.begin(), g_loaded_bases.end(), o.base) == g_loaded_bases.end()) {
      return LoadError{LoadError::Kind::NotIsolated,
                       path + ": this process already holds " + o.path + " (" + *o.soname +
                           "), which is not the implementation under test" + kCrossing};
    }
  }
  return std::nullopt;
}

void remember_new_objects(const std::vector<MappedObject>& before, const std::vector<MappedObject>& now) {
  const std::lock_guard<std::mutex> lock(g_loaded_mutex);
  for (const MappedObject& o : now) {
    if (!contains(before, o.base)) g_loaded_bases.push_back(o.base);
  }
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

}  // namespace

const char* to_string(LoadError::Kind kind) noexcept {
  switch (kind) {
    case LoadError::Kind::FileNotFound: return "FileNotFound";
    case LoadError::Kind::NotLoadable: return "NotLoadable";
    case LoadError::Kind::MissingSymbols: return "MissingSymbols";
    case LoadError::Kind::NotIsolated: return "NotIsolated";
  }
  return "?";
}

LoadedImpl::LoadedImpl(void* handle, std::string path, std::unique_ptr<const AsyncApi> api,
                       std::vector<std::string> missing_optional) noexcept
    : handle_(handle),
      path_(std::move(path)),
      api_(std::move(api)),
      missing_optional_(std::move(missing_optional)) {}

LoadResult LoadedImpl::load(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    const int err = errno;
    const LoadError::Kind kind = err == ENOENT || err == ENOTDIR ? LoadError::Kind::FileNotFound
                                                                 : LoadError::Kind::NotLoadable;
    return LoadError{kind, path + ": " + std::strerror(err)};
  }

  // dlopen() looks a name without a slash up on the library search path,
  // which could load another file than the one just checked.
  const std::string file = path.find('/') == std::string::npos ? "./" + path : path;
  const std::vector<MappedObject> before = mapped_objects();
  if (std::optional<LoadError> conflict = same_soname_conflict(file, before)) return std::move(*conflict);
  return open_and_resolve(file, path, before);
}

LoadResult LoadedImpl::load_system(const std::string& soname) {
  return open_and_resolve(soname, soname, mapped_objects());
}

LoadResult LoadedImpl::open_and_resolve(const std::string& file, const std::string& shown,
                                        const std::vector<MappedObject>& before) {
  dlerror();
  void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    const bool not_found = file.find('/') == std::string::npos;
    return LoadError{not_found ? LoadError::Kind::FileNotFound : LoadError::Kind::NotLoadable,
                     why != nullptr ? std::string(why) : shown + ": dlopen failed"};
  }
  std::string path = loaded_path(handle, file);

  auto api = std::make_unique<AsyncApi>();
  std::vector<std::string> missing_required;
  std::vector<std::string> missing_optional;
#define ASYNCCONF_SYMBOL(name, major, minor)                         \
  if (!resolve(handle, #name, api->name)) {                          \
    (is_required(major, minor) ? missing_required : missing_optional) \
        .emplace_back(#name);                                        \
  }
#include "asyncconf/async_symbols.def"
#undef ASYNCCONF_SYMBOL

  if (!missing_required.empty()) {
    return LoadError{LoadError::Kind::MissingSymbols,
                     path + ": missing required ASYNC functions: " + join(missing_required)};
  }
  api->has_callbacks = api->ASYNC_WAIT_CTX_set_callback != nullptr &&
                       api->ASYNC_WAIT_CTX_get_callback != nullptr &&
                       api->ASYNC_WAIT_CTX_set_status != nullptr &&
                       api->ASYNC_WAIT_CTX_get_status != nullptr;
  api->has_mem_functions =
      api->ASYNC_set_mem_functions != nullptr && api->ASYNC_get_mem_functions != nullptr;

  // Recorded before the checks, so that a refused load's own objects are not
  // later blamed as foreign; it stays mapped (see the class comment).
  const std::vector<MappedObject> now = mapped_objects();
  remember_new_objects(before, now);
  if (std::optional<LoadError> crossed = crossing(path, *api, before)) return std::move(*crossed);
  if (std::optional<LoadError> foreign = foreign_openssl(path, now)) return std::move(*foreign);
  return LoadedImpl(handle, path, std::move(api), std::move(missing_optional));
}

}  // namespace asyncconf::harness
