#include "crypto/jwt.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/base64.h"
#include "crypto/hash.h"

namespace pinfold::crypto {
namespace {

const std::string kKey = "0123456789abcdef0123456789abcdef";
constexpr int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z

// A token with exactly this header and payload JSON, signed with HMAC-SHA256 whatever the header
// claims, so each test isolates one rule.
std::string MakeToken(std::string_view header, std::string_view payload,
                      std::string_view key = kKey) {
    std::string input = Base64UrlEncode(header) + "." + Base64UrlEncode(payload);
    return input + "." + Base64UrlEncode(HmacSha256(key, input));
}

const std::string kHs256 = R"({"alg":"HS256","typ":"JWT"})";
const std::string kPayload = R"({"sub":"acme","jti":"k1","iat":1767225000,"exp":1767229200})";

std::string Verify(std::string_view token, int64_t now = kNow) {
    Result<JwtClaims> claims = VerifyJwtHs256(token, kKey, now);
    return claims.ok() ? "OK" : claims.status().ToString();
}

JwtClaims SampleClaims() {
    JwtClaims c;
    c.subject = "acme";
    c.keyId = "5b0c1a52-8d6e-4f3a-9c1b-2e7f6a5d4c3b";
    c.name = "ci key";
    c.issuedAt = kNow - 60;
    c.expiresAt = kNow + 3600;
    return c;
}

TEST(Jwt, SignsAStableCompactToken) {
    JwtClaims c = SampleClaims();
    std::string token = SignJwtHs256(c, kKey);
    size_t dot1 = token.find('.');
    size_t dot2 = token.rfind('.');
    EXPECT_EQ(Base64UrlDecode(token.substr(0, dot1)), R"({"alg":"HS256","typ":"JWT"})");
    EXPECT_EQ(Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1)),
              R"({"sub":"acme","jti":"5b0c1a52-8d6e-4f3a-9c1b-2e7f6a5d4c3b","name":"ci key",)"
              R"("iat":1767225540,"exp":1767229200,"iss":"pinfold"})");
    EXPECT_EQ(Base64UrlDecode(token.substr(dot2 + 1)), HmacSha256(kKey, token.substr(0, dot2)));
    EXPECT_EQ(token, SignJwtHs256(c, kKey));
}

TEST(Jwt, VerifiesWhatItSigns) {
    JwtClaims c = SampleClaims();
    Result<JwtClaims> back = VerifyJwtHs256(SignJwtHs256(c, kKey), kKey, kNow);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->subject, "acme");
    EXPECT_EQ(back->keyId, "5b0c1a52-8d6e-4f3a-9c1b-2e7f6a5d4c3b");
    EXPECT_EQ(back->name, "ci key");
    EXPECT_EQ(back->issuedAt, kNow - 60);
    EXPECT_EQ(back->expiresAt, kNow + 3600);
    EXPECT_EQ(back->issuer, "pinfold");
}

TEST(Jwt, TokensWithoutExpiryNeverExpire) {
    JwtClaims c = SampleClaims();
    c.expiresAt.reset();
    Result<JwtClaims> back = VerifyJwtHs256(SignJwtHs256(c, kKey), kKey, INT64_MAX);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->expiresAt, std::nullopt);
}

TEST(Jwt, OptionalClaimsDefaultWhenAbsent) {
    Result<JwtClaims> back =
        VerifyJwtHs256(MakeToken(kHs256, R"({"sub":"s","jti":"j"})"), kKey, kNow);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->name, "");
    EXPECT_EQ(back->issuedAt, 0);
    EXPECT_EQ(back->expiresAt, std::nullopt);
    EXPECT_EQ(back->issuer, "");
}

TEST(Jwt, AcceptsAHeaderWithoutTypAndWithExtraFields) {
    EXPECT_EQ(Verify(MakeToken(R"({"alg":"HS256"})", kPayload)), "OK");
    EXPECT_EQ(Verify(MakeToken(R"({"typ":"JWT","kid":"main","alg":"HS256"})", kPayload)), "OK");
}

TEST(Jwt, AcceptsFractionalTimesRoundedDown) {
    Result<JwtClaims> back = VerifyJwtHs256(
        MakeToken(kHs256, R"({"sub":"s","jti":"j","iat":1767225000.9,"exp":1767229200.5})"), kKey,
        kNow);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->issuedAt, 1767225000);
    EXPECT_EQ(back->expiresAt, 1767229200);
}

TEST(Jwt, ExpiresAtExp) {
    std::string token = MakeToken(kHs256, kPayload);
    EXPECT_EQ(Verify(token, 1767229199), "OK");
    EXPECT_EQ(Verify(token, 1767229200), "Unauthorized: Token expired");
    EXPECT_EQ(Verify(token, 1767229201), "Unauthorized: Token expired");
}

TEST(Jwt, ChecksNotBefore) {
    std::string token = MakeToken(kHs256, R"({"sub":"s","jti":"j","nbf":1767225601})");
    EXPECT_EQ(Verify(token, kNow), "Unauthorized: Token not yet valid");
    EXPECT_EQ(Verify(token, kNow + 1), "OK");
}

