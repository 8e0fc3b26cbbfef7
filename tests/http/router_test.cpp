#include "http/router.h"

#include <gtest/gtest.h>

namespace pinfold::http {
namespace {

Route Row(Method method, std::string pattern, std::string name,
          HostScope hosts = HostScope::kManagement) {
    Route r{method,
            std::move(pattern),
            AuthKind::kNone,
            hosts,
            [](HandlerContext&) { return Response::Json(200, "{}"); },
            std::move(name),
            ""};
    return r;
}

std::vector<Route> Table() {
    return {
        Row(Method::kGet, "/healthz", "health"),
        Row(Method::kGet, "/v0/agents", "listAgents"),
        Row(Method::kPost, "/v0/agents", "createAgent"),
        Row(Method::kGet, "/v0/agents/engines", "listEngines"),
        Row(Method::kGet, "/v0/agents/{agentId}", "getAgent", HostScope::kBoth),
        Row(Method::kDelete, "/v0/agents/{agentId}", "deleteAgent"),
        Row(Method::kGet, "/v0/agents/{agentId}/logs", "getLogs", HostScope::kBoth),
        Row(Method::kGet, "/v0/skills/{slug}", "getSkill"),
        Row(Method::kGet, "/v0/agents/{agentId}/secrets/{secretId}", "getAgentSecret"),
        Row(Method::kGet, "/agent-only", "agentOnly", HostScope::kAgent),
    };
}

// "found getAgent agentId=x1" / "404" / "405 GET, HEAD" / "400": what a request gets, as text.
std::string Describe(const RouteMatch& m) {
    switch (m.outcome) {
        case RouteMatch::Outcome::kFound: {
            std::string out = "found " + m.route->name;
            for (const auto& [k, v] : m.params)
                out += " " + k + "=" + v;
            return out;
        }
        case RouteMatch::Outcome::kNotFound:
            return "404";
        case RouteMatch::Outcome::kMethodNotAllowed:
            return "405 " + m.allow;
        case RouteMatch::Outcome::kInvalidPath:
            return "400";
    }
    return "?";
}

class RouterTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto created = Router::Create(Table());
        ASSERT_TRUE(created.ok()) << created.status().ToString();
        router_.emplace(std::move(created).value());
    }
    std::string Match(Method m, std::string_view path, bool agentHost = false) {
        return Describe(router_->match(m, path, agentHost));
    }
    std::optional<Router> router_;
};

TEST_F(RouterTest, LiteralSegmentBeatsParameter) {
    EXPECT_EQ(Match(Method::kGet, "/v0/agents/engines"), "found listEngines");
    EXPECT_EQ(Match(Method::kGet, "/v0/agents/x1234abc"), "found getAgent agentId=x1234abc");
}

TEST_F(RouterTest, ParameterBranchIsTriedWhenLiteralBranchHasNoRoute) {
    EXPECT_EQ(Match(Method::kGet, "/v0/agents/engines/logs"), "found getLogs agentId=engines");
    EXPECT_EQ(Match(Method::kDelete, "/v0/agents/engines"), "found deleteAgent agentId=engines");
}

TEST_F(RouterTest, SeveralParameters) {
    EXPECT_EQ(Match(Method::kGet, "/v0/agents/x1/secrets/s-9"),
              "found getAgentSecret agentId=x1 secretId=s-9");
}

TEST_F(RouterTest, UnknownPathIs404AndKnownPathWithOtherMethodIs405) {
    EXPECT_EQ(Match(Method::kGet, "/v0/nothing"), "404");
    EXPECT_EQ(Match(Method::kGet, "/v0/agents/x1/unknown"), "404");
    EXPECT_EQ(Match(Method::kPut, "/v0/agents"), "405 GET, HEAD, POST");
    EXPECT_EQ(Match(Method::kPost, "/v0/agents/x1"), "405 GET, HEAD, DELETE");
    EXPECT_EQ(Match(Method::kPost, "/v0/agents/engines"), "405 GET, HEAD, DELETE");
}

TEST_F(RouterTest, ErrorResponsesCarryTheSpecBodies) {
    Response notFound = router_->match(Method::kGet, "/nope", false).errorResponse();
    EXPECT_EQ(notFound.status, 404);
    EXPECT_EQ(notFound.body, R"({"error":"Not found"})");
    Response wrongMethod = router_->match(Method::kPatch, "/healthz", false).errorResponse();
    EXPECT_EQ(wrongMethod.status, 405);
    EXPECT_EQ(wrongMethod.body, R"({"error":"Method not allowed"})");
    ASSERT_EQ(wrongMethod.headers.size(), 1u);
    EXPECT_EQ(wrongMethod.headers[0].first, "Allow");
    EXPECT_EQ(wrongMethod.headers[0].second, "GET, HEAD");
    Response invalid = router_->match(Method::kGet, "/v0/../etc", false).errorResponse();
    EXPECT_EQ(invalid.status, 400);
    EXPECT_EQ(invalid.body, R"({"error":"Invalid path"})");
}

