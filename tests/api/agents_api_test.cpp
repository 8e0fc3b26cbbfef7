// Black-box tests of §1 (agents) over HTTP against the real binary.
#include <boost/json.hpp>
#include <chrono>
#include <thread>

#include "api/api_fixture.h"

namespace pinfold::testing {
namespace {

namespace json = boost::json;

class AgentsApi : public ApiTest {};

TEST_F(AgentsApi, HealthzAnswersWithoutAuth) {
    auto r = anonymous->get("/healthz");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, R"({"ok":true})");
    EXPECT_FALSE(r.headers["x-request-id"].empty());
}

TEST_F(AgentsApi, EmptyListShowsLimit) {
    auto r = api->get("/v0/agents");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json.at("agents").as_array().size(), 0u);
    EXPECT_EQ(r.json.at("agentLimit").as_int64(), 10);
    EXPECT_TRUE(r.json.at("timeCredits").is_null());
}

TEST_F(AgentsApi, CreateReturns201WithTheAgentAndItBecomesRunning) {
    auto r = api->post("/v0/agents", json::object{{"name", "Researcher"},
                                                  {"description", "Finds things"},
                                                  {"vibe", "curious"},
                                                  {"emoji", "🔎"},
                                                  {"engine", "test-http"}});
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.json.at("success").as_bool(), true);
    const auto& agent = r.json.at("agent").as_object();
    std::string id(agent.at("agentId").as_string());
    ASSERT_EQ(id.size(), 8u);
    EXPECT_EQ(id[0], 'x');
    for (char c : id)
        EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) << id;
    EXPECT_EQ(agent.at("name").as_string(), "Researcher");
    EXPECT_EQ(agent.at("description").as_string(), "Finds things");
    EXPECT_EQ(agent.at("vibe").as_string(), "curious");
    EXPECT_EQ(agent.at("emoji").as_string(), "🔎");
    EXPECT_EQ(agent.at("engine").as_string(), "test-http");
    EXPECT_EQ(agent.at("agentVersion").as_string(), "1.0.0");
    EXPECT_EQ(agent.at("gatewayToken").as_string().size(), 36u);
    EXPECT_EQ(agent.at("userId").as_string().size(), 36u);
    std::string status(agent.at("status").as_string());
    EXPECT_TRUE(status == "starting" || status == "running") << status;

    waitForStatus(id, "running");
    auto detail = api->get("/v0/agents/" + id);
    ASSERT_EQ(detail.status, 200);
    EXPECT_EQ(detail.json.at("processStatus").as_string(), "running");
    EXPECT_TRUE(detail.json.at("processId").is_string());
    EXPECT_EQ(detail.json.at("skills").as_array().size(), 0u);
    EXPECT_EQ(detail.json.at("secrets").as_array().size(), 0u);
    EXPECT_EQ(detail.json.at("snapshots").as_array().size(), 0u);
    EXPECT_EQ(detail.json.at("portForwarding").as_array().size(), 0u);

    auto list = api->get("/v0/agents");
    ASSERT_EQ(list.json.at("agents").as_array().size(), 1u);
    EXPECT_EQ(list.json.at("agents").as_array()[0].at("agentId").as_string(), id);
}

TEST_F(AgentsApi, IdentityFileIsWrittenFromTheAgentsFields) {
    auto r = api->post("/v0/agents", json::object{{"name", "Ada"},
                                                  {"vibe", "precise"},
                                                  {"emoji", "🧮"},
                                                  {"description", "Counts."},
                                                  {"engine", "test-http"}});
    ASSERT_EQ(r.status, 201) << r.body;
    std::string id(r.json.at("agent").at("agentId").as_string());
    auto file = api->get("/v0/agents/" + id + "/files?path=workspace/IDENTITY.md");
    ASSERT_EQ(file.status, 200) << file.body;
    EXPECT_EQ(file.body,
              "# IDENTITY.md - Who Am I?\n\n- **Name:** Ada\n- **Vibe:** precise\n"
              "- **Emoji:** 🧮\n\nCounts.\n");
    EXPECT_EQ(file.headers["content-type"], "text/markdown; charset=utf-8");
}

