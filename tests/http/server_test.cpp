#include "http/server.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <future>
#include <set>
#include <thread>

#include "http/server_fixture.h"
#include "support/client/http_client.h"

namespace pinfold::http {
namespace {

using pinfold::testing::HttpClient;
using pinfold::testing::HttpResult;
using pinfold::testing::RawConnection;
using testing::MakeRoute;
using testing::TestServer;

// Lets a blocking handler wait until the test releases it, and tells the test it has started.
struct Gate {
    std::promise<void> entered;
    std::promise<void> release;
    std::shared_future<void> released{release.get_future().share()};
};

std::vector<Route> Routes(std::shared_ptr<Gate> gate) {
    std::vector<Route> routes;
    routes.push_back(MakeRoute(
        Method::kGet, "/hello", AuthKind::kNone,
        [](HandlerContext&) { return Response::Json(200, R"({"hello":"world"})"); }, "hello"));
    routes.push_back(MakeRoute(
        Method::kGet, "/v0/whoami", AuthKind::kJwt,
        [](HandlerContext& c) {
            boost::json::object o{{"workspace", c.caller.workspace},
                                  {"path", c.request.path},
                                  {"query", c.request.queryParam("q").value_or("")}};
            return Response::Json(200, boost::json::serialize(o));
        },
        "whoami"));
    Route echo = MakeRoute(
        Method::kPost, "/v0/echo", AuthKind::kJwt,
        [](HandlerContext& c) {
            boost::json::object o{{"json", c.request.json}, {"bodyBytes", c.request.body.size()}};
            return Response::Json(200, boost::json::serialize(o));
        },
        "echo");
    echo.jsonBody = true;
    echo.maxBodyBytes = 1024;
    routes.push_back(std::move(echo));
    routes.push_back(MakeRoute(
        Method::kGet, "/v0/agents/{agentId}", AuthKind::kJwt,
        [](HandlerContext& c) {
            boost::json::object o{{"agentId", c.request.pathParam("agentId")}};
            return Response::Json(200, boost::json::serialize(o));
        },
        "getAgent"));
    routes.push_back(MakeRoute(
        Method::kGet, "/v0/throw", AuthKind::kNone,
        [](HandlerContext&) -> Response { throw std::runtime_error("boom"); }, "throw"));
    routes.push_back(MakeRoute(
        Method::kGet, "/v0/headers", AuthKind::kNone,
        [](HandlerContext&) {
            Response r = Response::Json(200, "{}");
            r.headers.emplace_back("X-Good", "yes");
            r.headers.emplace_back("X-Bad", "a\r\nSet-Cookie: evil=1");
            return r;
        },
        "headers"));
    routes.push_back(MakeRoute(
        Method::kDelete, "/v0/nocontent", AuthKind::kNone,
        [](HandlerContext&) {
            Response r;
            r.status = 204;
            return r;
        },
        "noContent"));
    Route blocking = MakeRoute(
        Method::kPost, "/v0/blocking", AuthKind::kNone,
        [gate](HandlerContext&) {
            gate->entered.set_value();
            // Only another request can release this one: it gets served only if this handler does
            // not occupy the (single) I/O thread.
            bool released =
                gate->released.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
            return Response::Json(200, released ? R"({"released":true})" : R"({"released":false})");
        },
        "blocking");
    blocking.blocking = true;
    routes.push_back(std::move(blocking));
    routes.push_back(MakeRoute(
        Method::kPost, "/v0/release", AuthKind::kNone,
        [gate](HandlerContext&) {
            gate->release.set_value();
            return Response::Json(200, "{}");
        },
        "release"));
    return routes;
}

class ServerTest : public ::testing::Test {
  protected:
    HttpServerOptions Options() {
        HttpServerOptions o;
        o.ioThreads = 1;  // so the blocking test proves the I/O thread stays free
        o.maxHeaderBytes = 4096;
        return o;
    }
    std::shared_ptr<Gate> gate_ = std::make_shared<Gate>();
    TestServer server_{Routes(gate_), Options()};
    HttpClient client_{"127.0.0.1", server_.port()};
};

TEST_F(ServerTest, ServesJson) {
    HttpResult r = client_.get("/hello");
    EXPECT_EQ(r.status, 200) << r.describe();
    EXPECT_EQ(r.body, R"({"hello":"world"})");
    EXPECT_EQ(r.header("content-type"), "application/json");
    EXPECT_EQ(r.header("content-length"), "17");
}

TEST_F(ServerTest, EveryAnswerHasADistinctRequestId) {
    std::set<std::string> ids;
    for (int i = 0; i < 5; ++i) {
        HttpResult r = client_.get(i % 2 ? "/hello" : "/nope");
        std::string id = r.header("x-request-id");
        EXPECT_EQ(id.size(), 15u) << id;
        EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
        ids.insert(id);
    }
    EXPECT_EQ(ids.size(), 5u);
}

TEST_F(ServerTest, UnknownPathIs404) {
    HttpResult r = client_.get("/v0/nothing");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.body, R"({"error":"Not found"})");
}

TEST_F(ServerTest, WrongMethodIs405WithAllow) {
    HttpResult r = client_.del("/hello");
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.body, R"({"error":"Method not allowed"})");
    EXPECT_EQ(r.header("allow"), "GET, HEAD");
}

