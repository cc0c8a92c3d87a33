// The files a finding leaves behind: their names (safe in any file system
// and shell) and writing them so that a reader never sees half a file.
#pragma once

#include <filesystem>
#include <string>

namespace asyncconf::harness {

/// Lowercase, only [a-z0-9._-]; anything else becomes '-', runs of '-'
/// collapse, no leading '-' or '.', no trailing '-' ("x" for an empty result).
std::string file_safe(const std::string& text);
/// A short name of an implementation as --impl names it: "reference",
/// "openssl", or the library file's name without ".so*".
std::string impl_file_name(const std::string& impl);

/// Writes `text` to `path` atomically (a temporary file beside it, renamed
/// over it), creating the parent directories. Throws std::runtime_error
/// naming the path.
void write_text_file(const std::filesystem::path& path, const std::string& text);
/// Reads a whole file. Throws std::runtime_error naming the path.
std::string read_text_file(const std::filesystem::path& path);

}  // namespace asyncconf::harness
