// The agent-host reverse proxy against a real upstream (EchoUpstream) on a loopback port.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "http/server_fixture.h"
#include "support/client/echo_upstream.h"
#include "support/client/http_client.h"

namespace pinfold::http {
namespace {

using pinfold::testing::EchoUpstream;
using pinfold::testing::HttpClient;
using pinfold::testing::HttpResult;
using pinfold::testing::RawConnection;
using pinfold::testing::WebSocketClient;
using testing::MakeRoute;
using testing::TestServer;

// Agent x1234abc runs the echo upstream; xdown's port refuses; xstopped is not running.
class FakeAgents final : public AgentUpstream {
  public:
    explicit FakeAgents(uint16_t port) : port_(port) {}

    Result<int> connectAgent(const std::string& agentId) override {
        connects.fetch_add(1);
        if (agentId == "x1234abc")
            return pinfold::testing::ConnectLoopback(port_);
        if (agentId == "xdown") {
            return pinfold::testing::ConnectLoopback(pinfold::testing::UnusedLoopbackPort());
        }
        if (agentId == "xstopped")
            return Status::Conflict("Agent is not running");
        return Status::NotFound("Agent not found");
    }

    std::atomic<int> connects{0};

  private:
    uint16_t port_;
};

std::vector<Route> Routes() {
    std::vector<Route> routes;
    routes.push_back(MakeRoute(
        Method::kGet, "/v0/agents/{agentId}", AuthKind::kNone,
        [](HandlerContext& c) {
            return Response::Json(
                200, R"({"local":")" + std::string(c.request.pathParam("agentId")) + R"("})");
        },
        "getAgent", HostScope::kBoth));
    return routes;
}

class ProxyTest : public ::testing::Test {
  protected:
    HttpResult Get(std::string_view target, std::string agent = "x1234abc") {
        return client_.get(target, {{"Host", AgentHost(agent)}});
    }
    std::string AgentHost(const std::string& agent) {
        return agent + ".agents.localhost:" + std::to_string(server_.port());
    }