TEST_F(ServerTest, HeadIsGetWithoutBody) {
    HttpResult r = client_.request("HEAD", "/hello");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "");
    EXPECT_EQ(r.header("content-length"), "17");
    EXPECT_EQ(client_.get("/hello").body, R"({"hello":"world"})");  // same connection still framed
    EXPECT_EQ(client_.connectionsOpened(), 1);
}

TEST_F(ServerTest, MissingCredentialsAre401) {
    HttpResult r = client_.get("/v0/whoami");
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.body, R"({"error":"Invalid token"})");
    HttpResult ok =
        client_.get("/v0/whoami?q=a%20b&token=secret", {{"Authorization", "Bearer good"}});
    EXPECT_EQ(ok.status, 200);
    EXPECT_EQ(ok.body, R"({"workspace":"ws1","path":"/v0/whoami","query":"a b"})");
}

TEST_F(ServerTest, PathParametersReachTheHandler) {
    HttpResult r = client_.get("/v0/agents/x1234abc", {{"Authorization", "Bearer good"}});
    EXPECT_EQ(r.body, R"({"agentId":"x1234abc"})");
    HttpResult invalid = client_.get("/v0/agents/%2e%2e", {{"Authorization", "Bearer good"}});
    EXPECT_EQ(invalid.status, 400);
    EXPECT_EQ(invalid.body, R"({"error":"Invalid path"})");
}

TEST_F(ServerTest, BodyOverTheRouteLimitIs413BeforeItIsRead) {
    HttpResult r =
        client_.post("/v0/echo", std::string(2048, 'x'), {{"Authorization", "Bearer good"}});
    EXPECT_EQ(r.status, 413) << r.describe();
    EXPECT_EQ(r.body, R"({"error":"Request body too large"})");
    EXPECT_EQ(r.header("connection"), "close");
    EXPECT_EQ(server_.auth.calls.load(), 0);  // rejected before authentication
}

TEST_F(ServerTest, ChunkedBodyOverTheRouteLimitIs413) {
    HttpResult r = client_.postChunked("/v0/echo", std::string(4096, 'x'), 100,
                                       {{"Authorization", "Bearer good"}});
    EXPECT_EQ(r.status, 413) << r.describe();
    EXPECT_EQ(r.body, R"({"error":"Request body too large"})");
}

TEST_F(ServerTest, JsonBodiesAreParsed) {
    HttpResult r =
        client_.post("/v0/echo", R"({"name":"a","n":[1,2]})", {{"Authorization", "Bearer good"}});
    EXPECT_EQ(r.body, R"({"json":{"name":"a","n":[1,2]},"bodyBytes":22})");
    HttpResult chunked =
        client_.postChunked("/v0/echo", R"({"x":true})", 3, {{"Authorization", "Bearer good"}});
    EXPECT_EQ(chunked.body, R"({"json":{"x":true},"bodyBytes":10})");
}

TEST_F(ServerTest, NullAndEmptyBodiesAreAnEmptyObject) {
    EXPECT_EQ(client_.post("/v0/echo", "null", {{"Authorization", "Bearer good"}}).body,
              R"({"json":{},"bodyBytes":4})");
    EXPECT_EQ(client_.post("/v0/echo", "", {{"Authorization", "Bearer good"}}).body,
              R"({"json":{},"bodyBytes":0})");
}