struct BadCreate {
    const char* body;
    int status;
    const char* error;
};

TEST_F(AgentsApi, CreateRefusesBadInputWithTheFieldNamed) {
    std::string longName(101, 'a');
    std::string longVibe(201, 'v');
    std::string longEmoji(33, 'e');
    std::string longDescription(10001, 'd');
    const BadCreate cases[] = {
        {"{}", 400, "Validation failed: name is required"},
        {R"({"name": null})", 400, "Validation failed: name is required"},
        {R"({"name": 42})", 400, "Validation failed: name must be a string"},
        {R"({"name": ""})", 400, "Validation failed: name is required"},
        {R"({"name": "   "})", 400, "Validation failed: name is required"},
        {R"({"name": "a\u0007b"})", 400,
         "Validation failed: name must not contain control characters"},
        {R"({"name": "ok", "vibe": 3})", 400, "Validation failed: vibe must be a string"},
        {R"({"name": "ok", "engine": "nope"})", 400, "Unknown engine: nope"},
        {R"({"name": "ok", "engine": ["openclaw"]})", 400,
         "Validation failed: engine must be a string"},
        {R"({"name": "ok", "secretIds": "abc"})", 400,
         "Validation failed: secretIds must be an array of strings"},
        {"[1,2]", 400, "Invalid JSON body"},
        {"{not json", 400, "Invalid JSON body"},
    };
    for (const auto& c : cases) {
        auto r = api->post("/v0/agents", std::string(c.body));
        EXPECT_EQ(r.status, c.status) << c.body;
        EXPECT_EQ(r.error(), c.error) << c.body;
    }
    auto tooLong = [&](const char* field, const std::string& value, const char* error) {
        json::object body{{"name", "ok"}};
        body[field] = value;
        auto r = api->post("/v0/agents", body);
        EXPECT_EQ(r.status, 400) << field;
        EXPECT_EQ(r.error(), error);
    };
    tooLong("name", longName, "Validation failed: name must be at most 100 characters");
    tooLong("vibe", longVibe, "Validation failed: vibe must be at most 200 characters");
    tooLong("emoji", longEmoji, "Validation failed: emoji must be at most 32 characters");
    tooLong("description", longDescription,
            "Validation failed: description must be at most 10000 characters");
    EXPECT_EQ(api->get("/v0/agents").json.at("agents").as_array().size(), 0u);
}

TEST_F(AgentsApi, NameLimitCountsCharactersNotBytes) {
    std::string name;
    for (int i = 0; i < 100; ++i)
        name += "é";  // 100 characters, 200 bytes
    auto r = api->post("/v0/agents", json::object{{"name", name}, {"engine", "test-http"}});
    EXPECT_EQ(r.status, 201) << r.body;
}

TEST_F(AgentsApi, OversizeBodyIs413) {
    std::string big = R"({"name":"x","description":")" + std::string(70 * 1024, 'a') + "\"}";
    auto r = api->post("/v0/agents", big);
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(r.error(), "Request body too large");
}

TEST_F(AgentsApi, UnknownAndMalformedIdsAre404) {
    for (const char* id : {"xaaaaaaa", "nothere", "x%2e%2e", "XABCDEFG"}) {
        auto r = api->get(std::string("/v0/agents/") + id);
        EXPECT_EQ(r.status, 404) << id;
    }
    EXPECT_EQ(api->get("/v0/agents/xaaaaaaa").error(), "Agent not found");
    EXPECT_EQ(api->del("/v0/agents/xaaaaaaa").status, 404);
    EXPECT_EQ(api->post("/v0/agents/xaaaaaaa/restart", json::object{}).status, 404);
    EXPECT_EQ(api->get("/v0/agents/xaaaaaaa/logs").status, 404);
}

