// What shared objects the process holds, and their sonames: the loader's
// isolation checks (a process that loads an implementation must hold no
// other library of the same name, and its ASYNC symbols must not resolve to
// a library that was there before it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace asyncconf::harness {

/// One object mapped into this process.
struct MappedObject {
  std::string path;               ///< as the loader names it; the executable's own path for it
  std::uintptr_t base = 0;        ///< load bias (dlpi_addr); tells objects apart
  std::optional<std::string> soname;  ///< DT_SONAME read from the file, if it has one
};

/// Every object in the main link map now, the executable first.
std::vector<MappedObject> mapped_objects();

/// DT_SONAME of the ELF shared object at `path`, read from the file (so it
/// can be checked before the file is loaded). Nothing when the file is not
/// a readable 64-bit ELF object or has no soname.
std::optional<std::string> elf_soname(const std::string& path);

/// The mapped object that contains `address`, if any.
std::optional<MappedObject> object_containing(const void* address);

/// True when the two paths name the same file (same device and inode).
bool same_file(const std::string& a, const std::string& b) noexcept;

}  // namespace asyncconf::harness