TEST_F(ServerTest, BodiesThatAreNotAJsonObjectAre400) {
    for (std::string body : {"[1,2]", "{bad", "\"text\"", "42"}) {
        HttpResult r = client_.post("/v0/echo", body, {{"Authorization", "Bearer good"}});
        EXPECT_EQ(r.status, 400) << body;
        EXPECT_EQ(r.body, R"({"error":"Invalid JSON body"})") << body;
    }
    EXPECT_EQ(client_.connectionsOpened(), 1);  // the body was read: the connection stays
}

TEST_F(ServerTest, HandlerExceptionIs500WithTheRequestId) {
    HttpResult r = client_.get("/v0/throw");
    EXPECT_EQ(r.status, 500);
    std::string id = r.header("x-request-id");
    EXPECT_EQ(r.body, "{\"error\":\"Internal error (request id " + id + ")\"}");
    EXPECT_EQ(client_.get("/hello").status, 200);
}

TEST_F(ServerTest, HeadersWithLineBreaksAreDropped) {
    HttpResult r = client_.get("/v0/headers");
    EXPECT_EQ(r.header("x-good"), "yes");
    EXPECT_EQ(r.header("x-bad"), "");
    EXPECT_EQ(r.header("set-cookie"), "");
}

TEST_F(ServerTest, NoContentHasNoBodyOrLength) {
    RawConnection raw("127.0.0.1", server_.port());
    raw.send(
        "DELETE /v0/nocontent HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    std::string first = raw.readUntil("\r\n\r\n");
    EXPECT_EQ(first.rfind("HTTP/1.1 204 No Content\r\n", 0), 0u) << first;
    EXPECT_EQ(first.find("Content-Length"), std::string::npos) << first;
    std::string second = raw.readResponse();
    EXPECT_EQ(second.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << second;
}

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
    EXPECT_EQ(client_.get("/hello").status, 200);
    EXPECT_EQ(client_.get("/v0/nothing").status, 404);
    EXPECT_EQ(client_.post("/v0/echo", "{}", {{"Authorization", "Bearer good"}}).status, 200);
    EXPECT_EQ(client_.get("/hello").status, 200);
    EXPECT_EQ(client_.connectionsOpened(), 1);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
    RawConnection raw("127.0.0.1", server_.port());
    raw.send(
        "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
        "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
        "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    std::string all = raw.readUntilClosed();
    size_t a = all.find("HTTP/1.1 200 OK");
    size_t b = all.find("HTTP/1.1 404 Not Found");
    size_t c = all.find("HTTP/1.1 200 OK", a + 1);
    EXPECT_NE(a, std::string::npos) << all;
    EXPECT_LT(a, b);
    EXPECT_LT(b, c);
    EXPECT_NE(c, std::string::npos) << all;
    EXPECT_TRUE(raw.peerClosed());
}

TEST_F(ServerTest, MalformedRequestIs400AndCloses) {
    RawConnection raw("127.0.0.1", server_.port());
    raw.send("GARBAGE\r\n\r\n");
    std::string answer = raw.readUntilClosed();
    EXPECT_EQ(answer.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << answer;
    EXPECT_NE(answer.find(R"({"error":"Bad request"})"), std::string::npos) << answer;
    EXPECT_TRUE(raw.peerClosed());
}

TEST_F(ServerTest, OversizedHeaderIs431) {
    RawConnection raw("127.0.0.1", server_.port());
    raw.send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8000, 'a') + "\r\n\r\n");
    std::string answer = raw.readUntilClosed();
    EXPECT_EQ(answer.rfind("HTTP/1.1 431 Request Header Fields Too Large\r\n", 0), 0u) << answer;
    EXPECT_NE(answer.find(R"({"error":"Request header too large"})"), std::string::npos);
}

TEST_F(ServerTest, ExpectContinueGetsA100BeforeTheBody) {
    RawConnection raw("127.0.0.1", server_.port());
    raw.send(
        "POST /v0/echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer good\r\n"
        "Content-Length: 9\r\nExpect: 100-continue\r\n\r\n");
    EXPECT_EQ(raw.readUntil("\r\n\r\n"), "HTTP/1.1 100 Continue\r\n\r\n");
    raw.send(R"({"a":"b"})");
    std::string answer = raw.readResponse();
    EXPECT_NE(answer.find(R"({"json":{"a":"b"},"bodyBytes":9})"), std::string::npos) << answer;
}

TEST_F(ServerTest, Http10ClosesUnlessAskedToKeepAlive) {
    RawConnection raw("127.0.0.1", server_.port());
    raw.send("GET /hello HTTP/1.0\r\n\r\n");
    std::string answer = raw.readUntilClosed();
    EXPECT_NE(answer.find("Connection: close\r\n"), std::string::npos) << answer;
    RawConnection kept("127.0.0.1", server_.port());
    kept.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    std::string first = kept.readResponse();
    EXPECT_NE(first.find("Connection: keep-alive\r\n"), std::string::npos) << first;
    kept.send("GET /hello HTTP/1.0\r\n\r\n");
    EXPECT_NE(kept.readUntilClosed().find(R"({"hello":"world"})"), std::string::npos);
}

TEST_F(ServerTest, BlockingRoutesRunOnTheWorkerPool) {
    auto blocked = std::async(std::launch::async, [this] {
        HttpClient other("127.0.0.1", server_.port());
        return other.post("/v0/blocking", "");
    });
    gate_->entered.get_future().wait();
    // The only I/O thread is free: this request is served while the blocking one waits.
    EXPECT_EQ(client_.post("/v0/release", "").status, 200);
    HttpResult r = blocked.get();
    EXPECT_EQ(r.status, 200) << r.describe();
    EXPECT_EQ(r.body, R"({"released":true})");
}

TEST(ServerLifecycle, StopClosesIdleConnectionsAndFinishesInFlightOnes) {
    auto gate = std::make_shared<Gate>();
    auto server = std::make_unique<TestServer>(Routes(gate));
    uint16_t port = server->port();
    HttpClient idle("127.0.0.1", port);
    EXPECT_EQ(idle.get("/hello").status, 200);  // now idle, kept alive

    auto inFlight = std::async(std::launch::async, [port] {
        HttpClient c("127.0.0.1", port);
        return c.post("/v0/blocking", "");
    });
    gate->entered.get_future().wait();
    auto stopping = std::async(std::launch::async, [&server] { server->server().stop(); });
    // Stop has begun once new connections are refused.
    for (int i = 0; i < 10000; ++i) {
        RawConnection probe("127.0.0.1", port);
        if (!probe.connected())
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    gate->release.set_value();
    HttpResult r = inFlight.get();
    EXPECT_EQ(r.status, 200) << r.describe();
    EXPECT_EQ(r.body, R"({"released":true})");
    EXPECT_EQ(r.header("connection"), "close");
    stopping.get();
    EXPECT_EQ(idle.get("/hello").status, 0);  // the server is gone
}

TEST(ServerLifecycle, BadRouteTableFailsStart) {
    testing::FakeAuthenticator auth;
    std::vector<Route> routes;
    routes.push_back(MakeRoute(
        Method::kGet, "/x", AuthKind::kNone,
        [](HandlerContext&) { return Response::Json(200, "{}"); }, "a"));
    routes.push_back(routes.back());
    HttpServerOptions options;
    options.port = 0;
    HttpServer server(options, std::move(routes), HttpServerDeps{auth});
    EXPECT_EQ(server.start().ToString(),
              "InvalidArgument: Duplicate route GET /x (a) and GET /x (a)");
    EXPECT_EQ(server.port(), 0);
}

TEST(ServerLifecycle, PortInUseFailsStart) {
    testing::FakeAuthenticator auth;
    TestServer first({});
    HttpServerOptions options;
    options.port = first.port();
    HttpServer second(options, {}, HttpServerDeps{auth});
    Status s = second.start();
    EXPECT_EQ(s.code(), Status::Code::kUnavailable) << s.ToString();
    EXPECT_EQ(s.message().rfind("Cannot listen on 127.0.0.1:" + std::to_string(first.port()), 0),
              0u)
        << s.message();
}

}  // namespace
}  // namespace pinfold::http
