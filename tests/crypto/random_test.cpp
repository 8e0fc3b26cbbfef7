#include "crypto/random.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace pinfold::crypto {
namespace {

TEST(RandomBytes, ReturnsTheRequestedLength) {
    EXPECT_EQ(RandomBytes(0), "");
    EXPECT_EQ(RandomBytes(1).size(), 1u);
    EXPECT_EQ(RandomBytes(32).size(), 32u);
    EXPECT_EQ(RandomBytes(100000).size(), 100000u);
}

TEST(RandomBytes, DoesNotRepeat) {
    EXPECT_NE(RandomBytes(32), RandomBytes(32));
}

TEST(NewUuidV4, IsCanonicalLowercaseVersion4) {
    const std::regex shape("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        std::string id = NewUuidV4();
        EXPECT_TRUE(std::regex_match(id, shape)) << id;
        seen.insert(id);
    }
    EXPECT_EQ(seen.size(), 200u);
}

TEST(NewAgentId, IsXThenSevenLowercaseAlphanumerics) {
    const std::regex shape("^x[a-z0-9]{7}$");
    for (int i = 0; i < 200; ++i) {
        std::string id = NewAgentId();
        EXPECT_TRUE(std::regex_match(id, shape)) << id;
    }
}

TEST(NewTemplateId, IsTThenSevenLowercaseAlphanumerics) {
    const std::regex shape("^t[a-z0-9]{7}$");
    for (int i = 0; i < 200; ++i) {
        std::string id = NewTemplateId();
        EXPECT_TRUE(std::regex_match(id, shape)) << id;
    }
}

TEST(NewAgentId, UsesTheWholeAlphabet) {
    // 3,000 ids draw 21,000 characters; the chance that one of 36 never shows is below 1e-250.
    std::set<char> seen;
    std::set<std::string> ids;
    for (int i = 0; i < 3000; ++i) {
        std::string id = NewAgentId();
        ids.insert(id);
        seen.insert(id.begin() + 1, id.end());
    }
    EXPECT_EQ(std::string(seen.begin(), seen.end()), "0123456789abcdefghijklmnopqrstuvwxyz");
    EXPECT_EQ(ids.size(), 3000u);
}

}  // namespace
}  // namespace pinfold::crypto
