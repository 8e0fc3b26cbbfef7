// HS256 JSON Web Tokens (RFC 7519 / RFC 7515 compact form) for Pinfold API keys.
//
// The algorithm is pinned: a token verifies only if its header says exactly HS256, so "none",
// other HMAC sizes or public-key algorithms can never be smuggled in. Claims are mapped to a
// plain struct; unknown claims are ignored. Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace pinfold::crypto {

struct JwtClaims {
    std::string subject;               // "sub": the workspace the key acts for (required)
    std::string keyId;                 // "jti": the API key id, for revocation (required)
    std::string name;                  // "name": the key's label ("" when absent)
    int64_t issuedAt = 0;              // "iat", seconds since the epoch (0 when absent)
    std::optional<int64_t> expiresAt;  // "exp", seconds since the epoch; none = never
    std::string issuer = "pinfold";    // "iss" ("" when absent on verify; omitted when empty)
};

// The compact token "header.payload.signature", header {"alg":"HS256","typ":"JWT"}.
std::string SignJwtHs256(const JwtClaims& claims, std::string_view key);

// Checks the token's form, pinned algorithm, signature (constant time) and time claims at
// nowSeconds, then returns its claims. Every failure is Unauthorized:
//   "Token expired"       exp <= nowSeconds (signature was valid)
//   "Token not yet valid" nbf > nowSeconds (signature was valid)
//   "Invalid token"       anything else: not three parts, bad base64url or JSON, a header other
//                         than alg HS256 (typ, if present, must be "JWT"; "crit" is refused),
//                         a wrong signature, sub/jti missing, a claim of the wrong type.
Result<JwtClaims> VerifyJwtHs256(std::string_view token, std::string_view key, int64_t nowSeconds);

}  // namespace pinfold::crypto
