#include "asyncconf/harness/async_api.hpp"

#include <dlfcn.h>
#include <link.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <utility>

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
  return open_and_resolve(file, path);
}

LoadResult LoadedImpl::load_system(const std::string& soname) {
  return open_and_resolve(soname, soname);
}

LoadResult LoadedImpl::open_and_resolve(const std::string& file, const std::string& shown) {
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
  return LoadedImpl(handle, path, std::move(api), std::move(missing_optional));
}

}  // namespace asyncconf::harness
