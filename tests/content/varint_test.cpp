#include "content/varint.h"

#include <gtest/gtest.h>

#include "content_test_util.h"

namespace pinfold::content {
namespace {

using testutil::Hex;
using testutil::Unhex;

std::string Encode(uint64_t v) {
    std::string out;
    AppendVarint(out, v);
    return Hex(out);
}

TEST(Varint, EncodesEdges) {
    EXPECT_EQ(Encode(0), "00");
    EXPECT_EQ(Encode(1), "01");
    EXPECT_EQ(Encode(127), "7f");
    EXPECT_EQ(Encode(128), "8001");
    EXPECT_EQ(Encode(255), "ff01");
    EXPECT_EQ(Encode(300), "ac02");
    EXPECT_EQ(Encode(16383), "ff7f");
    EXPECT_EQ(Encode(16384), "808001");
    EXPECT_EQ(Encode((1ull << 63) - 1), "ffffffffffffffff7f");
    EXPECT_EQ(VarintSize(0), 1u);
    EXPECT_EQ(VarintSize(127), 1u);
    EXPECT_EQ(VarintSize(128), 2u);
    EXPECT_EQ(VarintSize((1ull << 63) - 1), 9u);
}

TEST(Varint, ReadsAndAdvances) {
    std::string bytes = Unhex(
        "ac02"
        "7f"
        "808001");
    std::string_view in = bytes;
    EXPECT_EQ(ReadVarint(in), 300u);
    EXPECT_EQ(ReadVarint(in), 127u);
    EXPECT_EQ(ReadVarint(in), 16384u);
    EXPECT_TRUE(in.empty());
    std::string max = Unhex("ffffffffffffffff7f");
    std::string_view maxIn = max;
    EXPECT_EQ(ReadVarint(maxIn), (1ull << 63) - 1);
}

TEST(Varint, RejectsTruncatedOverlongAndNonMinimal) {
    for (const char* hex : {"", "80", "ff80", "ffffffffffffffff80", "ffffffffffffffffff01", "8000",
                            "ff00", "808000"}) {
        std::string bytes = Unhex(hex);
        std::string_view in = bytes;
        EXPECT_EQ(ReadVarint(in), std::nullopt) << hex;
        EXPECT_EQ(in.size(), bytes.size()) << "input consumed on failure: " << hex;
    }
}

}  // namespace
}  // namespace pinfold::content
