#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/result.h"
#include "core/status.h"
#include "core/text.h"

namespace pinfold {
namespace {

TEST(Status, OkCarriesNoMessage) {
    Status s = Status::Ok();
    EXPECT_TRUE(s.ok());
    EXPECT_EQ(s.ToString(), "OK");
}

TEST(Status, ErrorsPrintTheirKindAndMessage) {
    EXPECT_EQ(Status::NotFound("Agent not found").ToString(), "NotFound: Agent not found");
    EXPECT_EQ(Status::Conflict("busy").code(), Status::Code::kConflict);
    EXPECT_TRUE(Status::Conflict("busy").IsConflict());
    EXPECT_FALSE(Status::Conflict("busy").ok());
}

Result<int> Half(int n) {
    if (n % 2)
        return Status::InvalidArgument("odd");
    return n / 2;
}

Result<int> Quarter(int n) {
    PINFOLD_ASSIGN_OR_RETURN(int half, Half(n));
    return Half(half);
}

TEST(Result, ChainsReturnTheFirstError) {
    EXPECT_EQ(*Quarter(8), 2);
    EXPECT_EQ(Quarter(6).status().ToString(), "InvalidArgument: odd");
    EXPECT_EQ(Quarter(7).status().message(), "odd");
}

TEST(Utf8Length, CountsCodePointsAndRejectsBrokenText) {
    EXPECT_EQ(Utf8Length(""), 0u);
    EXPECT_EQ(Utf8Length("abc"), 3u);
    EXPECT_EQ(Utf8Length("résumé"), 6u);
    EXPECT_EQ(Utf8Length("🦞"), 1u);
    EXPECT_EQ(Utf8Length("\xC3"), std::nullopt);              // truncated
    EXPECT_EQ(Utf8Length("\xC0\xAF"), std::nullopt);          // overlong '/'
    EXPECT_EQ(Utf8Length("\xED\xA0\x80"), std::nullopt);      // surrogate
    EXPECT_EQ(Utf8Length("\xF4\x90\x80\x80"), std::nullopt);  // past U+10FFFF
    EXPECT_EQ(Utf8Length("\xFF"), std::nullopt);
}

TEST(Text, ControlCharactersAndTrimming) {
    EXPECT_TRUE(HasControlCharacter("a\tb"));
    EXPECT_TRUE(HasControlCharacter("a\x7F"));
    EXPECT_FALSE(HasControlCharacter("plain é"));
    EXPECT_EQ(TrimAscii("  a b \n"), "a b");
    EXPECT_EQ(TrimAscii("   "), "");
}

TEST(FormatIso8601, PrintsUtcWithMilliseconds) {
    EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(FormatIso8601(1796312848123), "2026-12-03T15:47:28.123Z");
    EXPECT_EQ(FormatIso8601(-1), "1969-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace pinfold

namespace pinfold {
namespace {

TEST(ToValidUtf8, ReplacesOnlyTheBrokenBytes) {
    EXPECT_EQ(ToValidUtf8("plain"), "plain");
    EXPECT_EQ(ToValidUtf8("résumé 🦞"), "résumé 🦞");
    EXPECT_EQ(ToValidUtf8("\xff\xfe"), "\xEF\xBF\xBD\xEF\xBF\xBD");
    EXPECT_EQ(ToValidUtf8("a\xC3"), "a\xEF\xBF\xBD");                  // cut inside a character
    EXPECT_EQ(ToValidUtf8("\xC0\xAF!"), "\xEF\xBF\xBD\xEF\xBF\xBD!");  // overlong
}

}  // namespace
}  // namespace pinfold
