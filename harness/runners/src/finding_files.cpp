#include "asyncconf/harness/finding_files.hpp"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace asyncconf::harness {

namespace fs = std::filesystem;

std::string file_safe(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    const char l = static_cast<char>(std::tolower(c));
    const bool ok = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '.' || l == '_' || l == '-';
    if (ok) {
      if (l == '-' && !out.empty() && out.back() == '-') continue;
      out += l;
    } else if (out.empty() || out.back() != '-') {
      out += '-';
    }
  }
  // A leading '-' reads as an option, a leading '.' hides the file.
  while (!out.empty() && (out.front() == '-' || out.front() == '.')) out.erase(0, 1);
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "x" : out;
}

std::string impl_file_name(const std::string& impl) {
  if (impl.find('/') == std::string::npos && impl.find(".so") == std::string::npos) return file_safe(impl);
  std::string name = fs::path(impl).filename().string();
  const std::size_t so = name.find(".so");
  if (so != std::string::npos && so > 0) name.erase(so);
  return file_safe(name);
}

void write_text_file(const fs::path& path, const std::string& text) {
  std::error_code ec;
  if (path.has_parent_path()) {
    fs::create_directories(path.parent_path(), ec);
    if (ec) {
      throw std::runtime_error(path.parent_path().string() + ": cannot create the directory: " + ec.message());
    }
  }
  const fs::path tmp = path.string() + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(tmp.string() + ": cannot write: " + std::strerror(errno));
    out << text;
    out.flush();
    if (!out) {
      const int error = errno;
      fs::remove(tmp, ec);
      throw std::runtime_error(tmp.string() + ": cannot write: " + std::strerror(error));
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    const std::string message = ec.message();
    fs::remove(tmp, ec);
    throw std::runtime_error(path.string() + ": cannot write: " + message);
  }
}

std::string read_text_file(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw std::runtime_error(path.string() + ": is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot open: " + std::strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) throw std::runtime_error(path.string() + ": cannot read: " + std::strerror(errno));
  return s.str();
}

}  // namespace asyncconf::harness
