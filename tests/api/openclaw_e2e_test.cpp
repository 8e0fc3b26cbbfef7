// End to end with the real engine: an OpenClaw gateway in its sandbox, driven over the API.
// Needs `pinfold engines install openclaw --engines-dir $PINFOLD_TEST_ENGINES_DIR` (make test
// does it); without it the test fails and says so.
#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>

#include "api/api_fixture.h"
#include "support/client/http_client.h"

namespace pinfold::testing {
namespace {

namespace json = boost::json;

std::string EnginesDir() {
    const char* dir = std::getenv("PINFOLD_TEST_ENGINES_DIR");
    return dir ? dir : "";
}

class OpenClawEndToEnd : public ApiTest {
  protected:
    ServerOptions serverOptions() override {
        ServerOptions options;
        options.extraArgs = {"--engines-dir", EnginesDir()};
        return options;
    }
    void SetUp() override {
        ASSERT_FALSE(EnginesDir().empty())
            << "set PINFOLD_TEST_ENGINES_DIR and run: pinfold engines install openclaw "
               "--engines-dir $PINFOLD_TEST_ENGINES_DIR (make test does both)";
        ApiTest::SetUp();
    }
};

TEST_F(OpenClawEndToEnd, CreateRunExecReadProxyRestartDelete) {
    auto engines = api->get("/v0/agents/engines");
    ASSERT_EQ(engines.json.at("engines").as_array()[0].at("installed").as_bool(), true)
        << "OpenClaw is not installed in " << EnginesDir();

    auto created = api->post(
        "/v0/agents", json::object{{"name", "Claw"}, {"vibe", "helpful"}, {"emoji", "🦞"}});
    ASSERT_EQ(created.status, 201) << created.body;
    std::string id(created.json.at("agent").at("agentId").as_string());
    EXPECT_EQ(created.json.at("agent").at("engine").as_string(), "openclaw");
    EXPECT_EQ(created.json.at("agent").at("agentVersion").as_string(), "2026.9.6");
    waitForStatus(id, "running", 120);

    auto ls = exec(id, "ls /home/node/clawd/workspace");
    ASSERT_EQ(ls.status, 200) << ls.body;
    EXPECT_NE(std::string(ls.json.at("stdout").as_string()).find("IDENTITY.md"), std::string::npos)
        << ls.body;
    EXPECT_EQ(exec(id, "id -u").json.at("stdout").as_string(), "1000\n");

    auto identity = api->get("/v0/agents/" + id + "/files?path=workspace/IDENTITY.md");
    ASSERT_EQ(identity.status, 200);
    EXPECT_NE(identity.body.find("- **Name:** Claw\n"), std::string::npos) << identity.body;

    // The gateway's Control UI, through the agent's own host.
    std::string token = gatewayToken(id);
    ApiClient host(server->port(), "", agentHost(id));
    auto ui = host.get("/?token=" + token);
    EXPECT_EQ(ui.status, 200) << ui.body.substr(0, 300);
    EXPECT_NE(ui.headers["content-type"].find("text/html"), std::string::npos);
    EXPECT_EQ(ui.headers["set-cookie"], "gw_token=" + token + "; Path=/; HttpOnly; SameSite=Lax");
    // Its WebSocket (chat, Control UI) through the same host: the gateway opens with a challenge.
    {
        WebSocketClient ws;
        auto opened = ws.connect("127.0.0.1", server->port(), "/",
                                 {{"Host", agentHost(id)},
                                  {"Cookie", "gw_token=" + token},
                                  {"Origin", "http://" + agentHost(id)}});
        ASSERT_TRUE(opened.ok) << opened.status << " " << opened.body << opened.error;
        auto first = ws.readText(std::chrono::seconds(10));
        ASSERT_TRUE(first.has_value());
        EXPECT_NE(first->find("\"event\":\"connect.challenge\""), std::string::npos) << *first;
    }
    auto health = host.get("/healthz", {{"Cookie", "gw_token=" + token}});
    EXPECT_EQ(health.status, 200);
    EXPECT_EQ(health.json.at("ok").as_bool(), true);
    EXPECT_EQ(host.get("/healthz").status, 401);

    auto logs = api->get("/v0/agents/" + id + "/logs");
    EXPECT_FALSE(std::string(logs.json.at("logs").as_string()).empty());

    auto restarted = api->post("/v0/agents/" + id + "/restart", json::object{});
    ASSERT_EQ(restarted.status, 200) << restarted.body;
    waitForStatus(id, "running", 120);
    auto after = exec(id, "head -1 IDENTITY.md");
    ASSERT_EQ(after.status, 200) << after.body;
    EXPECT_EQ(after.json.at("stdout").as_string(), "# IDENTITY.md - Who Am I?\n");

    auto deleted = api->del("/v0/agents/" + id);
    EXPECT_EQ(deleted.status, 200);
    EXPECT_EQ(api->get("/v0/agents/" + id).status, 404);
}

}  // namespace
}  // namespace pinfold::testing