    EchoUpstream upstream_;
    FakeAgents agents_{upstream_.port()};
    TestServer server_{Routes(), HttpServerOptions{}, &agents_};
    HttpClient client_{"127.0.0.1", server_.port()};
};

TEST_F(ProxyTest, UnmatchedPathsOnAnAgentHostGoToTheAgent) {
    HttpResult r = client_.get("/some/page?q=1&token=t",
                               {{"Host", AgentHost("x1234abc")}, {"Authorization", "Bearer gw"}});
    ASSERT_EQ(r.status, 200) << r.describe();
    EXPECT_EQ(r.header("x-upstream"), "echo");
    boost::json::value echo = r.json();
    EXPECT_EQ(echo.at("method").as_string(), "GET");
    EXPECT_EQ(echo.at("target").as_string(), "/some/page?q=1&token=t");
    const auto& h = echo.at("headers").as_object();
    EXPECT_EQ(h.at("host").as_string(), AgentHost("x1234abc"));
    EXPECT_EQ(h.at("authorization").as_string(), "Bearer gw");
    EXPECT_EQ(h.at("x-forwarded-for").as_string(), "127.0.0.1");
    EXPECT_EQ(h.at("x-forwarded-proto").as_string(), "http");
    EXPECT_EQ(h.at("x-forwarded-host").as_string(), AgentHost("x1234abc"));
    EXPECT_EQ(h.at("x-request-id").as_string(), r.header("x-request-id"));
}

TEST_F(ProxyTest, RoutesOnTheAgentHostStayLocal) {
    HttpResult r = Get("/v0/agents/x1234abc");
    EXPECT_EQ(r.body, R"({"local":"x1234abc"})");
    EXPECT_EQ(agents_.connects.load(), 0);
}

TEST_F(ProxyTest, TheManagementHostDoesNotProxy) {
    HttpResult r = client_.get("/some/page");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.body, R"({"error":"Not found"})");
    EXPECT_EQ(agents_.connects.load(), 0);
}

TEST_F(ProxyTest, HopByHopHeadersAreNotForwarded) {
    HttpResult r = client_.get("/x", {{"Host", AgentHost("x1234abc")},
                                      {"Connection", "keep-alive, X-Private-Hop"},
                                      {"X-Private-Hop", "1"},
                                      {"Keep-Alive", "timeout=5"},
                                      {"Proxy-Authorization", "Basic abc"},
                                      {"TE", "trailers"},
                                      {"X-Forwarded-For", "10.0.0.9"},
                                      {"X-End-To-End", "kept"}});
    boost::json::value echo = r.json();
    const auto& h = echo.at("headers").as_object();
    for (const char* name :
         {"connection", "x-private-hop", "keep-alive", "proxy-authorization", "te", "upgrade"}) {
        EXPECT_FALSE(h.contains(name)) << name;
    }
    EXPECT_EQ(h.at("x-end-to-end").as_string(), "kept");
    EXPECT_EQ(h.at("x-forwarded-for").as_string(), "10.0.0.9, 127.0.0.1");
}

TEST_F(ProxyTest, ALargeChunkedUploadStreamsThrough) {
    std::string body = pinfold::testing::PatternBytes(10 * 1024 * 1024);
    HttpResult r =
        client_.postChunked("/upload", body, 256 * 1024, {{"Host", AgentHost("x1234abc")}});
    ASSERT_EQ(r.status, 200) << r.describe();
    boost::json::value echo = r.json();
    EXPECT_EQ(echo.at("bodyBytes").to_number<uint64_t>(), body.size());
    EXPECT_EQ(echo.at("bodyFnv").as_string(), pinfold::testing::Fnv1aHex(body));
    EXPECT_EQ(echo.at("chunked").as_bool(), true);
    EXPECT_EQ(echo.at("method").as_string(), "POST");
}

TEST_F(ProxyTest, ALargeUploadWithContentLengthStreamsThrough) {
    std::string body = pinfold::testing::PatternBytes(10 * 1024 * 1024 + 7);
    HttpResult r = client_.post("/upload", body, {{"Host", AgentHost("x1234abc")}});
    ASSERT_EQ(r.status, 200) << r.describe();
    boost::json::value echo = r.json();
    EXPECT_EQ(echo.at("bodyBytes").to_number<uint64_t>(), body.size());
    EXPECT_EQ(echo.at("bodyFnv").as_string(), pinfold::testing::Fnv1aHex(body));
    EXPECT_EQ(echo.at("chunked").as_bool(), false);
    EXPECT_EQ(echo.at("headers").at("content-length").as_string(), std::to_string(body.size()));
}

TEST_F(ProxyTest, ResponsesStreamBackInEveryFraming) {
    std::string expected = pinfold::testing::PatternBytes(3 * 1000 * 1000);
    HttpResult sized = Get("/bytes/3000000");
    EXPECT_EQ(sized.header("content-length"), "3000000");
    EXPECT_TRUE(sized.body == expected);
    HttpResult chunked = Get("/bytes/3000000?chunked=1");
    EXPECT_EQ(chunked.header("transfer-encoding"), "chunked");
    EXPECT_TRUE(chunked.body == expected);
    // Delimited by the agent closing: re-framed as chunked, so the client connection stays.
    HttpResult closing = Get("/bytes/3000000?close=1");
    EXPECT_EQ(closing.header("transfer-encoding"), "chunked");
    EXPECT_EQ(closing.header("connection"), "");
    EXPECT_TRUE(closing.body == expected);
    EXPECT_EQ(Get("/bytes/5").body, "abcde");
    EXPECT_EQ(client_.connectionsOpened(), 1);
}

TEST_F(ProxyTest, HeadGetsHeadersOnly) {
    HttpResult head =
        client_.request("HEAD", "/bytes/100?chunked=1", "", {{"Host", AgentHost("x1234abc")}});
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.body, "");
    EXPECT_EQ(Get("/bytes/3").body, "abc");  // the connection is still in step
    EXPECT_EQ(client_.connectionsOpened(), 1);
}

