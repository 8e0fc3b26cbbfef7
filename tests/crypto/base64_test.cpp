#include "crypto/base64.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace pinfold::crypto {
namespace {

const std::vector<std::pair<std::string, std::string>> kRfc4648Vectors = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

TEST(Base64, EncodesRfc4648Vectors) {
    for (const auto& [plain, encoded] : kRfc4648Vectors) {
        EXPECT_EQ(Base64Encode(plain), encoded) << plain;
    }
}

TEST(Base64, DecodesRfc4648Vectors) {
    for (const auto& [plain, encoded] : kRfc4648Vectors) {
        EXPECT_EQ(Base64Decode(encoded), plain) << encoded;
    }
}

TEST(Base64, RoundTripsEveryByteValue) {
    std::string all;
    for (int i = 0; i < 256; ++i)
        all += static_cast<char>(i);
    for (size_t len = 0; len <= all.size(); len += 37) {
        std::string part = all.substr(0, len);
        EXPECT_EQ(Base64Decode(Base64Encode(part)), part);
        EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(part)), part);
    }
}

TEST(Base64, UsesPlusAndSlash) {
    EXPECT_EQ(Base64Encode("\xfb\xff"), "+/8=");
}

TEST(Base64, RejectsMalformedInput) {
    for (std::string bad : {
             "Zg=",        // length not a multiple of 4
             "Zg",         // missing padding
             "Zm9",        // missing padding
             "Zm9v=",      // stray padding
             "Z===",       // too much padding
             "====",       // padding only
             "Zm9v====",   // a padding-only block
             "Zg=A",       // padding in the middle
             "Zm=v",       // padding in the middle
             "Zh==",       // non-zero unused bits
             "Zm9=",       // non-zero unused bits
             "Zm9v\n",     // whitespace
             " Zm9v",      // whitespace
             "Zm9v YmFy",  // whitespace
             "Zm9vYmF*",   // outside the alphabet
             "-_8=",       // url alphabet in standard base64
         }) {
        EXPECT_EQ(Base64Decode(bad), std::nullopt) << '"' << bad << '"';
    }
    EXPECT_EQ(Base64Decode(std::string("Zm9v\0\0\0\0", 8)), std::nullopt);
}

TEST(Base64Url, EncodesWithoutPaddingInTheUrlAlphabet) {
    EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
    EXPECT_EQ(Base64UrlEncode("f"), "Zg");
    EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
    EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
}

TEST(Base64Url, DecodesUnpaddedText) {
    EXPECT_EQ(Base64UrlDecode("-_8"), "\xfb\xff");
    EXPECT_EQ(Base64UrlDecode("Zg"), "f");
    EXPECT_EQ(Base64UrlDecode(""), "");
}

TEST(Base64Url, RejectsMalformedInput) {
    for (std::string bad : {
             "Zg==",      // padding
             "Zm8=",      // padding
             "Z",         // a lone symbol carries less than a byte
             "Zm9vY",     // same, after a full block
             "+/8",       // standard alphabet
             "Zh",        // non-zero unused bits
             "Zm9v\n",    // whitespace
             "Zm9v.Zm9v"  // separator
         }) {
        EXPECT_EQ(Base64UrlDecode(bad), std::nullopt) << '"' << bad << '"';
    }
}

}  // namespace
}  // namespace pinfold::crypto
