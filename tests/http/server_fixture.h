// Helpers for tests that run a real HttpServer on a loopback port: a fake authenticator and a
// server wrapper that starts on port 0 and stops at the end of the test.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "http/authenticator.h"
#include "http/server.h"
#include "http/upstream.h"

namespace pinfold::http::testing {

// Accepts `Authorization: Bearer good` (workspace "ws1"), and on an agent host the cookie
// gw_token=gw-<agentId>; anything else is Unauthorized("Invalid token"). With `openProxy`, the
// proxied paths of an agent host need no credential (the proxy tests are about relaying).
class FakeAuthenticator final : public Authenticator {
  public:
    Result<Caller> authenticate(const Request& request, const Route& route,
                                const HostInfo& host) override {
        calls.fetch_add(1);
        Caller caller;
        if (openProxy && route.name == "proxyToAgent")
            return caller;
        if (request.header("authorization") == "Bearer good") {
            caller.workspace = "ws1";
            return caller;
        }
        if (host.isAgentHost && request.cookie("gw_token") == "gw-" + host.agentId) {
            caller.agentId = host.agentId;
            caller.viaGatewayToken = true;
            return caller;
        }
        return Status::Unauthorized("Invalid token");
    }

    std::atomic<int> calls{0};
    bool openProxy = true;
};

inline Route MakeRoute(Method method, std::string pattern, AuthKind auth, Handler handler,
                       std::string name, HostScope hosts = HostScope::kManagement) {
    return Route{method, std::move(pattern), auth, hosts, std::move(handler), std::move(name), ""};
}

class TestServer {
  public:
    TestServer(std::vector<Route> routes, HttpServerOptions options = {},
               AgentUpstream* upstream = nullptr) {
        options.listenAddress = "127.0.0.1";
        options.port = 0;
        server_ = std::make_unique<HttpServer>(std::move(options), std::move(routes),
                                               HttpServerDeps{auth, upstream, nullptr});
        Status started = server_->start();
        EXPECT_TRUE(started.ok()) << started.ToString();
    }
    ~TestServer() { server_->stop(); }

    uint16_t port() const { return server_->port(); }
    HttpServer& server() { return *server_; }

    FakeAuthenticator auth;

  private:
    std::unique_ptr<HttpServer> server_;
};

}  // namespace pinfold::http::testing