TEST_F(RouterTest, EncodedSlashStaysInsideTheParameter) {
    EXPECT_EQ(Match(Method::kGet, "/v0/skills/%40owner%2Fname"), "found getSkill slug=@owner/name");
    EXPECT_EQ(Match(Method::kGet, "/v0/skills/@owner/name"), "404");
    EXPECT_EQ(Match(Method::kGet, "/v0/%61gents"), "found listAgents");
}

TEST_F(RouterTest, DotSegmentsNulsAndBrokenEscapesAreInvalid) {
    for (const char* path :
         {"/v0/../etc", "/v0/agents/..", "/v0/%2e%2e/x", "/v0/%2E%2E", "/v0/skills/..%2Fetc",
          "/v0/skills/a%2F..%2Fb", "/v0/./agents", "/v0/agents/%2e", "/v0/agents/x%00",
          "/v0/agents/%zz", "/v0/agents/%4", "v0/agents", ""}) {
        EXPECT_EQ(Match(Method::kGet, path), "400") << path;
    }
    EXPECT_EQ(Match(Method::kGet, "/v0/skills/...."), "found getSkill slug=....");
    EXPECT_EQ(Match(Method::kGet, "/v0/skills/a..b"), "found getSkill slug=a..b");
}

TEST_F(RouterTest, HeadUsesTheGetRoute) {
    EXPECT_EQ(Match(Method::kHead, "/v0/agents/x1"), "found getAgent agentId=x1");
}

TEST_F(RouterTest, OneTrailingSlashIsIgnored) {
    EXPECT_EQ(Match(Method::kGet, "/v0/agents/"), "found listAgents");
    EXPECT_EQ(Match(Method::kGet, "/v0//agents"), "404");
}

TEST_F(RouterTest, HostScopesDecideWhatEachHostSees) {
    EXPECT_EQ(Match(Method::kGet, "/v0/agents", true), "404");
    EXPECT_EQ(Match(Method::kGet, "/v0/agents/x1", true), "found getAgent agentId=x1");
    EXPECT_EQ(Match(Method::kDelete, "/v0/agents/x1", true), "405 GET, HEAD");
    EXPECT_EQ(Match(Method::kGet, "/agent-only", true), "found agentOnly");
    EXPECT_EQ(Match(Method::kGet, "/agent-only", false), "404");
}

TEST_F(RouterTest, VeryDeepPathsMatchNothing) {
    std::string deep;
    for (int i = 0; i < 40; ++i)
        deep += "/a";
    EXPECT_EQ(Match(Method::kGet, deep), "404");
    EXPECT_EQ(Match(Method::kGet, deep + "/.."), "400");
}

// A `{name...}` segment: a slug with '/' raw or encoded, with a literal after it or not.
class RestParameterTest : public RouterTest {
  protected:
    void SetUp() override {
        auto created = Router::Create({
            Row(Method::kGet, "/v0/hub", "listHub"),
            Row(Method::kGet, "/v0/hub/featured", "featured"),
            Row(Method::kGet, "/v0/hub/{slug...}", "getHubSkill"),
            Row(Method::kPost, "/v0/hub/{slug...}/install", "install"),
            Row(Method::kGet, "/v0/agents/{agentId}/skills/{skillId...}/files/{file}", "getFile"),
        });
        ASSERT_TRUE(created.ok()) << created.status().ToString();
        router_.emplace(std::move(created).value());
    }
};

TEST_F(RestParameterTest, TakesOneOrMoreSegmentsJoinedBySlash) {
    EXPECT_EQ(Match(Method::kGet, "/v0/hub/plain"), "found getHubSkill slug=plain");
    EXPECT_EQ(Match(Method::kGet, "/v0/hub/@owner/name"), "found getHubSkill slug=@owner/name");
    EXPECT_EQ(Match(Method::kGet, "/v0/hub/%40owner%2Fname"), "found getHubSkill slug=@owner/name");
    EXPECT_EQ(Match(Method::kGet, "/v0/hub/%40owner/name"), "found getHubSkill slug=@owner/name");
    EXPECT_EQ(Match(Method::kGet, "/v0/hub/a/b/c/d"), "found getHubSkill slug=a/b/c/d");
    EXPECT_EQ(Match(Method::kGet, "/v0/hub/@owner/name/"), "found getHubSkill slug=@owner/name");
    EXPECT_EQ(Match(Method::kGet, "/v0/hub"), "found listHub");
}

TEST_F(RestParameterTest, LiteralsAfterItAndBeforeItStillWin) {
    EXPECT_EQ(Match(Method::kPost, "/v0/hub/@owner/name/install"),
              "found install slug=@owner/name");
    EXPECT_EQ(Match(Method::kPost, "/v0/hub/%40owner%2Fname/install"),
              "found install slug=@owner/name");
    EXPECT_EQ(Match(Method::kPost, "/v0/hub/a/install/install"), "found install slug=a/install");
    EXPECT_EQ(Match(Method::kGet, "/v0/hub/@owner/name/install"),
              "found getHubSkill slug=@owner/name/install");
    EXPECT_EQ(Match(Method::kGet, "/v0/hub/featured"), "found featured");
    EXPECT_EQ(Match(Method::kGet, "/v0/hub/featured/x"), "found getHubSkill slug=featured/x");
    EXPECT_EQ(Match(Method::kGet, "/v0/agents/x1/skills/@o/n/files/SKILL.md"),
              "found getFile agentId=x1 file=SKILL.md skillId=@o/n");
}

