// Unsigned LEB128 varints as multiformats use them (multicodec, CID, CAR section lengths).
//
// Reading is strict: at most 9 bytes (values below 2^63, the multiformats limit) and no
// redundant trailing zero groups, so one number has exactly one encoding. Stateless, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pinfold::content {

inline constexpr size_t kMaxVarintBytes = 9;

// Appends the varint of value: 300 -> "\xac\x02".
void AppendVarint(std::string& out, uint64_t value);

// The number of bytes AppendVarint writes for value (1 for 0..127).
size_t VarintSize(uint64_t value);

// Reads one varint from the front of `in` and advances `in` past it; nullopt (and `in`
// unchanged) if it is truncated, longer than 9 bytes or not minimally encoded.
std::optional<uint64_t> ReadVarint(std::string_view& in);

}  // namespace pinfold::content
