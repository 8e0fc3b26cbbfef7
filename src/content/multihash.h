// Multihash (multiformats): <hash code varint><digest length varint><digest>. Pinfold writes
// and accepts only sha2-256 (code 0x12, 32 bytes), the hash of every CID it makes; other hash
// functions are refused rather than trusted unverified. Stateless and thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pinfold::content {

inline constexpr uint64_t kSha256Code = 0x12;
inline constexpr size_t kDigestSize = 32;

using Digest = std::array<uint8_t, kDigestSize>;

// The SHA-256 of data (OpenSSL; SHA-NI where the CPU has it).
Digest Sha256Digest(std::string_view data);

// "\x12\x20" + digest: the 34-byte sha2-256 multihash.
std::string EncodeMultihash(const Digest& digest);

// Reads a sha2-256 multihash from the front of `in` and advances past it; nullopt (and `in`
// unchanged) on another hash code, another length or truncation.
std::optional<Digest> ReadMultihash(std::string_view& in);

}  // namespace pinfold::content
