// A small well-formedness check for the XML the JUnit writer produces:
// balanced tags, quoted attributes, only entity references after '&', no
// '<' in text or attribute values, no character XML 1.0 forbids. Not a
// parser: it knows no comments, CDATA or DTDs, which the writer never emits.
#pragma once

#include <cctype>
#include <string>
#include <vector>

namespace asyncconf::reports::testing {

/// "" when `xml` is well-formed in the sense above, else what is wrong and where.
inline std::string xml_problem(const std::string& xml) {
  std::vector<std::string> open;
  std::size_t i = 0, roots = 0;
  auto at = [&](const std::string& what) { return what + " at byte " + std::to_string(i); };
  auto name = [&] {
    const std::size_t start = i;
    while (i < xml.size() && (std::isalnum(static_cast<unsigned char>(xml[i])) || xml[i] == '-' ||
                              xml[i] == '_' || xml[i] == ':' || xml[i] == '.'))
      ++i;
    return xml.substr(start, i - start);
  };
  auto reference = [&]() -> bool {  // at '&'
    const std::size_t end = xml.find(';', i);
    if (end == std::string::npos || end - i > 8) return false;
    const std::string ref = xml.substr(i + 1, end - i - 1);
    const bool ok = ref == "amp" || ref == "lt" || ref == "gt" || ref == "quot" || ref == "apos" ||
                    (ref.size() > 1 && ref[0] == '#' &&
                     ref.find_first_not_of("0123456789", 1) == std::string::npos);
    i = end + 1;
    return ok;
  };
  for (const char c : xml) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 && c != '\t' && c != '\n' && c != '\r') return "control character in document";
  }
  if (xml.rfind("<?xml ", 0) == 0) i = xml.find("?>") + 2;
  while (i < xml.size()) {
    if (xml[i] == '&') {
      if (!reference()) return at("bad reference");
      continue;
    }
    if (xml[i] != '<') {
      if (open.empty() && !std::isspace(static_cast<unsigned char>(xml[i]))) {
        return at("text outside root");
      }
      ++i;
      continue;
    }
    ++i;
    if (i < xml.size() && xml[i] == '/') {
      ++i;
      const std::string closing = name();
      if (open.empty() || open.back() != closing) return at("unbalanced </" + closing + ">");
      open.pop_back();
      if (i >= xml.size() || xml[i] != '>') return at("bad end tag");
      ++i;
      continue;
    }
    const std::string element = name();
    if (element.empty()) return at("'<' not starting a tag");
    if (open.empty() && ++roots > 1) return at("second root element");
    while (true) {
      while (i < xml.size() && std::isspace(static_cast<unsigned char>(xml[i]))) ++i;
      if (i >= xml.size()) return at("unterminated tag");
      if (xml.compare(i, 2, "/>") == 0) {
        i += 2;
        break;
      }
      if (xml[i] == '>') {
        ++i;
        open.push_back(element);
        break;
      }
      if (name().empty() || i >= xml.size() || xml[i] != '=') return at("bad attribute");
      ++i;
      if (i >= xml.size() || xml[i] != '"') return at("unquoted attribute");
      ++i;
      while (i < xml.size() && xml[i] != '"') {
        if (xml[i] == '<') return at("'<' in attribute");
        if (xml[i] == '&') {
          if (!reference()) return at("bad reference in attribute");
        } else {
          ++i;
        }
      }
      ++i;
    }
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  if (roots != 1) return "no root element";
  return "";
}

}  // namespace asyncconf::reports::testing