TEST_F(ProxyTest, TheUpstreamConnectionIsReused) {
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(Get("/x").status, 200);
    EXPECT_EQ(upstream_.connectionsAccepted(), 1);
    EXPECT_EQ(agents_.connects.load(), 1);
}

TEST_F(ProxyTest, ExpectContinueIsAnsweredByTheProxy) {
    RawConnection raw("127.0.0.1", server_.port());
    raw.send("POST /up HTTP/1.1\r\nHost: " + AgentHost("x1234abc") +
             "\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
    EXPECT_EQ(raw.readUntil("\r\n\r\n"), "HTTP/1.1 100 Continue\r\n\r\n");
    raw.send("hello");
    std::string answer = raw.readResponse();
    EXPECT_NE(answer.find(R"("bodyBytes":5)"), std::string::npos) << answer;
    EXPECT_EQ(answer.find("expect"), std::string::npos) << answer;
}

TEST_F(ProxyTest, WebSocketUpgradesAreRelayed) {
    WebSocketClient ws;
    auto connected = ws.connect("127.0.0.1", server_.port(), "/chat",
                                {{"Host", AgentHost("x1234abc")}, {"Origin", "http://x"}});
    ASSERT_TRUE(connected.ok) << connected.error << " " << connected.status;
    EXPECT_EQ(connected.status, 101);
    ASSERT_TRUE(ws.sendText("hi"));
    EXPECT_EQ(ws.readText(std::chrono::seconds(10)), "echo:hi");
    std::string big(100000, 'z');
    ASSERT_TRUE(ws.sendText(big));
    EXPECT_EQ(ws.readText(std::chrono::seconds(10)), "echo:" + big);
    ws.close();
}

TEST_F(ProxyTest, AnUnreachableAgentIs502) {
    HttpResult r = Get("/x", "xdown");
    EXPECT_EQ(r.status, 502);
    EXPECT_EQ(r.body, R"({"error":"Agent is not reachable"})");
    EXPECT_EQ(Get("/x").status, 200);  // same client connection, another agent
}

TEST_F(ProxyTest, UpstreamStatusesGoThroughTheStatusMap) {
    HttpResult stopped = Get("/x", "xstopped");
    EXPECT_EQ(stopped.status, 409);
    EXPECT_EQ(stopped.body, R"({"error":"Agent is not running"})");
    HttpResult unknown = Get("/x", "xnobody");
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(unknown.body, R"({"error":"Agent not found"})");
}

TEST_F(ProxyTest, AnUpstreamThatGoesAwayIs502ForTheNextRequest) {
    EXPECT_EQ(Get("/x").status, 200);
    upstream_.stop();
    HttpResult r = Get("/x");
    EXPECT_EQ(r.status, 502) << r.describe();
    EXPECT_EQ(r.body, R"({"error":"Agent is not reachable"})");
}

TEST_F(ProxyTest, ProxiedPathsAreAuthenticatedBeforeTheAgentIsReached) {
    server_.auth.openProxy = false;
    HttpResult refused = Get("/page");
    EXPECT_EQ(refused.status, 401);
    EXPECT_EQ(refused.body, R"({"error":"Invalid token"})");
    EXPECT_EQ(agents_.connects.load(), 0);
    HttpResult allowed =
        client_.get("/page", {{"Host", AgentHost("x1234abc")}, {"Cookie", "gw_token=gw-x1234abc"}});
    EXPECT_EQ(allowed.status, 200) << allowed.describe();
    EXPECT_EQ(allowed.header("set-cookie"), "");
}

TEST_F(ProxyTest, ATokenInTheQueryBecomesAHostOnlyCookie) {
    HttpResult r = Get("/ui?token=tok-1");
    ASSERT_EQ(r.status, 200) << r.describe();
    EXPECT_EQ(r.header("set-cookie"), "gw_token=tok-1; Path=/; HttpOnly; SameSite=Lax");
}

}  // namespace
}  // namespace pinfold::http
