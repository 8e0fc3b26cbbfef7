#include "crypto/hash.h"

#include <gtest/gtest.h>

#include <string>

namespace pinfold::crypto {
namespace {

// Hex -> bytes for test vectors.
std::string Unhex(std::string_view hex) {
    std::string out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
        out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
    }
    return out;
}

TEST(Sha256, MatchesFips180Vectors) {
    EXPECT_EQ(ToHex(Sha256("abc")),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(ToHex(Sha256("")),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(ToHex(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, ReturnsThirtyTwoRawBytes) {
    EXPECT_EQ(Sha256("abc").size(), 32u);
    EXPECT_EQ(Sha256(std::string("a\0b", 3)), Sha256(std::string("a\0b", 3)));
    EXPECT_NE(Sha256(std::string("a\0b", 3)), Sha256("a"));
}

TEST(HmacSha256, MatchesRfc4231Case1) {
    EXPECT_EQ(ToHex(HmacSha256(std::string(20, '\x0b'), "Hi There")),
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(HmacSha256, MatchesRfc4231Case2) {
    EXPECT_EQ(ToHex(HmacSha256("Jefe", "what do ya want for nothing?")),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256, MatchesRfc4231Case6KeyLongerThanBlock) {
    EXPECT_EQ(ToHex(HmacSha256(std::string(131, '\xaa'),
                               "Test Using Larger Than Block-Size Key - Hash Key First")),
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256, AcceptsAnEmptyKey) {
    // Same as HMAC with a block of zero bytes as key (RFC 2104 pads short keys with zeros).
    EXPECT_EQ(HmacSha256("", "data"), HmacSha256(std::string(64, '\0'), "data"));
}

TEST(Hkdf, MatchesRfc5869Case1) {
    std::string okm = Hkdf(std::string(22, '\x0b'), Unhex("000102030405060708090a0b0c"),
                           Unhex("f0f1f2f3f4f5f6f7f8f9"), 42);
    EXPECT_EQ(
        ToHex(okm),
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST(Hkdf, MatchesRfc5869Case3WithEmptySaltAndInfo) {
    EXPECT_EQ(
        ToHex(Hkdf(std::string(22, '\x0b'), "", "", 42)),
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST(Hkdf, DifferentInfoGivesIndependentKeys) {
    std::string master(32, '\x42');
    std::string a = Hkdf(master, "", "workspace:alpha", 32);
    std::string b = Hkdf(master, "", "workspace:beta", 32);
    EXPECT_EQ(a.size(), 32u);
    EXPECT_NE(a, b);
    EXPECT_EQ(a, Hkdf(master, "", "workspace:alpha", 32));
}

TEST(ToHex, RendersLowercasePairs) {
    EXPECT_EQ(ToHex(std::string("\x00\x01\xab\xff", 4)), "0001abff");
    EXPECT_EQ(ToHex(""), "");
}

}  // namespace
}  // namespace pinfold::crypto
