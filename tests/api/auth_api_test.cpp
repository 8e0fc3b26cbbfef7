// Black-box tests of authentication: API keys (JWT) and gateway tokens on both hosts.
#include <boost/json.hpp>
#include <chrono>
#include <thread>

#include "api/api_fixture.h"
#include "support/client/http_client.h"

namespace pinfold::testing {
namespace {

namespace json = boost::json;

class AuthApi : public ApiTest {};

TEST_F(AuthApi, MissingOrBadCredentialsAre401) {
    auto none = anonymous->get("/v0/agents");
    EXPECT_EQ(none.status, 401);
    EXPECT_EQ(none.error(), "Missing authorization");
    ApiClient garbage(server->port(), "not-a-token");
    EXPECT_EQ(garbage.get("/v0/agents").status, 401);
    EXPECT_EQ(garbage.get("/v0/agents").error(), "Invalid token");
    // Right shape, wrong signature.
    std::string forged =
        jwt.substr(0, jwt.rfind('.') + 1) + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    ApiClient forger(server->port(), forged);
    EXPECT_EQ(forger.get("/v0/agents").status, 401);
    EXPECT_EQ(forger.get("/v0/agents").error(), "Invalid token");
    // alg "none" with the real claims and no signature.
    std::string payload = jwt.substr(jwt.find('.') + 1, jwt.rfind('.') - jwt.find('.') - 1);
    ApiClient algNone(server->port(), "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + payload + ".");
    EXPECT_EQ(algNone.get("/v0/agents").status, 401);
    // Basic auth is not an API key.
    EXPECT_EQ(anonymous->get("/v0/agents", {{"Authorization", "Basic dXNlcjpwYXNz"}}).status, 401);
}

TEST_F(AuthApi, RevokedKeyStopsWorkingAtOnce) {
    ASSERT_EQ(api->get("/v0/agents").status, 200);
    std::string keys = RunShell(PinfoldBinary() + " keys list --data " + server->dataDir() +
                                " --workspace default");
    std::string keyId = keys.substr(0, keys.find(' '));
    ASSERT_EQ(keyId.size(), 36u) << keys;
    int code = 0;
    RunShell(PinfoldBinary() + " keys revoke --data " + server->dataDir() + " " + keyId, &code);
    ASSERT_EQ(code, 0);
    auto r = api->get("/v0/agents");
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.error(), "Token revoked");
}

TEST_F(AuthApi, ExpiredKeyIs401) {
    // Five seconds: long enough to be used once even in a slow (sanitised) build.
    std::string out = RunShell(PinfoldBinary() + " keys create --data " + server->dataDir() +
                               " --workspace default --ttl 5 2>/dev/null");
    out.pop_back();
    ApiClient shortLived(server->port(), out.substr(out.find_last_of('\n') + 1));
    EXPECT_EQ(shortLived.get("/v0/agents").status, 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(6100));
    auto r = shortLived.get("/v0/agents");
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.error(), "Token expired");
}

TEST_F(AuthApi, KeysCreateRefusesABadWorkspaceName) {
    int code = 0;
    std::string err = RunShell(PinfoldBinary() + " keys create --data " + server->dataDir() +
                                   " --workspace 'a b' 2>&1 >/dev/null",
                               &code);
    EXPECT_EQ(code, 1);
    EXPECT_EQ(err,
              "pinfold keys: Workspace name must be 1-64 characters of letters, digits, '.', '_' "
              "or '-'\n");
}

TEST_F(AuthApi, GatewayTokenWorksOnGwRoutesOfTheManagementHost) {
    std::string id = createRunningAgent();
    std::string token = gatewayToken(id);
    ASSERT_EQ(token.size(), 36u);
    ApiClient gw(server->port(), token);
    EXPECT_EQ(gw.get("/v0/agents/" + id).status, 200);
    EXPECT_EQ(gw.get("/v0/agents/" + id + "/logs").status, 200);
    // JWT-only routes refuse it.
    EXPECT_EQ(gw.get("/v0/agents").status, 401);
    EXPECT_EQ(gw.get("/v0/agents/" + id + "/gateway-token").status, 401);
    EXPECT_EQ(gw.del("/v0/agents/" + id).status, 401);
    // It opens only its own agent.
    std::string other = createRunningAgent("second");
    EXPECT_EQ(gw.get("/v0/agents/" + other).status, 401);
}

TEST_F(AuthApi, AgentHostTakesTheTokenAsBearerQueryOrCookie) {
    std::string id = createRunningAgent();
    std::string token = gatewayToken(id);
    ApiClient host(server->port(), "", agentHost(id));
    EXPECT_EQ(host.get("/v0/agents/" + id, {{"Authorization", "Bearer " + token}}).status, 200);
    EXPECT_EQ(host.get("/v0/agents/" + id + "?token=" + token).status, 200);
    EXPECT_EQ(host.get("/v0/agents/" + id, {{"Cookie", "a=b; gw_token=" + token}}).status, 200);
    auto missing = host.get("/v0/agents/" + id);
    EXPECT_EQ(missing.status, 401);
    EXPECT_EQ(missing.error(), "Missing gateway token");
    auto wrong = host.get("/v0/agents/" + id + "?token=00000000-0000-0000-0000-000000000000");
    EXPECT_EQ(wrong.status, 401);
    EXPECT_EQ(wrong.error(), "Invalid gateway token");
    // The workspace's API key is not a gateway token.
    EXPECT_EQ(host.get("/v0/agents/" + id, {{"Authorization", "Bearer " + jwt}}).status, 401);
    // Another agent's id on this agent's host does not exist here.
    EXPECT_EQ(host.get("/v0/agents/xzzzzzzz?token=" + token).status, 404);
    // Upper-case host names are the same host.
    std::string upper = agentHost(id);
    for (char& c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    ApiClient upperHost(server->port(), "", upper);
    EXPECT_EQ(upperHost.get("/v0/agents/" + id + "?token=" + token).status, 200);
}

TEST_F(AuthApi, RotatedTokenStopsWorkingAtOnceAndTheNewOneWorks) {
    std::string id = createRunningAgent();
    std::string old = gatewayToken(id);
    auto r = api->post("/v0/agents/" + id + "/gateway-token/rotate", json::object{});
    ASSERT_EQ(r.status, 200) << r.body;
    std::string fresh(r.json.at("gatewayToken").as_string());
    EXPECT_NE(fresh, old);
    EXPECT_EQ(gatewayToken(id), fresh);
    ApiClient host(server->port(), "", agentHost(id));
    auto stale = host.get("/v0/agents/" + id + "?token=" + old);
    EXPECT_EQ(stale.status, 401);
    EXPECT_EQ(host.get("/v0/agents/" + id + "?token=" + fresh).status, 200);
    // The engine was restarted with the new token (the test engine prints what it got).
    waitForStatus(id, "running");
    auto env = exec(id, "cat /proc/2/environ | tr '\\0' '\\n' | grep ^GATEWAY_TOKEN=");
    EXPECT_EQ(env.json.at("stdout").as_string(), "GATEWAY_TOKEN=" + fresh + "\n");
}

TEST_F(AuthApi, OpenApiDocumentsEveryRouteTheRouterServes) {
    auto doc = anonymous->get("/openapi");
    ASSERT_EQ(doc.status, 200);
    EXPECT_EQ(std::string(doc.json.at("openapi").as_string()).substr(0, 3), "3.1");
    const auto& paths = doc.json.at("paths").as_object();
    EXPECT_TRUE(paths.contains("/v0/agents/{agentId}/console/exec"));
    int checked = 0;
    for (const auto& [path, item] : paths) {
        std::string target(path);
        size_t open;
        while ((open = target.find('{')) != std::string::npos) {
            target.replace(open, target.find('}') - open + 1, "xaaaaaaa");
        }
        for (const auto& [method, op] : item.as_object()) {
            if (method == "parameters")
                continue;
            std::string m(method);
            http::Method verb = m == "get"    ? http::Method::kGet
                                : m == "post" ? http::Method::kPost
                                : m == "put"  ? http::Method::kPut
                                              : http::Method::kDelete;
            auto r = anonymous->send(verb, target, "", {});
            // The router knows every documented route: never "Not found" or 405.
            EXPECT_NE(r.error(), "Not found") << m << " " << target;
            EXPECT_NE(r.status, 405) << m << " " << target;
            ++checked;
        }
    }
    EXPECT_GE(checked, 14);
}

TEST_F(AuthApi, ACookieAloneNeverAuthorisesAChangeFromAnotherOrigin) {
    std::string id = createRunningAgent();
    std::string token = gatewayToken(id);
    ApiClient host(server->port(), "", agentHost(id));
    std::string exec = "/v0/agents/" + id + "/console/exec";
    std::string body = R"({"command":"echo ran"})";
    std::string cookie = "gw_token=" + token;
    // Another agent's page (same site, other origin), a foreign site, and no Origin at all.
    for (const std::string& origin :
         {std::string("http://xother00.agents.localhost:") + std::to_string(server->port()),
          std::string("http://evil.example"), std::string()}) {
        std::map<std::string, std::string> headers{{"Cookie", cookie},
                                                   {"Content-Type", "text/plain"}};
        if (!origin.empty())
            headers["Origin"] = origin;
        auto r = host.post(exec, body, headers);
        EXPECT_EQ(r.status, 403) << origin;
        EXPECT_EQ(r.error(),
                  "Cross-origin request refused: send the gateway token as a Bearer header, or "
                  "make the request from this agent's own pages")
            << origin;
    }
    // The agent's own page may, and reads need no Origin.
    auto own = host.post(exec, body, {{"Cookie", cookie}, {"Origin", "http://" + agentHost(id)}});
    EXPECT_EQ(own.status, 200) << own.body;
    EXPECT_EQ(own.json.at("stdout").as_string(), "ran\n");
    EXPECT_EQ(host.get("/v0/agents/" + id, {{"Cookie", cookie}}).status, 200);
    // The same rule holds on the management host.
    auto management =
        anonymous->post(exec, body, {{"Cookie", cookie}, {"Origin", "http://evil.example"}});
    EXPECT_EQ(management.status, 403);
    // A wrong cookie is still just a wrong token.
    EXPECT_EQ(host.post(exec, body, {{"Cookie", "gw_token=nope"}}).status, 401);
}

TEST_F(AuthApi, ApiPathsOnAnAgentHostAreNeverHandedToTheEngine) {
    std::string id = createRunningAgent();
    std::string token = gatewayToken(id);
    ApiClient host(server->port(), "", agentHost(id));
    auto jwtOnly = host.get("/v0/agents/" + id + "/gateway-token?token=" + token);
    EXPECT_EQ(jwtOnly.status, 404);
    EXPECT_EQ(jwtOnly.error(), "Not found");
    EXPECT_EQ(host.get("/v0/secrets?token=" + token).status, 404);
}

TEST_F(AuthApi, TwoHostHeadersAreRefused) {
    RawConnection raw("127.0.0.1", server->port());
    ASSERT_TRUE(raw.send(
        "GET /healthz HTTP/1.1\r\nHost: xaaaaaaa.agents.localhost\r\nHost: 127.0.0.1\r\n\r\n"));
    std::string reply = raw.readUntilClosed();
    EXPECT_EQ(reply.substr(0, 24), "HTTP/1.1 400 Bad Request");
    EXPECT_NE(reply.find(R"({"error":"Bad request: more than one Host header"})"),
              std::string::npos)
        << reply;
}

}  // namespace
}  // namespace pinfold::testing
