// Requirement levels, shared by the catalogue, the model and the generator.
#pragma once

#include <optional>
#include <string>

namespace asyncconf::harness {

/// Strictest first: a run at a level checks that level and every stricter one.
/// `Must` is what the man pages say, `DeFacto` what OpenSSL does where they are
/// silent, `Robustness` how misuse is answered (and the ops that misuse the API).
enum class Level { Must, DeFacto, Robustness };

/// "must", "de-facto", "robustness".
const char* to_string(Level level) noexcept;
/// The inverse of to_string; nullopt for anything else.
std::optional<Level> level_from_string(const std::string& text) noexcept;

}  // namespace asyncconf::harness
