// GitHttpService's CGI parsing: what git http-backend prints becomes a status, headers and body.
#include "services/git_http_service.h"

#include <gtest/gtest.h>

namespace pinfold::services {
namespace {

// status, then "name: value" lines, then the body after a blank line.
std::string Render(const GitHttpResponse& r) {
    std::string out = std::to_string(r.status) + "\n";
    for (const auto& [name, value] : r.headers)
        out += name + ": " + value + "\n";
    return out + "\n" + r.body;
}

TEST(ParseCgiOutput, TakesStatusHeadersAndBody) {
    auto r = ParseCgiOutput(
        "Expires: Fri, 01 Jan 1980 00:00:00 GMT\r\n"
        "Pragma: no-cache\r\n"
        "Cache-Control: no-cache, max-age=0, must-revalidate\r\n"
        "Content-Type: application/x-git-upload-pack-advertisement\r\n"
        "\r\n"
        "001e# service=git-upload-pack\n0000");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(Render(*r),
              "200\n"
              "Expires: Fri, 01 Jan 1980 00:00:00 GMT\n"
              "Pragma: no-cache\n"
              "Cache-Control: no-cache, max-age=0, must-revalidate\n"
              "Content-Type: application/x-git-upload-pack-advertisement\n"
              "\n"
              "001e# service=git-upload-pack\n0000");
}

TEST(ParseCgiOutput, StatusLineSetsTheCodeAndFramingIsDropped) {
    auto r = ParseCgiOutput(
        "Status: 415 Unsupported Media Type\n"
        "Content-Length: 5\n"
        "transfer-encoding: chunked\n"
        "Connection: close\n"
        "X-Other:   spaced  \n"
        "\n"
        "a\r\n\r\nb");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(Render(*r), "415\nX-Other: spaced\n\na\r\n\r\nb");
}

TEST(ParseCgiOutput, EmptyBodyIsFine) {
    auto r = ParseCgiOutput("Status: 204 No Content\r\n\r\n");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(Render(*r), "204\n\n");
}

TEST(ParseCgiOutput, RefusesWhatIsNotCgi) {
    const std::pair<std::string, std::string> cases[] = {
        {"", "git http-backend's answer has no end of headers"},
        {"Content-Type: text/plain\r\n", "git http-backend's answer has no end of headers"},
        {"no colon here\n\n", "git http-backend sent a malformed header line"},
        {": empty name\n\n", "git http-backend sent a malformed header line"},
        {"Status: abc\n\n", "git http-backend sent a malformed Status header"},
        {"Status: 99 Low\n\n", "git http-backend sent a malformed Status header"},
        {"Status: 600 High\n\n", "git http-backend sent a malformed Status header"},
    };
    for (const auto& [output, message] : cases) {
        auto r = ParseCgiOutput(output);
        ASSERT_FALSE(r.ok()) << output;
        EXPECT_TRUE(r.status().code() == Status::Code::kInternal) << output;
        EXPECT_EQ(r.status().message(), message) << output;
    }
}

}  // namespace
}  // namespace pinfold::services
