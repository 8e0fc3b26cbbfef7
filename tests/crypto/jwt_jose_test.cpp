// Cross-checks crypto/jwt against an independent implementation, npm "jose", run by the
// system's node through tests/node/jwt_check.mjs. Missing node or jose is a failure, not a skip:
// the suite must never pass without having compared.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <filesystem>
#include <string>

#include "crypto/base64.h"
#include "crypto/jwt.h"
#include "support/temp_dir.h"

namespace pinfold::crypto {
namespace {

namespace json = boost::json;

const std::string kKey = "jose-and-pinfold-share-this-key!";  // 32 bytes
constexpr int64_t kNow = 1767225600;                          // 2026-01-01T00:00:00Z
const std::string kNodeDir = std::string(PINFOLD_SOURCE_DIR) + "/tests/node";
const std::string kSetupHint =
    "node and the npm package jose are required: run `npm ci --prefix tests/node` "
    "(or `npm install --prefix tests/node`) from the repository root";

// Every argument is base64url, digits or a JWT, so single quotes are enough.
std::string Jose(const std::string& args) {
    int exitCode = -1;
    std::string out =
        testing::RunShell("node '" + kNodeDir + "/jwt_check.mjs' " + args + " 2>&1", &exitCode);
    EXPECT_EQ(exitCode, 0) << out;
    while (!out.empty() && out.back() == '\n')
        out.pop_back();
    return out;
}

json::object JoseVerify(const std::string& token, int64_t now) {
    std::string out =
        Jose("verify " + Base64UrlEncode(kKey) + " '" + token + "' " + std::to_string(now));
    boost::system::error_code ec;
    json::value v = json::parse(out, ec);
    if (ec || !v.is_object()) {
        ADD_FAILURE() << "jose printed: " << out;
        return {};
    }
    return v.as_object();
}

std::string JoseSign(std::string_view header, std::string_view payload,
                     std::string_view key = kKey) {
    return Jose("sign " + Base64UrlEncode(key) + " " + Base64UrlEncode(header) + " " +
                Base64UrlEncode(payload));
}

std::string Verify(std::string_view token, int64_t now = kNow) {
    Result<JwtClaims> claims = VerifyJwtHs256(token, kKey, now);
    return claims.ok() ? "OK" : claims.status().ToString();
}

class JwtJose : public ::testing::Test {
  protected:
    void SetUp() override {
        int exitCode = -1;
        testing::RunShell("node --version 2>&1", &exitCode);
        ASSERT_EQ(exitCode, 0) << kSetupHint;
        ASSERT_TRUE(std::filesystem::exists(kNodeDir + "/node_modules/jose/package.json"))
            << kSetupHint;
    }
};

TEST_F(JwtJose, JoseVerifiesOurTokens) {
    JwtClaims c;
    c.subject = "acme";
    c.keyId = "5b0c1a52-8d6e-4f3a-9c1b-2e7f6a5d4c3b";
    c.name = "ci key";
    c.issuedAt = kNow - 60;
    c.expiresAt = kNow + 3600;
    json::object result = JoseVerify(SignJwtHs256(c, kKey), kNow);
    EXPECT_EQ(json::serialize(result),
              R"({"ok":true,"header":{"alg":"HS256","typ":"JWT"},"payload":{"sub":"acme",)"
              R"("jti":"5b0c1a52-8d6e-4f3a-9c1b-2e7f6a5d4c3b","name":"ci key","iat":1767225540,)"
              R"("exp":1767229200,"iss":"pinfold"}})");
}

TEST_F(JwtJose, JoseAgreesOurTokensExpireAtExp) {
    JwtClaims c;
    c.subject = "acme";
    c.keyId = "k1";
    c.expiresAt = kNow;
    std::string token = SignJwtHs256(c, kKey);
    EXPECT_EQ(json::serialize(JoseVerify(token, kNow)), R"({"ok":false,"code":"ERR_JWT_EXPIRED"})");
    EXPECT_EQ(Verify(token, kNow), "Unauthorized: Token expired");
    EXPECT_EQ(JoseVerify(token, kNow - 1).at("ok"), true);
    EXPECT_EQ(Verify(token, kNow - 1), "OK");
}

TEST_F(JwtJose, JoseRejectsOurTokensUnderAnotherKey) {
    JwtClaims c;
    c.subject = "acme";
    c.keyId = "k1";
    EXPECT_EQ(
        json::serialize(JoseVerify(SignJwtHs256(c, "a different key entirely........"), kNow)),
        R"({"ok":false,"code":"ERR_JWS_SIGNATURE_VERIFICATION_FAILED"})");
}

TEST_F(JwtJose, WeVerifyJoseTokens) {
    std::string token =
        JoseSign(R"({"alg":"HS256"})",
                 R"({"sub":"acme","jti":"k7","name":"from jose","iat":1767225000,"exp":1767229200,)"
                 R"("iss":"pinfold"})");
    Result<JwtClaims> claims = VerifyJwtHs256(token, kKey, kNow);
    ASSERT_TRUE(claims.ok()) << claims.status().ToString();
    EXPECT_EQ(claims->subject, "acme");
    EXPECT_EQ(claims->keyId, "k7");
    EXPECT_EQ(claims->name, "from jose");
    EXPECT_EQ(claims->issuedAt, 1767225000);
    EXPECT_EQ(claims->expiresAt, 1767229200);
    EXPECT_EQ(claims->issuer, "pinfold");

    EXPECT_EQ(Verify(JoseSign(R"({"alg":"HS256","typ":"JWT","kid":"main"})",
                              R"({"sub":"acme","jti":"k7"})")),
              "OK");
}

TEST_F(JwtJose, WeRejectJoseTokensWithOtherAlgorithms) {
    EXPECT_EQ(Verify(JoseSign(R"({"alg":"HS512"})", R"({"sub":"acme","jti":"k7"})")),
              "Unauthorized: Invalid token");
    EXPECT_EQ(Verify(JoseSign(R"({"alg":"HS384"})", R"({"sub":"acme","jti":"k7"})")),
              "Unauthorized: Invalid token");
    EXPECT_EQ(Verify(Jose("unsecured " + Base64UrlEncode(R"({"sub":"acme","jti":"k7"})"))),
              "Unauthorized: Invalid token");
}

TEST_F(JwtJose, WeRejectExpiredAndNotYetValidJoseTokens) {
    EXPECT_EQ(
        Verify(JoseSign(R"({"alg":"HS256"})", R"({"sub":"acme","jti":"k7","exp":1767225599})")),
        "Unauthorized: Token expired");
    EXPECT_EQ(
        Verify(JoseSign(R"({"alg":"HS256"})", R"({"sub":"acme","jti":"k7","nbf":1767225700})")),
        "Unauthorized: Token not yet valid");
}

TEST_F(JwtJose, WeRejectTamperedOrForeignJoseTokens) {
    std::string token = JoseSign(R"({"alg":"HS256"})", R"({"sub":"acme","jti":"k7"})");
    size_t dot1 = token.find('.');
    size_t dot2 = token.rfind('.');
    std::string forged = token.substr(0, dot1 + 1) +
                         Base64UrlEncode(R"({"sub":"evil","jti":"k7"})") + token.substr(dot2);
    EXPECT_EQ(Verify(forged), "Unauthorized: Invalid token");
    EXPECT_EQ(json::serialize(JoseVerify(forged, kNow)),
              R"({"ok":false,"code":"ERR_JWS_SIGNATURE_VERIFICATION_FAILED"})");

    EXPECT_EQ(Verify(JoseSign(R"({"alg":"HS256"})", R"({"sub":"acme","jti":"k7"})",
                              "a different key entirely........")),
              "Unauthorized: Invalid token");
    EXPECT_EQ(Verify(JoseSign(R"({"alg":"HS256"})", R"({"sub":"acme"})")),
              "Unauthorized: Invalid token");
}

}  // namespace
}  // namespace pinfold::crypto
