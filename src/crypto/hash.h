// Hashes and key derivation on OpenSSL 3: SHA-256, HMAC-SHA256, HKDF-SHA256, and hex rendering.
//
// Inputs and outputs are raw bytes in std::string; use ToHex to show them. All functions are
// stateless and thread-safe. An OpenSSL failure here means a broken library or a caller bug (an
// HKDF length above 255 * 32), so it aborts rather than returning a wrong digest.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pinfold::crypto {

inline constexpr size_t kSha256Size = 32;

// The 32-byte SHA-256 digest of data.
std::string Sha256(std::string_view data);

// The 32-byte HMAC-SHA256 of data under key (any key length, RFC 2104).
std::string HmacSha256(std::string_view key, std::string_view data);

// HKDF-SHA256 (RFC 5869), extract then expand: `length` bytes derived from input keying material
// `key`, `salt` (may be empty) and context `info`. Requires 0 < length <= 255 * 32.
std::string Hkdf(std::string_view key, std::string_view salt, std::string_view info, size_t length);

// Lowercase hex of raw bytes: "\x01\xab" -> "01ab".
std::string ToHex(std::string_view bytes);

}  // namespace pinfold::crypto
