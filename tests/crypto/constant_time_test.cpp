#include "crypto/constant_time.h"

#include <gtest/gtest.h>

#include <string>

namespace pinfold::crypto {
namespace {

TEST(ConstantTimeEqual, ComparesBytes) {
    EXPECT_TRUE(ConstantTimeEqual("secret", "secret"));
    EXPECT_FALSE(ConstantTimeEqual("secret", "secreT"));
    EXPECT_FALSE(ConstantTimeEqual("secret", "Secret"));
    EXPECT_TRUE(ConstantTimeEqual(std::string("a\0b", 3), std::string("a\0b", 3)));
    EXPECT_FALSE(ConstantTimeEqual(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(ConstantTimeEqual, DifferentLengthsAreNeverEqual) {
    EXPECT_FALSE(ConstantTimeEqual("secret", "secret!"));
    EXPECT_FALSE(ConstantTimeEqual("secret!", "secret"));
    EXPECT_FALSE(ConstantTimeEqual("", "x"));
    EXPECT_FALSE(ConstantTimeEqual("x", ""));
}

TEST(ConstantTimeEqual, EmptyEqualsEmpty) {
    EXPECT_TRUE(ConstantTimeEqual("", ""));
}

}  // namespace
}  // namespace pinfold::crypto
