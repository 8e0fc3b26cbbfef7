// Base64 (RFC 4648 section 4, with padding) and base64url (section 5, without padding).
//
// Decoding is strict, because these strings carry signatures and uploads where two spellings of
// the same bytes would be a hazard: any character outside the alphabet (whitespace included),
// misplaced or missing padding, or non-zero unused bits in the last character rejects the whole
// input with nullopt. Stateless and thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pinfold::crypto {

// "foob" -> "Zm9vYg==".
std::string Base64Encode(std::string_view bytes);

// URL-safe alphabet ('-', '_'), no '=' padding, as JWT uses: "\xfb\xff" -> "-_8".
std::string Base64UrlEncode(std::string_view bytes);

// Standard alphabet; the length must be a multiple of 4 with at most two '=' at the end.
std::optional<std::string> Base64Decode(std::string_view text);

// URL-safe alphabet; no padding accepted (a '=' anywhere rejects), length % 4 != 1.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace pinfold::crypto
