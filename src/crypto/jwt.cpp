#include "crypto/jwt.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cmath>

#include "crypto/base64.h"
#include "crypto/constant_time.h"
#include "crypto/hash.h"

namespace pinfold::crypto {
namespace {

namespace json = boost::json;

// API keys are a few hundred bytes; anything far larger is not ours and is not worth parsing.
constexpr size_t kMaxTokenSize = 8 * 1024;

constexpr std::string_view kHeaderJson = R"({"alg":"HS256","typ":"JWT"})";

Status Invalid() {
    return Status::Unauthorized("Invalid token");
}

std::optional<json::object> ParseObject(std::string_view segment) {
    std::optional<std::string> text = Base64UrlDecode(segment);
    if (!text)
        return std::nullopt;
    boost::system::error_code ec;
    json::value v = json::parse(*text, ec);
    if (ec || !v.is_object())
        return std::nullopt;
    return std::move(v.as_object());
}

bool HeaderIsHs256(const json::object& header) {
    const json::value* alg = header.if_contains("alg");
    if (alg == nullptr || !alg->is_string() || alg->as_string() != "HS256")
        return false;
    if (const json::value* typ = header.if_contains("typ")) {
        if (!typ->is_string() || typ->as_string() != "JWT")
            return false;
    }
    // We understand no critical header extensions, so RFC 7515 4.1.11 says reject any.
    return !header.contains("crit");
}

// A claim that must be a JSON string when present. false = present with another type.
bool ReadString(const json::object& claims, std::string_view name, std::string& out) {
    const json::value* v = claims.if_contains(name);
    if (v == nullptr)
        return true;
    if (!v->is_string())
        return false;
    out = std::string(v->as_string());
    return true;
}

// A NumericDate (RFC 7519 section 2): a JSON number of seconds, possibly fractional; fractions
// are dropped toward the past.
bool ReadSeconds(const json::object& claims, std::string_view name, std::optional<int64_t>& out) {
    const json::value* v = claims.if_contains(name);
    if (v == nullptr)
        return true;
    if (v->is_int64()) {
        out = v->as_int64();
    } else if (v->is_uint64()) {
        if (v->as_uint64() > static_cast<uint64_t>(INT64_MAX))
            return false;
        out = static_cast<int64_t>(v->as_uint64());
    } else if (v->is_double()) {
        double d = v->as_double();
        if (!std::isfinite(d) || d < -9.2e18 || d > 9.2e18)
            return false;
        out = static_cast<int64_t>(std::floor(d));
    } else {
        return false;
    }
    return true;
}

}  // namespace

std::string SignJwtHs256(const JwtClaims& claims, std::string_view key) {
    json::object payload;
    payload["sub"] = claims.subject;
    payload["jti"] = claims.keyId;
    payload["name"] = claims.name;
    payload["iat"] = claims.issuedAt;
    if (claims.expiresAt)
        payload["exp"] = *claims.expiresAt;
    if (!claims.issuer.empty())
        payload["iss"] = claims.issuer;

    std::string token = Base64UrlEncode(kHeaderJson);
    token += '.';
    token += Base64UrlEncode(json::serialize(payload));
    std::string signature = HmacSha256(key, token);
    token += '.';
    token += Base64UrlEncode(signature);
    return token;
}

Result<JwtClaims> VerifyJwtHs256(std::string_view token, std::string_view key, int64_t nowSeconds) {
    if (token.size() > kMaxTokenSize)
        return Invalid();
    size_t firstDot = token.find('.');
    if (firstDot == std::string_view::npos)
        return Invalid();
    size_t secondDot = token.find('.', firstDot + 1);
    if (secondDot == std::string_view::npos)
        return Invalid();
    if (token.find('.', secondDot + 1) != std::string_view::npos)
        return Invalid();

    std::string_view headerPart = token.substr(0, firstDot);
    std::string_view payloadPart = token.substr(firstDot + 1, secondDot - firstDot - 1);
    std::string_view signingInput = token.substr(0, secondDot);
    std::optional<std::string> signature = Base64UrlDecode(token.substr(secondDot + 1));
    if (!signature)
        return Invalid();

    std::optional<json::object> header = ParseObject(headerPart);
    if (!header || !HeaderIsHs256(*header))
        return Invalid();

    // Nothing in the payload is trusted, or even parsed, before the MAC matches.
    if (!ConstantTimeEqual(HmacSha256(key, signingInput), *signature))
        return Invalid();

    std::optional<json::object> payload = ParseObject(payloadPart);
    if (!payload)
        return Invalid();

    JwtClaims claims;
    claims.issuer.clear();
    if (!payload->contains("sub") || !payload->contains("jti"))
        return Invalid();
    std::optional<int64_t> issuedAt;
    std::optional<int64_t> notBefore;
    if (!ReadString(*payload, "sub", claims.subject) ||
        !ReadString(*payload, "jti", claims.keyId) || !ReadString(*payload, "name", claims.name) ||
        !ReadString(*payload, "iss", claims.issuer) || !ReadSeconds(*payload, "iat", issuedAt) ||
        !ReadSeconds(*payload, "exp", claims.expiresAt) ||
        !ReadSeconds(*payload, "nbf", notBefore)) {
        return Invalid();
    }
    if (claims.subject.empty() || claims.keyId.empty())
        return Invalid();
    claims.issuedAt = issuedAt.value_or(0);

    if (claims.expiresAt && *claims.expiresAt <= nowSeconds) {
        return Status::Unauthorized("Token expired");
    }
    if (notBefore && *notBefore > nowSeconds)
        return Status::Unauthorized("Token not yet valid");
    return claims;
}

}  // namespace pinfold::crypto