TEST(Jwt, ReportsExpiryOnlyForGenuineTokens) {
    // An expired token with a bad signature must not reveal anything beyond "Invalid token".
    EXPECT_EQ(Verify(MakeToken(kHs256, kPayload, "another key"), 1767229300),
              "Unauthorized: Invalid token");
}

TEST(Jwt, RejectsOtherAlgorithms) {
    for (std::string header : {
             R"({"alg":"none","typ":"JWT"})",
             R"({"alg":"HS512","typ":"JWT"})",
             R"({"alg":"HS384"})",
             R"({"alg":"RS256","typ":"JWT"})",
             R"({"alg":"ES256"})",
             R"({"alg":"hs256"})",
             R"({"alg":"HS256 "})",
             R"({"alg":["HS256"]})",
             R"({"typ":"JWT"})",
             R"({})",
         }) {
        EXPECT_EQ(Verify(MakeToken(header, kPayload)), "Unauthorized: Invalid token") << header;
    }
}

TEST(Jwt, RejectsUnsignedTokens) {
    std::string unsigned_ = Base64UrlEncode(R"({"alg":"none"})") + "." + Base64UrlEncode(kPayload);
    EXPECT_EQ(Verify(unsigned_ + "."), "Unauthorized: Invalid token");
    EXPECT_EQ(Verify(unsigned_), "Unauthorized: Invalid token");
}

TEST(Jwt, RejectsOtherTypesAndCriticalExtensions) {
    EXPECT_EQ(Verify(MakeToken(R"({"alg":"HS256","typ":"at+jwt"})", kPayload)),
              "Unauthorized: Invalid token");
    EXPECT_EQ(Verify(MakeToken(R"({"alg":"HS256","typ":1})", kPayload)),
              "Unauthorized: Invalid token");
    EXPECT_EQ(Verify(MakeToken(R"({"alg":"HS256","crit":["exp"]})", kPayload)),
              "Unauthorized: Invalid token");
}

TEST(Jwt, RejectsWrongKeysAndTampering) {
    std::string token = MakeToken(kHs256, kPayload);
    EXPECT_EQ(VerifyJwtHs256(token, "another key", kNow).status().ToString(),
              "Unauthorized: Invalid token");

    size_t dot1 = token.find('.');
    size_t dot2 = token.rfind('.');
    std::string otherPayload =
        Base64UrlEncode(R"({"sub":"other","jti":"k1","iat":1767225000,"exp":1767229200})");
    EXPECT_EQ(Verify(token.substr(0, dot1 + 1) + otherPayload + token.substr(dot2)),
              "Unauthorized: Invalid token");

    std::string flipped = token;
    flipped[dot2 + 1] = flipped[dot2 + 1] == 'A' ? 'B' : 'A';
    EXPECT_EQ(Verify(flipped), "Unauthorized: Invalid token");
    EXPECT_EQ(Verify(token.substr(0, token.size() - 1)), "Unauthorized: Invalid token");
}

TEST(Jwt, RejectsMalformedTokens) {
    std::string good = MakeToken(kHs256, kPayload);
    for (std::string bad : {
             std::string(),
             std::string("abc"),
             std::string("a.b"),
             good + ".extra",
             good + "=",
             "." + good,
             " " + good,
             good + "\n",
             std::string("..."),
             std::string(9000, 'a') + good,
         }) {
        EXPECT_EQ(Verify(bad), "Unauthorized: Invalid token") << bad;
    }
}

TEST(Jwt, RejectsSignedButMalformedPayloads) {
    for (std::string payload : {
             R"(not json)",
             R"(["sub","jti"])",
             R"("acme")",
             R"({"jti":"k1"})",                            // sub missing
             R"({"sub":"acme"})",                          // jti missing
             R"({"sub":"","jti":"k1"})",                   // sub empty
             R"({"sub":"acme","jti":""})",                 // jti empty
             R"({"sub":7,"jti":"k1"})",                    // sub not a string
             R"({"sub":"acme","jti":null})",               // jti not a string
             R"({"sub":"acme","jti":"k1","exp":"soon"})",  // exp not a number
             R"({"sub":"acme","jti":"k1","iat":true})",    // iat not a number
             R"({"sub":"acme","jti":"k1","nbf":{}})",      // nbf not a number
             R"({"sub":"acme","jti":"k1","name":5})",      // name not a string
             R"({"sub":"acme","jti":"k1","iss":[]})",      // iss not a string
             R"({"sub":"acme","jti":"k1","exp":1e300})",   // exp out of range
             R"({"sub":"acme","jti":"k1"} trailing)",
         }) {
        EXPECT_EQ(Verify(MakeToken(kHs256, payload)), "Unauthorized: Invalid token") << payload;
    }
}

TEST(Jwt, RejectsMalformedHeaders) {
    EXPECT_EQ(Verify(MakeToken("not json", kPayload)), "Unauthorized: Invalid token");
    EXPECT_EQ(Verify(MakeToken(R"(["HS256"])", kPayload)), "Unauthorized: Invalid token");
    std::string token = MakeToken(kHs256, kPayload);
    EXPECT_EQ(Verify("e30*" + token.substr(token.find('.'))), "Unauthorized: Invalid token");
}

}  // namespace
}  // namespace pinfold::crypto
