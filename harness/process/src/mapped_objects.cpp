#include "asyncconf/harness/mapped_objects.hpp"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstring>

namespace asyncconf::harness {

namespace {

// An fd closed on every path out.
class File {
public:
  explicit File(const std::string& path) noexcept : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {}
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const noexcept { return fd_ >= 0; }
  template <typename T>
  bool read_at(std::uint64_t offset, T& out) const noexcept {
    return ::pread(fd_, &out, sizeof out, static_cast<off_t>(offset)) == static_cast<ssize_t>(sizeof out);
  }

private:
  int fd_;
};

std::string self_executable() {
  char buffer[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
}

}  // namespace

std::optional<std::string> elf_soname(const std::string& path) {
  const File file(path);
  if (!file.ok()) return std::nullopt;
  Elf64_Ehdr header{};
  if (!file.read_at(0, header) || std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 ||
      header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_phentsize != sizeof(Elf64_Phdr)) {
    return std::nullopt;
  }

  std::vector<Elf64_Phdr> segments(header.e_phnum);
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (!file.read_at(header.e_phoff + i * sizeof(Elf64_Phdr), segments[i])) return std::nullopt;
  }
  // The dynamic section names the string table by its address once loaded.
  const auto file_offset = [&](std::uint64_t vaddr) -> std::optional<std::uint64_t> {
    for (const Elf64_Phdr& s : segments) {
      if (s.p_type == PT_LOAD && vaddr >= s.p_vaddr && vaddr < s.p_vaddr + s.p_filesz) {
        return vaddr - s.p_vaddr + s.p_offset;
      }
    }
    return std::nullopt;
  };

  for (const Elf64_Phdr& s : segments) {
    if (s.p_type != PT_DYNAMIC) continue;
    std::optional<std::uint64_t> strtab;
    std::optional<std::uint64_t> soname;
    for (std::uint64_t at = s.p_offset; at + sizeof(Elf64_Dyn) <= s.p_offset + s.p_filesz;
         at += sizeof(Elf64_Dyn)) {
      Elf64_Dyn entry{};
      if (!file.read_at(at, entry) || entry.d_tag == DT_NULL) break;
      if (entry.d_tag == DT_STRTAB) strtab = file_offset(entry.d_un.d_ptr);
      if (entry.d_tag == DT_SONAME) soname = entry.d_un.d_val;
    }
    if (!strtab || !soname) return std::nullopt;
    std::string name;
    for (std::uint64_t at = *strtab + *soname; name.size() < 4096; ++at) {
      char c = 0;
      if (!file.read_at(at, c)) return std::nullopt;
      if (c == '\0') return name;
      name += c;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

std::vector<MappedObject> mapped_objects() {
  std::vector<MappedObject> objects;
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* data) {
        auto& out = *static_cast<std::vector<MappedObject>*>(data);
        MappedObject object;
        object.base = info->dlpi_addr;
        object.path = info->dlpi_name != nullptr ? info->dlpi_name : "";
        out.push_back(std::move(object));
        return 0;
      },
      &objects);
  // Sonames are read outside the callback, which holds the loader's lock.
  for (MappedObject& object : objects) {
    if (object.path.empty()) object.path = self_executable();
    object.soname = elf_soname(object.path);
  }
  return objects;
}

std::optional<MappedObject> object_containing(const void* address) {
  Dl_info info{};
  if (address == nullptr || dladdr(address, &info) == 0) return std::nullopt;
  MappedObject object;
  // dli_fbase is the lowest mapped address; match it to dlpi_addr through
  // the link map, which is what mapped_objects() records.
  link_map* map = nullptr;
  if (dladdr1(address, &info, reinterpret_cast<void**>(&map), RTLD_DL_LINKMAP) != 0 && map != nullptr) {
    object.base = map->l_addr;
    object.path = map->l_name != nullptr && map->l_name[0] != '\0' ? map->l_name : self_executable();
  } else {
    object.base = reinterpret_cast<std::uintptr_t>(info.dli_fbase);
    object.path = info.dli_fname != nullptr ? info.dli_fname : "";
  }
  object.soname = elf_soname(object.path);
  return object;
}

bool same_file(const std::string& a, const std::string& b) noexcept {
  struct stat sa {};
  struct stat sb {};
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

}  // namespace asyncconf::harness
