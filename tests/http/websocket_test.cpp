// WebSocket routes: handshake, refusal, messages both ways, close from either side, the bounded
// send queue, and shutdown.
#include "http/websocket.h"

#include <gtest/gtest.h>

#include <future>
#include <mutex>

#include "http/server_fixture.h"
#include "support/client/http_client.h"

namespace pinfold::http {
namespace {

using pinfold::testing::HttpClient;
using pinfold::testing::WebSocketClient;
using testing::MakeRoute;
using testing::TestServer;

constexpr auto kWait = std::chrono::seconds(10);

// What the routes' handlers saw, for the test to inspect and drive.
struct Sessions {
    std::mutex mu;
    std::vector<std::shared_ptr<WebSocketSession>> open;
    std::atomic<int> closes{0};
    std::promise<void> firstClose;

    std::shared_ptr<WebSocketSession> last() {
        std::lock_guard<std::mutex> lock(mu);
        return open.empty() ? nullptr : open.back();
    }
};

Route WebSocketRoute(std::string pattern, AuthKind auth, WebSocketHandler handler,
                     std::string name) {
    Route r = MakeRoute(Method::kGet, std::move(pattern), auth, nullptr, std::move(name));
    r.websocket = std::move(handler);
    return r;
}

std::vector<Route> Routes(std::shared_ptr<Sessions> sessions) {
    std::vector<Route> routes;
    routes.push_back(WebSocketRoute(
        "/v0/rooms/{room}", AuthKind::kJwt,
        [sessions](HandlerContext& ctx, const std::shared_ptr<WebSocketSession>& session) {
            if (ctx.request.pathParam("room") == "closed") {
                session->setOnClose([sessions] { sessions->closes.fetch_add(1); });
                return Status::NotFound("Room not found");
            }
            std::weak_ptr<WebSocketSession> weak = session;
            session->setOnMessage([weak](std::string_view text) {
                if (auto s = weak.lock())
                    s->send("got:" + std::string(text));
            });
            session->setOnClose([sessions] {
                if (sessions->closes.fetch_add(1) == 0)
                    sessions->firstClose.set_value();
            });
            session->send("welcome " + ctx.caller.workspace);
            std::lock_guard<std::mutex> lock(sessions->mu);
            sessions->open.push_back(session);
            return Status::Ok();
        },
        "room"));
    routes.push_back(WebSocketRoute(
        "/v0/flood", AuthKind::kNone,
        [sessions](HandlerContext&, const std::shared_ptr<WebSocketSession>& session) {
            // The handshake is not answered yet, so nothing drains: the queue bound decides.
            for (int i = 0; i < 10; ++i)
                session->send("m" + std::to_string(i));
            session->close(1000, "done");
            std::lock_guard<std::mutex> lock(sessions->mu);
            sessions->open.push_back(session);
            return Status::Ok();
        },
        "flood"));
    routes.push_back(WebSocketRoute(
        "/v0/broken", AuthKind::kNone,
        [](HandlerContext&, const std::shared_ptr<WebSocketSession>&) -> Status {
            throw std::runtime_error("handler bug");
        },
        "broken"));
    return routes;
}

class WebSocketTest : public ::testing::Test {
  protected:
    static HttpServerOptions Options() {
        HttpServerOptions o;
        o.wsMaxQueuedMessages = 4;
        return o;
    }

    WebSocketClient::ConnectResult Connect(WebSocketClient& ws, std::string_view target,
                                           bool authorized = true) {
        pinfold::testing::Headers headers;
        if (authorized)
            headers.emplace_back("Authorization", "Bearer good");
        return ws.connect("127.0.0.1", server_.port(), target, headers);
    }