TEST_F(RestParameterTest, WrongMethodEmptySegmentsAndDotsAreRefused) {
    EXPECT_EQ(Match(Method::kPost, "/v0/hub/@owner/name"), "405 GET, HEAD");
    EXPECT_EQ(Match(Method::kDelete, "/v0/hub/@owner/name/install"), "405 GET, HEAD, POST");
    EXPECT_EQ(Match(Method::kPost, "/v0/hub/install"), "405 GET, HEAD");
    EXPECT_EQ(Match(Method::kGet, "/v0/hub//name"), "404");
    EXPECT_EQ(Match(Method::kGet, "/v0/hub/a//b"), "404");
    EXPECT_EQ(Match(Method::kGet, "/v0/hub/@owner/.."), "400");
    EXPECT_EQ(Match(Method::kGet, "/v0/hub/%40owner%2F..%2Fx"), "400");
    EXPECT_EQ(Match(Method::kGet, "/v0/agents/x1/skills/@o/n/files"), "404");
}

TEST(RouterCreate, RejectsDuplicateRows) {
    auto r = Router::Create({Row(Method::kGet, "/x", "a"), Row(Method::kGet, "/x", "b")});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().ToString(), "InvalidArgument: Duplicate route GET /x (b) and GET /x (a)");
}

TEST(RouterCreate, AllowsTheSamePathOnDisjointHosts) {
    auto r = Router::Create({Row(Method::kGet, "/x", "a", HostScope::kManagement),
                             Row(Method::kGet, "/x", "b", HostScope::kAgent)});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(Describe(r->match(Method::kGet, "/x", false)), "found a");
    EXPECT_EQ(Describe(r->match(Method::kGet, "/x", true)), "found b");
    auto overlap = Router::Create({Row(Method::kGet, "/x", "a", HostScope::kBoth),
                                   Row(Method::kGet, "/x", "b", HostScope::kAgent)});
    EXPECT_FALSE(overlap.ok());
}

TEST(RouterCreate, RejectsMalformedPatterns) {
    auto message = [](Route r) {
        auto created = Router::Create({std::move(r)});
        return created.ok() ? std::string("ok") : created.status().message();
    };
    EXPECT_EQ(message(Row(Method::kGet, "v0/x", "a")),
              "Pattern must start with '/' in route GET v0/x (a)");
    EXPECT_EQ(message(Row(Method::kGet, "/v0//x", "a")), "Empty segment in route GET /v0//x (a)");
    EXPECT_EQ(message(Row(Method::kGet, "/v0/x/", "a")), "Empty segment in route GET /v0/x/ (a)");
    EXPECT_EQ(message(Row(Method::kGet, "/v0/{agent", "a")),
              "Malformed parameter {agent in route GET /v0/{agent (a)");
    EXPECT_EQ(message(Row(Method::kGet, "/v0/{}", "a")),
              "Malformed parameter {} in route GET /v0/{} (a)");
    EXPECT_EQ(message(Row(Method::kGet, "/v0/a{b}", "a")),
              "Malformed segment a{b} in route GET /v0/a{b} (a)");
    EXPECT_EQ(message(Row(Method::kGet, "/v0/{...}", "a")),
              "Malformed parameter {...} in route GET /v0/{...} (a)");
    EXPECT_EQ(message(Row(Method::kGet, "/v0/{a..}", "a")),
              "Malformed parameter {a..} in route GET /v0/{a..} (a)");
    EXPECT_EQ(message(Row(Method::kGet, "/v0/{a...", "a")),
              "Malformed parameter {a... in route GET /v0/{a... (a)");
    EXPECT_EQ(message(Row(Method::kGet, "/v0/{rest...}", "a")), "ok");
    EXPECT_EQ(message(Row(Method::kOther, "/v0", "a")),
              "Unsupported method in route OTHER /v0 (a)");
    Route noHandler = Row(Method::kGet, "/v0", "a");
    noHandler.handler = nullptr;
    EXPECT_EQ(message(noHandler), "Route GET /v0 (a) has no handler");
    EXPECT_EQ(message(Row(Method::kGet, "/", "root")), "ok");
}

TEST(ParsedPath, DecodesEachSegment) {
    auto p = ParsedPath::Parse("/v0/skills/%40owner%2Fname/x%20y");
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->decoded(), "/v0/skills/@owner/name/x y");
    ASSERT_EQ(p->segmentCount(), 4u);
    EXPECT_EQ(p->segment(2), "@owner/name");
    EXPECT_EQ(p->segment(3), "x y");
    auto root = ParsedPath::Parse("/");
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(root->decoded(), "/");
    EXPECT_EQ(root->segmentCount(), 0u);
    EXPECT_EQ(ParsedPath::Parse("/a/../b").status().ToString(), "InvalidArgument: Invalid path");
}

}  // namespace
}  // namespace pinfold::http
