// The two multibase encodings CIDs use: base58btc (prefix 'z', and the bare "Qm..." of CIDv0)
// and RFC 4648 base32, lowercase, without padding (prefix 'b', the CIDv1 default).
//
// Decoding is strict, so one CID has one spelling per base: a character outside the alphabet,
// an impossible length, or non-zero unused bits rejects the input with nullopt. The functions
// here take and return the bare text, without the multibase prefix. Stateless, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pinfold::content {

inline constexpr char kBase58BtcPrefix = 'z';
inline constexpr char kBase32LowerPrefix = 'b';

// Bitcoin's alphabet; each leading zero byte becomes a '1': "\0\x01" -> "12".
std::string Base58BtcEncode(std::string_view bytes);
std::optional<std::string> Base58BtcDecode(std::string_view text);

// "foobar" -> "mzxw6ytboi".
std::string Base32LowerEncode(std::string_view bytes);
std::optional<std::string> Base32LowerDecode(std::string_view text);

}  // namespace pinfold::content
