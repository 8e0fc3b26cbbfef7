#include "content/multibase.h"

#include <gtest/gtest.h>

#include <string>

namespace pinfold::content {
namespace {

TEST(Base32Lower, MatchesRfc4648VectorsWithoutPadding) {
    EXPECT_EQ(Base32LowerEncode(""), "");
    EXPECT_EQ(Base32LowerEncode("f"), "my");
    EXPECT_EQ(Base32LowerEncode("fo"), "mzxq");
    EXPECT_EQ(Base32LowerEncode("foo"), "mzxw6");
    EXPECT_EQ(Base32LowerEncode("foob"), "mzxw6yq");
    EXPECT_EQ(Base32LowerEncode("fooba"), "mzxw6ytb");
    EXPECT_EQ(Base32LowerEncode("foobar"), "mzxw6ytboi");
    for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"})
        EXPECT_EQ(Base32LowerDecode(Base32LowerEncode(s)), s);
    EXPECT_EQ(Base32LowerDecode("mzxw6ytboi"), "foobar");
}

TEST(Base32Lower, RejectsOtherAlphabetsLengthsAndStrayBits) {
    EXPECT_EQ(Base32LowerDecode("MZXW6YTBOI"), std::nullopt);  // uppercase is multibase 'B'
    EXPECT_EQ(Base32LowerDecode("mzxw6ytboi======"), std::nullopt);
    EXPECT_EQ(Base32LowerDecode("mzxw1"), std::nullopt);  // '1' is not in the alphabet
    EXPECT_EQ(Base32LowerDecode("m"), std::nullopt);      // 5 bits make no byte
    EXPECT_EQ(Base32LowerDecode("mzx"), std::nullopt);
    EXPECT_EQ(Base32LowerDecode("mz"), std::nullopt);  // "f" is "my": 'z' leaves a stray bit
}

TEST(Base58Btc, MatchesKnownVectors) {
    EXPECT_EQ(Base58BtcEncode(""), "");
    EXPECT_EQ(Base58BtcEncode(std::string("\0", 1)), "1");
    EXPECT_EQ(Base58BtcEncode("Hello World!"), "2NEpo7TZRRrLZSi2U");
    EXPECT_EQ(Base58BtcEncode("The quick brown fox jumps over the lazy dog."),
              "USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z");
    EXPECT_EQ(Base58BtcEncode(std::string("\x00\x00\x28\x7f\xb4\xcd", 6)), "11233QC4");
    EXPECT_EQ(Base58BtcDecode("11233QC4"), std::string("\x00\x00\x28\x7f\xb4\xcd", 6));
    EXPECT_EQ(Base58BtcDecode("2NEpo7TZRRrLZSi2U"), "Hello World!");
    EXPECT_EQ(Base58BtcDecode(""), "");
}

TEST(Base58Btc, RejectsCharactersOutsideTheAlphabet) {
    for (const char* text : {"0", "O", "I", "l", "2NEpo7TZRRrLZSi2U ", "+"})
        EXPECT_EQ(Base58BtcDecode(text), std::nullopt) << text;
}

}  // namespace
}  // namespace pinfold::content
