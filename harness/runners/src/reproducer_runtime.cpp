#include "reproducer_runtime.hpp"

#include <map>
#include <stdexcept>
#include <string>

namespace asyncconf::harness::repro {

namespace {

using Parts = std::map<std::string, std::string_view, std::less<>>;

// Cuts the text at its marker lines ("/*@ part NAME */", "/*@ writer ... */").
// A marker the writer does not know, or a part named twice, is a mistake in
// runtime.c: reported at the first reproducer, which every test writes.
Parts cut(std::string_view text) {
  Parts parts;
  const std::string_view open = "/*@ ", close = " */", part = "part ", writer = "writer ";
  std::string current;  // the part being read; empty: not one to copy
  std::size_t begin = 0;
  auto finish = [&](std::size_t end) {
    if (!current.empty() && !parts.emplace(current, text.substr(begin, end - begin)).second) {
      throw std::logic_error("reproducer runtime.c: part \"" + current + "\" appears twice");
    }
  };
  for (std::size_t at = 0; at < text.size();) {
    std::size_t eol = text.find('\n', at);
    eol = eol == std::string_view::npos ? text.size() : eol + 1;
    std::string_view line = text.substr(at, eol - at);
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    if (line.substr(0, open.size()) == open) {
      if (line.size() < open.size() + close.size() || line.substr(line.size() - close.size()) != close) {
        throw std::logic_error("reproducer runtime.c: a marker line must end with \" */\": " + std::string(line));
      }
      const std::string_view what = line.substr(open.size(), line.size() - open.size() - close.size());
      finish(at);
      if (what.substr(0, part.size()) == part) {
        current = std::string(what.substr(part.size()));
      } else if (what.substr(0, writer.size()) == writer) {
        current.clear();
      } else {
        throw std::logic_error("reproducer runtime.c: unknown marker: " + std::string(line));
      }
      begin = eol;
    }
    at = eol;
  }
  finish(text.size());
  return parts;
}

}  // namespace

std::string_view runtime_part(std::string_view name) {
  static const Parts parts = cut(kRuntimeC);
  const auto it = parts.find(name);
  if (it == parts.end()) throw std::logic_error("reproducer runtime.c has no part \"" + std::string(name) + "\"");
  return it->second;
}

}  // namespace asyncconf::harness::repro
