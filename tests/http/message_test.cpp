#include "http/message.h"

#include <gtest/gtest.h>

namespace pinfold::http {
namespace {

TEST(Request, CookiesFollowRfc6265) {
    Request r;
    r.headers["cookie"] =
        R"(theme=dark; gw_token=abc-123 ;  quoted="v a l";flag; empty=; gw_token=second)";
    EXPECT_EQ(r.cookie("gw_token"), "abc-123");
    EXPECT_EQ(r.cookie("theme"), "dark");
    EXPECT_EQ(r.cookie("quoted"), "v a l");
    EXPECT_EQ(r.cookie("empty"), "");
    EXPECT_EQ(r.cookie("flag"), std::nullopt);
    EXPECT_EQ(r.cookie("missing"), std::nullopt);
    EXPECT_EQ(r.cookie("GW_TOKEN"), std::nullopt);  // names are case-sensitive
    Request none;
    EXPECT_EQ(none.cookie("gw_token"), std::nullopt);
}

TEST(Request, HeaderQueryAndPathParamLookups) {
    Request r;
    r.headers["authorization"] = "Bearer t";
    r.query = ParseQueryString("token=a%2Bb&x=1&x=2&flag&sp=a+b");
    r.pathParams["agentId"] = "x1";
    EXPECT_EQ(r.header("authorization"), "Bearer t");
    EXPECT_EQ(r.header("missing"), std::nullopt);
    EXPECT_EQ(r.queryParam("token"), "a+b");
    EXPECT_EQ(r.queryParam("x"), "1");
    EXPECT_EQ(r.queryParam("flag"), "");
    EXPECT_EQ(r.queryParam("sp"), "a b");
    EXPECT_EQ(r.queryParam("missing"), std::nullopt);
    EXPECT_EQ(r.query.count("x"), 2u);
    EXPECT_EQ(r.pathParam("agentId"), "x1");
    EXPECT_EQ(r.pathParam("other"), "");
}

TEST(ParseQueryString, KeepsBrokenEscapesAndSkipsEmptyPairs) {
    auto q = ParseQueryString("a=%zz&&b=%4&c=%41%42&=v");
    std::string rendered;
    for (const auto& [k, v] : q)
        rendered += "[" + k + "=" + v + "]";
    EXPECT_EQ(rendered, "[=v][a=%zz][b=%4][c=AB]");
}

TEST(Response, JsonAndErrorBodies) {
    Response ok = Response::Json(201, R"({"success":true})");
    EXPECT_EQ(ok.status, 201);
    EXPECT_EQ(ok.contentType, "application/json");
    EXPECT_EQ(ok.body, R"({"success":true})");
    Response err = Response::Error(400, "Validation failed: \"name\" is required");
    EXPECT_EQ(err.status, 400);
    EXPECT_EQ(err.body, R"({"error":"Validation failed: \"name\" is required"})");
}

TEST(Method, Names) {
    EXPECT_EQ(MethodName(Method::kGet), "GET");
    EXPECT_EQ(MethodName(Method::kDelete), "DELETE");
    EXPECT_EQ(MethodName(Method::kPatch), "PATCH");
}

}  // namespace
}  // namespace pinfold::http