TEST_F(AgentsApi, AnotherWorkspacesAgentIsNotFound) {
    std::string id = createRunningAgent();
    ApiClient other(server->port(), server->createKey("other"));
    for (auto r :
         {other.get("/v0/agents/" + id), other.del("/v0/agents/" + id),
          other.post("/v0/agents/" + id + "/restart", json::object{}),
          other.get("/v0/agents/" + id + "/logs"), other.get("/v0/agents/" + id + "/gateway-token"),
          other.post("/v0/agents/" + id + "/gateway-token/rotate", json::object{}),
          other.get("/v0/agents/" + id + "/available-agent-versions"),
          other.post("/v0/agents/" + id + "/console/exec", json::object{{"command", "id"}}),
          other.get("/v0/agents/" + id + "/files?path=workspace/IDENTITY.md")}) {
        EXPECT_EQ(r.status, 404) << r.body;
        EXPECT_EQ(r.error(), "Agent not found");
    }
    EXPECT_EQ(other.get("/v0/agents").json.at("agents").as_array().size(), 0u);
    EXPECT_EQ(api->get("/v0/agents/" + id).status, 200);
}

class LimitedAgentsApi : public ApiTest {
    ServerOptions serverOptions() override {
        ServerOptions options;
        options.extraArgs = {"--agent-limit", "1"};
        return options;
    }
};

TEST_F(LimitedAgentsApi, CreatingPastTheLimitIs403) {
    auto first = api->post("/v0/agents", json::object{{"name", "a"}, {"engine", "test-http"}});
    ASSERT_EQ(first.status, 201);
    auto second = api->post("/v0/agents", json::object{{"name", "b"}, {"engine", "test-http"}});
    EXPECT_EQ(second.status, 403);
    EXPECT_EQ(second.error(), "Agent limit reached");
    EXPECT_EQ(api->get("/v0/agents").json.at("agentLimit").as_int64(), 1);
    // The limit is per workspace.
    ApiClient other(server->port(), server->createKey("other"));
    EXPECT_EQ(other.post("/v0/agents", json::object{{"name", "c"}, {"engine", "test-http"}}).status,
              201);
}

TEST_F(AgentsApi, DeleteRemovesTheAgentAndItsIdIsNotReused) {
    std::string id = createRunningAgent();
    std::string pid(api->get("/v0/agents/" + id).json.at("processId").as_string());
    auto r = api->del("/v0/agents/" + id);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json.at("success").as_bool(), true);
    EXPECT_EQ(r.json.at("message").as_string(), "Agent " + id + " deleted");
    EXPECT_EQ(api->get("/v0/agents/" + id).status, 404);
    EXPECT_EQ(api->del("/v0/agents/" + id).status, 404);
    EXPECT_EQ(api->get("/v0/agents").json.at("agents").as_array().size(), 0u);
    int code = 0;
    std::string left = RunShell("ls " + server->dataDir() + "/agents", &code);
    EXPECT_EQ(left, "");
    // The engine does not survive it.
    EXPECT_EQ(RunShell("test -e /proc/" + pid + " && echo alive || echo gone"), "gone\n");
}

TEST_F(AgentsApi, RestartReportsThePreviousProcessAndRunsAgain) {
    std::string id = createRunningAgent();
    std::string pid(api->get("/v0/agents/" + id).json.at("processId").as_string());
    auto r = api->post("/v0/agents/" + id + "/restart", json::object{});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json.at("success").as_bool(), true);
    EXPECT_EQ(r.json.at("previousProcessId").as_string(), pid);
    waitForStatus(id, "running");
    EXPECT_NE(api->get("/v0/agents/" + id).json.at("processId").as_string(), pid);
}