    std::shared_ptr<Sessions> sessions_ = std::make_shared<Sessions>();
    TestServer server_{Routes(sessions_), Options()};
};

TEST_F(WebSocketTest, MessagesFlowBothWays) {
    WebSocketClient ws;
    auto c = Connect(ws, "/v0/rooms/lobby");
    ASSERT_TRUE(c.ok) << c.error << " " << c.status << " " << c.body;
    EXPECT_EQ(ws.readText(kWait), "welcome ws1");
    ASSERT_TRUE(ws.sendText("hello"));
    EXPECT_EQ(ws.readText(kWait), "got:hello");
    auto session = sessions_->last();
    ASSERT_NE(session, nullptr);
    EXPECT_TRUE(session->isOpen());
    std::thread([session] { session->send("from another thread"); }).join();
    EXPECT_EQ(ws.readText(kWait), "from another thread");
}

TEST_F(WebSocketTest, ClientCloseEndsTheSession) {
    WebSocketClient ws;
    ASSERT_TRUE(Connect(ws, "/v0/rooms/lobby").ok);
    EXPECT_EQ(ws.readText(kWait), "welcome ws1");
    ws.close();
    ASSERT_EQ(sessions_->firstClose.get_future().wait_for(kWait), std::future_status::ready);
    auto session = sessions_->last();
    EXPECT_FALSE(session->isOpen());
    EXPECT_FALSE(session->send("too late"));
    bool calledAtOnce = false;
    session->setOnClose([&calledAtOnce] { calledAtOnce = true; });
    EXPECT_TRUE(calledAtOnce);
}

TEST_F(WebSocketTest, ServerCloseSendsQueuedMessagesThenTheCloseFrame) {
    WebSocketClient ws;
    ASSERT_TRUE(Connect(ws, "/v0/rooms/lobby").ok);
    EXPECT_EQ(ws.readText(kWait), "welcome ws1");
    auto session = sessions_->last();
    session->send("last words");
    session->close(1000, "bye");
    EXPECT_EQ(ws.readText(kWait), "last words");
    EXPECT_EQ(ws.readText(kWait), std::nullopt);
    EXPECT_TRUE(ws.closed());
    EXPECT_EQ(ws.closeCode(), 1000);
}

TEST_F(WebSocketTest, AFullQueueDropsAndCounts) {
    WebSocketClient ws;
    ASSERT_TRUE(Connect(ws, "/v0/flood", false).ok);
    for (int i = 0; i < 4; ++i)
        EXPECT_EQ(ws.readText(kWait), "m" + std::to_string(i));
    EXPECT_EQ(ws.readText(kWait), std::nullopt);
    EXPECT_EQ(ws.closeCode(), 1000);
    EXPECT_EQ(sessions_->last()->dropped(), 6u);
}

TEST_F(WebSocketTest, RefusalIsAnHttpError) {
    WebSocketClient ws;
    auto c = Connect(ws, "/v0/rooms/closed");
    EXPECT_FALSE(c.ok);
    EXPECT_EQ(c.status, 404);
    EXPECT_EQ(c.body, R"({"error":"Room not found"})");
    EXPECT_EQ(sessions_->closes.load(), 1);  // a refused session still reports its end
}

TEST_F(WebSocketTest, CredentialsAreCheckedBeforeTheHandshake) {
    WebSocketClient ws;
    auto c = Connect(ws, "/v0/rooms/lobby", false);
    EXPECT_FALSE(c.ok);
    EXPECT_EQ(c.status, 401);
    EXPECT_EQ(c.body, R"({"error":"Invalid token"})");
}

TEST_F(WebSocketTest, APlainGetIs426) {
    HttpClient client("127.0.0.1", server_.port());
    auto r = client.get("/v0/flood");
    EXPECT_EQ(r.status, 426);
    EXPECT_EQ(r.body, R"({"error":"WebSocket upgrade required"})");
}

TEST_F(WebSocketTest, AThrowingHandlerIs500) {
    WebSocketClient ws;
    auto c = Connect(ws, "/v0/broken");
    EXPECT_EQ(c.status, 500);
    EXPECT_EQ(c.body.rfind(R"({"error":"Internal error (request id )", 0), 0u) << c.body;
}

TEST(WebSocketShutdown, StopClosesOpenSessionsWithGoingAway) {
    auto sessions = std::make_shared<Sessions>();
    auto server = std::make_unique<TestServer>(Routes(sessions));
    WebSocketClient ws;
    ASSERT_TRUE(ws.connect("127.0.0.1", server->port(), "/v0/rooms/lobby",
                           {{"Authorization", "Bearer good"}})
                    .ok);
    EXPECT_EQ(ws.readText(kWait), "welcome ws1");
    auto stopping = std::async(std::launch::async, [&server] { server->server().stop(); });
    EXPECT_EQ(ws.readText(kWait), std::nullopt);
    EXPECT_TRUE(ws.closed());
    EXPECT_EQ(ws.closeCode(), 1001);
    stopping.get();
    EXPECT_EQ(sessions->closes.load(), 1);
}

}  // namespace
}  // namespace pinfold::http
