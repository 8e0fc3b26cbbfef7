// Small text helpers shared by validation code. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace pinfold {

// Number of code points, or nullopt when `s` is not valid UTF-8.
std::optional<size_t> Utf8Length(std::string_view s);

// True when `s` holds an ASCII control character (0x00-0x1F or 0x7F).
bool HasControlCharacter(std::string_view s);

std::string_view TrimAscii(std::string_view s);

// `s` with every byte sequence that is not valid UTF-8 replaced by U+FFFD, so that it can go into
// JSON (command output and logs are whatever bytes a program wrote).
std::string ToValidUtf8(std::string_view s);

}  // namespace pinfold
