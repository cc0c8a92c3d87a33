// Command lines people can paste into a shell: the "repeat with" and
// "replay with" lines of explore, replay and diff.
#pragma once

#include <string>
#include <vector>

namespace asyncconf::harness {

/// `word` as one POSIX shell word: as it is when only safe characters,
/// otherwise in single quotes (a ' inside becomes '\'').
std::string shell_word(const std::string& word);
/// The words, each a shell word, joined by spaces.
std::string command_line(const std::vector<std::string>& words);

}  // namespace asyncconf::harness
