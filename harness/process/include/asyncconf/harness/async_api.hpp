// The ASYNC ABI of one implementation, resolved from a shared object at run
// time: implementations are loaded, never linked.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "asyncconf/async_abi.h"

namespace asyncconf::harness {

struct MappedObject;

/// One implementation's ASYNC ABI. Each member bears the name of the C
/// function it points to and exactly that function's type (async_abi.h), so
/// a call reads as in C: `api.ASYNC_start_job(&job, ctx, &ret, fn, args, n)`.
/// A member is null when the library does not define the function; in a
/// loaded implementation only the optional (3.0 and 3.2) ones can be.
struct AsyncApi {
#define ASYNCCONF_SYMBOL(name, major, minor) decltype(&::name) name = nullptr;
#include "asyncconf/async_symbols.def"
#undef ASYNCCONF_SYMBOL

  /// All four OpenSSL 3.0 ASYNC_WAIT_CTX_{set,get}_{callback,status} are present.
  bool has_callbacks = false;
  /// Both OpenSSL 3.2 ASYNC_{set,get}_mem_functions are present.
  bool has_mem_functions = false;
};

/// How many functions the ABI has (the lines of async_symbols.def).
inline constexpr std::size_t kAsyncSymbolCount = 0
#define ASYNCCONF_SYMBOL(name, major, minor) +1
#include "asyncconf/async_symbols.def"
#undef ASYNCCONF_SYMBOL
    ;

/// Why a shared object could not be loaded as an implementation. An
/// expected outcome, reported as a value.
struct LoadError {
  enum class Kind {
    FileNotFound,    ///< nothing at the path
    NotLoadable,     ///< dlopen() refused it (not ELF, wrong arch, missing deps...)
    MissingSymbols,  ///< loaded, but lacks some of the OpenSSL 1.1.0 functions
    NotIsolated,     ///< would share this process with another copy of itself or
                     ///< another libcrypto/libssl, so calls could cross between them
  };
  Kind kind;
  /// For people: the path and what went wrong (dlopen's own text, or every
  /// missing required function by name).
  std::string message;
};

/// "FileNotFound", "NotLoadable", "MissingSymbols" or "NotIsolated".
const char* to_string(LoadError::Kind kind) noexcept;

class LoadResult;

/// A shared object that implements at least the OpenSSL 1.1.0 part of the
/// ASYNC ABI, with its function table. Move-only. A moved-from LoadedImpl
/// may only be destroyed or assigned to.
///
/// The library is never unloaded (no dlclose), not even when its load
/// fails a check: libcrypto registers atexit handlers and pthread-key
/// destructors, libasyncref a thread_local destructor, and any of them
/// running after the code was unmapped would crash the process at thread or
/// process exit. A process loads a handful of implementations at most.
class LoadedImpl {
public:
  /// Opens the file at `path` with RTLD_NOW | RTLD_LOCAL (its symbols stay
  /// out of the global scope, so several implementations can be loaded side
  /// by side) and resolves all 22 functions with dlsym on its handle. A
  /// path without a '/' names a file in the working directory, never a
  /// library on the search path. dlsym also searches the library's own
  /// dependencies, so a library that only links an implementation resolves
  /// to that implementation's functions.
  ///
  /// Refused as NotIsolated, with both paths named: a file whose soname an
  /// object already in the process has (two copies of libcrypto.so.3 call
  /// into each other); ASYNC functions that resolve to an object that was
  /// in the process before the load, or that the process's global scope
  /// already defines elsewhere (the library's own calls would go there);
  /// and any libcrypto or libssl in the process that no load() or
  /// load_system() brought in. Every verdict must be the implementation's.
  static LoadResult load(const std::string& path);
  /// Opens a library by name through the dynamic loader's search path
  /// (e.g. "libcrypto.so.3"), as a program linked against it would get it.
  /// `path()` is then the file the loader chose.
  static LoadResult load_system(const std::string& soname);

  LoadedImpl(LoadedImpl&&) noexcept = default;
  LoadedImpl& operator=(LoadedImpl&&) noexcept = default;
  LoadedImpl(const LoadedImpl&) = delete;
  LoadedImpl& operator=(const LoadedImpl&) = delete;
  ~LoadedImpl() = default;

  /// The function table. Its address does not change when the LoadedImpl
  /// is moved, so a job body may keep a pointer to it.
  const AsyncApi& api() const noexcept { return *api_; }
  /// The path given to load().
  const std::string& path() const noexcept { return path_; }
  /// The optional functions the library does not define, in ABI order.
  const std::vector<std::string>& missing_optional() const noexcept { return missing_optional_; }
  /// The dlopen() handle, for dlsym() of anything beyond the ABI.
  void* native_handle() const noexcept { return handle_; }

private:
  /// `before`: the objects mapped before this load (mapped_objects.hpp).
  static LoadResult open_and_resolve(const std::string& file, const std::string& shown,
                                     const std::vector<MappedObject>& before);
  LoadedImpl(void* handle, std::string path, std::unique_ptr<const AsyncApi> api,
             std::vector<std::string> missing_optional) noexcept;

  void* handle_;
  std::string path_;
  std::unique_ptr<const AsyncApi> api_;
  std::vector<std::string> missing_optional_;
};

/// Either a loaded implementation or the reason there is none.
class LoadResult {
public:
  // Implicit, so that load() can return either alternative as it is.
  LoadResult(LoadedImpl impl) noexcept : value_(std::move(impl)) {}
  LoadResult(LoadError error) noexcept : value_(std::move(error)) {}

  bool ok() const noexcept { return std::holds_alternative<LoadedImpl>(value_); }
  explicit operator bool() const noexcept { return ok(); }

  /// The implementation; throws std::bad_variant_access unless ok().
  LoadedImpl& impl() & { return std::get<LoadedImpl>(value_); }
  const LoadedImpl& impl() const& { return std::get<LoadedImpl>(value_); }
  LoadedImpl&& impl() && { return std::get<LoadedImpl>(std::move(value_)); }
  /// The error; throws std::bad_variant_access when ok().
  const LoadError& error() const { return std::get<LoadError>(value_); }

private:
  std::variant<LoadedImpl, LoadError> value_;
};

}  // namespace asyncconf::harness