TEST_F(AgentsApi, RestartWithAVersionSwitchesOrRefuses) {
    std::string id = createRunningAgent();
    auto bad = api->post("/v0/agents/" + id + "/restart", json::object{{"version", "9.9.9"}});
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(bad.error(), "Invalid version");
    auto good = api->post("/v0/agents/" + id + "/restart", json::object{{"version", "0.9.0"}});
    EXPECT_EQ(good.status, 200) << good.body;
    EXPECT_EQ(api->get("/v0/agents/" + id).json.at("agent").at("agentVersion").as_string(),
              "0.9.0");
    // The official CLI sends no body at all, or `null`.
    EXPECT_EQ(api->post("/v0/agents/" + id + "/restart", std::string("null")).status, 200);
    EXPECT_EQ(api->post("/v0/agents/" + id + "/restart", std::string("")).status, 200);
}

TEST_F(AgentsApi, LogsShowTheEnginesOutput) {
    std::string id = createRunningAgent();
    auto r = api->get("/v0/agents/" + id + "/logs");
    ASSERT_EQ(r.status, 200);
    std::string logs(r.json.at("logs").as_string());
    EXPECT_NE(logs.find("test engine listening on 18789"), std::string::npos) << logs;
}

TEST_F(AgentsApi, EnginesListsBuiltInsAndTheFilesEntries) {
    auto r = api->get("/v0/agents/engines");
    ASSERT_EQ(r.status, 200) << r.body;
    std::vector<std::string> ids;
    for (const auto& e : r.json.at("engines").as_array())
        ids.emplace_back(e.at("id").as_string());
    EXPECT_EQ(ids.front(), "openclaw");
    EXPECT_NE(std::find(ids.begin(), ids.end(), "test-http"), ids.end());
    EXPECT_EQ(r.json.at("engines").as_array()[0].at("label").as_string(), "OpenClaw");
}

TEST_F(AgentsApi, AvailableVersionsShowsTheAgentsEngine) {
    std::string id = createRunningAgent();
    auto r = api->get("/v0/agents/" + id + "/available-agent-versions");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json.at("currentVersion").as_string(), "1.0.0");
    EXPECT_EQ(r.json.at("engine").as_string(), "test-http");
    EXPECT_EQ(json::serialize(r.json.at("availableVersions")), R"(["1.0.0","0.9.0"])");
    EXPECT_TRUE(r.json.at("availableVersionsPerEngine").as_object().contains("openclaw"));
}

TEST_F(AgentsApi, CrashingEngineIsRestartedWithBackoffVisibleInLogs) {
    auto r = api->post("/v0/agents", json::object{{"name", "crashy"}, {"engine", "test-crash"}});
    ASSERT_EQ(r.status, 201) << r.body;
    std::string id(r.json.at("agent").at("agentId").as_string());
    std::string logs;
    for (int i = 0; i < 100; ++i) {
        logs = std::string(api->get("/v0/agents/" + id + "/logs").json.at("logs").as_string());
        if (logs.find("restarting in") != std::string::npos)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_NE(logs.find("engine exited with code 1"), std::string::npos) << logs;
    EXPECT_NE(logs.find("restarting in"), std::string::npos) << logs;
    auto exec = api->post("/v0/agents/" + id + "/console/exec", json::object{{"command", "true"}});
    EXPECT_EQ(exec.status, 409);
    EXPECT_EQ(exec.error(), "Agent is not running");
}

TEST_F(AgentsApi, AgentsSurviveAServerRestart) {
    std::string id = createRunningAgent();
    ASSERT_EQ(exec(id, "echo kept > keep.txt").status, 200);
    server->restart();
    waitForStatus(id, "running");
    auto file = api->get("/v0/agents/" + id + "/files?path=workspace/keep.txt");
    EXPECT_EQ(file.status, 200);
    EXPECT_EQ(file.body, "kept\n");
    auto logs = api->get("/v0/agents/" + id + "/logs");
    EXPECT_NE(std::string(logs.json.at("logs").as_string()).find("test engine listening"),
              std::string::npos);
}

}  // namespace
}  // namespace pinfold::testing
