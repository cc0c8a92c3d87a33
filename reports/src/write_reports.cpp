#include "asyncconf/reports/write_reports.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include "asyncconf/reports/compare_report.hpp"
#include "asyncconf/reports/html_report.hpp"
#include "asyncconf/reports/json_report.hpp"
#include "asyncconf/reports/junit_report.hpp"
#include "asyncconf/reports/markdown_report.hpp"

namespace asyncconf::reports {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFormatNames = "json, junit, md, html";

[[noreturn]] void fail(const fs::path& path, const char* what, int error) {
  throw std::runtime_error("cannot write " + path.string() + ": " + what + ": " +
                           std::strerror(error));
}

// Closes a descriptor and removes the temporary file unless released.
class TempFile {
public:
  explicit TempFile(const fs::path& target)
      : path_(target.parent_path() / ("." + target.filename().string() + ".XXXXXX")) {
    std::string name = path_.string();
    fd_ = ::mkstemp(name.data());
    if (fd_ < 0) fail(target, "creating a temporary file", errno);
    path_ = name;
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  int fd() const { return fd_; }
  const fs::path& path() const { return path_; }
  int close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }
  void release() { path_.clear(); }

private:
  fs::path path_;
  int fd_ = -1;
};

void write_atomically(const fs::path& target, std::string_view content) {
  TempFile temp(target);
  // mkstemp creates the file 0600; reports are shared (CI artifacts, web
  // servers), so they get the mode a plain create would give under the
  // usual umask.
  if (::fchmod(temp.fd(), 0644) != 0) fail(target, "chmod", errno);
  while (!content.empty()) {
    const ssize_t n = ::write(temp.fd(), content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(target, "write", errno);
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  // Without the fsync a crash soon after the rename can leave an empty file
  // under the new name on some file systems (ext4 delalloc, XFS).
  if (::fsync(temp.fd()) != 0) fail(target, "fsync", errno);
  if (temp.close() != 0) fail(target, "close", errno);
  if (::rename(temp.path().c_str(), target.c_str()) != 0) fail(target, "rename", errno);
  temp.release();
}

// Makes the renames themselves durable; a best effort, since some file
// systems do not allow fsync on a directory and the files are complete.
void sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

void make_directory(const fs::path& dir) {
  if (dir.empty()) return;  // the working directory
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) {
    throw std::runtime_error("cannot create directory " + dir.string() + ": " + error.message());
  }
}

std::string trim(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return "";
  return std::string(text.substr(begin, text.find_last_not_of(" \t") - begin + 1));
}

}  // namespace

Formats parse_formats(const std::string& list) {
  Formats formats{false, false, false, false};
  if (trim(list).empty()) {
    throw std::invalid_argument(
        std::string("no report format given: expected a comma-separated list of ") + kFormatNames);
  }
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = list.find(',', start);
    const std::string name = trim(std::string_view(list).substr(start, comma - start));
    if (name == "json") {
      formats.json = true;
    } else if (name == "junit") {
      formats.junit = true;
    } else if (name == "md") {
      formats.md = true;
    } else if (name == "html") {
      formats.html = true;
    } else {
      throw std::invalid_argument((name.empty() ? std::string("empty report format")
                                                : "unknown report format \"" + name + "\"") +
                                  " in \"" + list + "\": expected a comma-separated list of " +
                                  kFormatNames);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return formats;
}

std::vector<fs::path> write_reports(const RunReport& report, const fs::path& dir, Formats formats) {
  make_directory(dir);
  std::vector<fs::path> written;
  auto write = [&](bool wanted, const char* name, auto&& render) {
    if (!wanted) return;
    write_atomically(dir / name, render(report));
    written.push_back(dir / name);
  };
  write(formats.json, "report.json", write_json);
  write(formats.junit, "junit.xml", write_junit);
  write(formats.md, "report.md", write_markdown);
  write(formats.html, "report.html", write_html);
  sync_directory(dir);
  return written;
}

std::vector<fs::path> write_compare(const std::vector<RunReport>& reports, const fs::path& dir) {
  make_directory(dir);
  write_atomically(dir / "compare.md", write_compare_markdown(reports));
  write_atomically(dir / "compare.html", write_compare_html(reports));
  sync_directory(dir);
  return {dir / "compare.md", dir / "compare.html"};
}

}  // namespace asyncconf::reports
