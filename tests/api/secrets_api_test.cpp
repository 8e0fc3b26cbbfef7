// Black-box tests of §4 (secrets): the vault, attaching secrets to agents, the engine's
// environment, and the cases of ../shared/cases/README.md ("Secrets"): a secret's value reaches
// the engine and the caller's own exec output, and nothing else — no response, log line, error
// or file of the server's.
#include <sys/stat.h>

#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "api/api_fixture.h"
#include "support/temp_dir.h"

namespace pinfold::testing {
namespace {

namespace json = boost::json;

const std::string kCanary = "sk-canary-7f3e9";

std::string Text(const json::value& v) {
    return v.is_string() ? std::string(v.get_string()) : json::serialize(v);
}

class SecretsApi : public ApiTest {
  protected:
    // The new secret's id; fails the test unless it was created.
    std::string createSecret(const std::string& name, const std::string& value,
                             const std::string& type = "secret") {
        auto r = api->post("/v0/secrets",
                           json::object{{"name", name}, {"value", value}, {"type", type}});
        EXPECT_EQ(r.status, 201) << r.body;
        if (r.status != 201)
            return "";
        return std::string(r.json.at("secret").at("id").as_string());
    }
    json::array agentSecrets(const std::string& agentId) {
        auto r = api->get("/v0/agents/" + agentId);
        EXPECT_EQ(r.status, 200) << r.body;
        return r.json.at("secrets").as_array();
    }
    std::string agentLogs(const std::string& agentId) {
        auto r = api->get("/v0/agents/" + agentId + "/logs");
        EXPECT_EQ(r.status, 200) << r.body;
        return std::string(r.json.at("logs").as_string());
    }
    // The logs once they hold `text` (the engine's lines arrive a moment after it prints them).
    std::string waitForLogLine(const std::string& agentId, const std::string& text) {
        std::string logs;
        for (int i = 0; i < 100; ++i) {
            logs = agentLogs(agentId);
            if (logs.find(text) != std::string::npos)
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return logs;
    }
    void restartAndWait(const std::string& agentId) {
        auto r = api->post("/v0/agents/" + agentId + "/restart", json::object{});
        ASSERT_EQ(r.status, 200) << r.body;
        waitForStatus(agentId, "running");
    }
    // Every file of the server's data folder that holds `text`, agents' homes left out.
    std::string serverFilesContaining(const std::string& text) {
        return RunShell("grep -rlF --exclude-dir=home -e '" + text + "' '" + server->dataDir() +
                        "' 2>/dev/null");
    }
};

TEST_F(SecretsApi, CreateListUpdateAndDelete) {
    auto created = api->post("/v0/secrets", json::object{{"name", "API_KEY"}, {"value", kCanary}});
    ASSERT_EQ(created.status, 201) << created.body;
    const json::object& secret = created.json.at("secret").as_object();
    EXPECT_EQ(created.json.at("success"), true);
    EXPECT_EQ(secret.at("name"), "API_KEY");
    EXPECT_EQ(secret.at("type"), "secret");
    EXPECT_EQ(secret.at("id").as_string().size(), 36u);
    EXPECT_EQ(secret.at("userId").as_string().size(), 36u);
    EXPECT_EQ(secret.at("createdAt"), secret.at("updatedAt"));
    EXPECT_FALSE(secret.contains("value"));
    std::string id(secret.at("id").as_string());

    auto variable =
        api->post("/v0/secrets",
                  json::object{{"name", "REGION"}, {"value", "eu-west"}, {"type", "variable"}});
    ASSERT_EQ(variable.status, 201) << variable.body;
    EXPECT_EQ(variable.json.at("secret").at("value"), "eu-west");

    auto list = api->get("/v0/secrets");
    ASSERT_EQ(list.status, 200);
    EXPECT_EQ(list.json.at("secretLimit"), 100);
    const json::array& secrets = list.json.at("secrets").as_array();
    ASSERT_EQ(secrets.size(), 2u);
    EXPECT_EQ(secrets[0].at("name"), "API_KEY");
    EXPECT_FALSE(secrets[0].as_object().contains("value"));
    EXPECT_EQ(secrets[0].at("agents"), json::array());
    EXPECT_EQ(secrets[1].at("name"), "REGION");
    EXPECT_EQ(secrets[1].at("value"), "eu-west");

    auto updated = api->put("/v0/secrets/" + id, json::object{{"value", kCanary + "-v2"}});
    ASSERT_EQ(updated.status, 200) << updated.body;
    EXPECT_EQ(Text(updated.json.at("secret").at("id")), id);
    EXPECT_FALSE(updated.json.at("secret").as_object().contains("value"));

    auto removed = api->del("/v0/secrets/" + id);
    EXPECT_EQ(removed.status, 200);
    EXPECT_EQ(removed.body, R"({"success":true})");
    EXPECT_EQ(api->del("/v0/secrets/" + id).error(), "Secret not found");
    EXPECT_EQ(api->get("/v0/secrets").json.at("secrets").as_array().size(), 1u);

    for (const auto& body : {created.body, list.body, updated.body})
        EXPECT_EQ(body.find("sk-canary"), std::string::npos) << body;
}

TEST_F(SecretsApi, BadInputIsRefusedWithTheField) {
    auto post = [&](const std::string& body) { return api->post("/v0/secrets", body); };
    struct Case {
        std::string body;
        int status;
        std::string error;
    };
    std::string nameRule =
        "Validation failed: name must be a valid environment variable name (letters, digits and "
        "underscores, not starting with a digit, at most 128)";
    std::vector<Case> cases = {
        {R"({"value":"v"})", 400, "Validation failed: name is required"},
        {R"({"name":"A"})", 400, "Validation failed: value is required"},
        {R"({"name":"A","value":""})", 400, "Validation failed: value is required"},
        {R"({"name":7,"value":"v"})", 400, "Validation failed: name must be a string"},
        {R"({"name":"A","value":["v"]})", 400, "Validation failed: value must be a string"},
        {R"({"name":"","value":"v"})", 400, "Validation failed: name is required"},
        {R"({"name":"1ABC","value":"v"})", 400, nameRule},
        {R"({"name":"MY-KEY","value":"v"})", 400, nameRule},
        {R"({"name":"A B","value":"v"})", 400, nameRule},
        {R"({"name":"../../etc/passwd","value":"v"})", 400, nameRule},
        {"{\"name\":\"" + std::string(129, 'A') + "\",\"value\":\"v\"}", 400, nameRule},
        {R"({"name":"GATEWAY_TOKEN","value":"v"})", 400,
         "Validation failed: name GATEWAY_TOKEN is reserved for the platform"},
        {R"({"name":"PINFOLD_AGENT_ID","value":"v"})", 400,
         "Validation failed: name PINFOLD_AGENT_ID is reserved for the platform"},
        {R"({"name":"PATH","value":"v"})", 400,
         "Validation failed: name PATH is reserved for the platform"},
        {R"({"name":"A","value":"v","type":"password"})", 400,
         "Validation failed: type must be \"secret\" or \"variable\""},
        {R"({"name":"A","value":"a\u0000b"})", 400,
         "Validation failed: value must not contain NUL bytes"},
        {"{\"name\":\"A\",\"value\":\"" + std::string(65537, 'v') + "\"}", 400,
         "Validation failed: value must be at most 65536 bytes"},
        {"[1]", 400, "Invalid JSON body"},
        {"{\"name\":", 400, "Invalid JSON body"},
    };
    for (const auto& c : cases) {
        auto r = post(c.body);
        EXPECT_EQ(r.status, c.status) << c.body.substr(0, 80) << " -> " << r.body;
        EXPECT_EQ(r.error(), c.error) << c.body.substr(0, 80);
    }
    auto huge = post("{\"name\":\"A\",\"value\":\"" + std::string(300 << 10, 'v') + "\"}");
    EXPECT_EQ(huge.status, 413);
    EXPECT_EQ(api->get("/v0/secrets").json.at("secrets"), json::array());

    createSecret("API_KEY", kCanary);
    auto duplicate =
        api->post("/v0/secrets", json::object{{"name", "API_KEY"}, {"value", kCanary}});
    EXPECT_EQ(duplicate.status, 409);
    EXPECT_EQ(duplicate.body, R"({"error":"Duplicate secret name"})");

    std::string unknown = "00000000-0000-4000-8000-000000000000";
    EXPECT_EQ(api->put("/v0/secrets/" + unknown, json::object{{"value", "v"}}).status, 404);
    auto trick = api->put("/v0/secrets/..%2F..%2Fetc", json::object{{"value", "v"}});
    EXPECT_EQ(trick.status, 400);
    EXPECT_EQ(trick.error(), "Invalid path");
    EXPECT_EQ(api->del("/v0/secrets/" + unknown).status, 404);
    auto list = api->get("/v0/secrets");
    std::string id(list.json.at("secrets").at(0).at("id").as_string());
    EXPECT_EQ(api->put("/v0/secrets/" + id, json::object{}).error(),
              "Validation failed: value is required");
    EXPECT_EQ(api->put("/v0/secrets/" + id, json::object{{"value", ""}}).error(),
              "Validation failed: value is required");
    EXPECT_EQ(anonymous->get("/v0/secrets").status, 401);
}

TEST_F(SecretsApi, AnotherWorkspaceSeesNothing) {
    std::string id = createSecret("API_KEY", kCanary);
    std::string agent = createRunningAgent();
    ApiClient other(server->port(), server->createKey("other"));
    EXPECT_EQ(other.get("/v0/secrets").json.at("secrets"), json::array());
    auto put = other.put("/v0/secrets/" + id, json::object{{"value", "stolen"}});
    EXPECT_EQ(put.status, 404);
    EXPECT_EQ(put.error(), "Secret not found");
    EXPECT_EQ(other.del("/v0/secrets/" + id).error(), "Secret not found");
    auto attach = other.post("/v0/agents/" + agent + "/secrets",
                             json::object{{"secretIds", json::array{id}}});
    EXPECT_EQ(attach.status, 404);
    EXPECT_EQ(attach.error(), "Agent not found");

    auto ownAgent =
        other.post("/v0/agents", json::object{{"name", "Theirs"}, {"engine", "test-http"}});
    ASSERT_EQ(ownAgent.status, 201) << ownAgent.body;
    std::string theirs(ownAgent.json.at("agent").at("agentId").as_string());
    auto foreignSecret = other.post("/v0/agents/" + theirs + "/secrets",
                                    json::object{{"secretIds", json::array{id}}});
    EXPECT_EQ(foreignSecret.status, 404);
    EXPECT_EQ(foreignSecret.error(), "Secret not found: " + id);
    EXPECT_EQ(other.del("/v0/agents/" + agent + "/secrets/" + id).error(), "Agent not found");
    EXPECT_EQ(api->get("/v0/agents/" + agent).json.at("secrets"), json::array());
}

// The shared case: the value reaches the engine's environment and the caller's exec, and is
// masked in every log line and absent from every file of the server's own.
TEST_F(SecretsApi, AnAttachedSecretReachesTheEngineAndNoLogOrFile) {
    std::string keyId = createSecret("API_KEY", kCanary);
    std::string printId = createSecret("TEST_ENGINE_PRINT_ENV", "API_KEY,REGION", "variable");
    std::string regionId = createSecret("REGION", "eu-west-1", "variable");
    std::string agent = createRunningAgent();

    auto attach =
        api->post("/v0/agents/" + agent + "/secrets",
                  json::object{{"secretIds", json::array{keyId, printId, regionId, keyId}}});
    ASSERT_EQ(attach.status, 200) << attach.body;
    EXPECT_EQ(attach.json.at("attached"), 3);
    json::array secrets = agentSecrets(agent);
    ASSERT_EQ(secrets.size(), 3u);
    EXPECT_EQ(secrets[0].at("name"), "API_KEY");
    EXPECT_EQ(secrets[0].at("synced"), false);
    EXPECT_EQ(exec(agent, "printf %s \"$API_KEY\"").json.at("stdout"), "");

    restartAndWait(agent);
    for (const auto& s : agentSecrets(agent))
        EXPECT_EQ(s.at("synced"), true) << s;
    // The caller asked for it: exec output carries the value.
    EXPECT_EQ(Text(exec(agent, "printf %s \"$API_KEY\"").json.at("stdout")), kCanary);
    // A file the agent writes keeps it byte for byte (redaction is for logs only).
    ASSERT_EQ(exec(agent, "printf 'key=%s\\n' \"$API_KEY\" > key.txt").json.at("exitCode"), 0);
    auto file = api->get("/v0/agents/" + agent + "/files?path=workspace/key.txt");
    EXPECT_EQ(file.status, 200);
    EXPECT_EQ(file.body, "key=" + kCanary + "\n");

    // The engine printed its environment at start, and logs a request line with the value.
    ApiClient viaHost(server->port(), gatewayToken(agent), agentHost(agent));
    EXPECT_EQ(viaHost.get("/echo?key=" + kCanary).status, 200);
    std::string logs = waitForLogLine(agent, "request GET /echo");
    EXPECT_NE(logs.find("env API_KEY=[secret:API_KEY]"), std::string::npos) << logs;
    EXPECT_NE(logs.find("env REGION=eu-west-1"), std::string::npos) << logs;
    EXPECT_NE(logs.find("request GET /echo?key=[secret:API_KEY]"), std::string::npos) << logs;
    EXPECT_EQ(logs.find(kCanary), std::string::npos) << logs;

    EXPECT_EQ(api->get("/v0/secrets").body.find(kCanary), std::string::npos);
    EXPECT_EQ(api->get("/v0/agents/" + agent).body.find(kCanary), std::string::npos);
    EXPECT_EQ(serverFilesContaining(kCanary), "");
    EXPECT_EQ(server->log().find(kCanary), std::string::npos);

    // A new value: the agent is out of sync until it restarts, then gets the new one.
    ASSERT_EQ(api->put("/v0/secrets/" + keyId, json::object{{"value", kCanary + "-v2"}}).status,
              200);
    EXPECT_EQ(agentSecrets(agent)[0].at("synced"), false);
    EXPECT_EQ(Text(exec(agent, "printf %s \"$API_KEY\"").json.at("stdout")), kCanary);
    restartAndWait(agent);
    EXPECT_EQ(agentSecrets(agent)[0].at("synced"), true);
    EXPECT_EQ(Text(exec(agent, "printf %s \"$API_KEY\"").json.at("stdout")), kCanary + "-v2");
    EXPECT_EQ(agentLogs(agent).find(kCanary), std::string::npos);
    EXPECT_EQ(serverFilesContaining(kCanary), "");
}

TEST_F(SecretsApi, AttachedSecretsCannotBeDeletedAndDetachWorks) {
    std::string id = createSecret("API_KEY", kCanary);
    std::string agent = createRunningAgent("Keeper");
    ASSERT_EQ(
        api->post("/v0/agents/" + agent + "/secrets", json::object{{"secretIds", json::array{id}}})
            .status,
        200);
    auto listed = api->get("/v0/secrets").json.at("secrets").at(0);
    EXPECT_EQ(listed.at("agents"),
              (json::array{json::object{{"agentId", agent}, {"name", "Keeper"}}}));

    auto refused = api->del("/v0/secrets/" + id);
    EXPECT_EQ(refused.status, 409);
    EXPECT_EQ(refused.error(),
              "Secret is still attached to agents: " + agent + "; detach it first");

    auto detached = api->del("/v0/agents/" + agent + "/secrets/" + id);
    EXPECT_EQ(detached.status, 200) << detached.body;
    EXPECT_EQ(detached.json.at("success"), true);
    auto again = api->del("/v0/agents/" + agent + "/secrets/" + id);
    EXPECT_EQ(again.status, 404);
    EXPECT_EQ(again.error(), "Secret is not attached to this agent");
    EXPECT_EQ(api->del("/v0/agents/xnotmine/secrets/" + id).error(), "Agent not found");
    EXPECT_EQ(api->del("/v0/secrets/" + id).status, 200);

    // Deleting an agent lets go of its secrets.
    std::string second = createSecret("OTHER_KEY", kCanary);
    ASSERT_EQ(api->post("/v0/agents/" + agent + "/secrets",
                        json::object{{"secretIds", json::array{second}}})
                  .status,
              200);
    ASSERT_EQ(api->del("/v0/agents/" + agent).status, 200);
    EXPECT_EQ(api->del("/v0/secrets/" + second).status, 200);
}

TEST_F(SecretsApi, AttachChecksItsInput) {
    std::string agent = createRunningAgent();
    std::string path = "/v0/agents/" + agent + "/secrets";
    EXPECT_EQ(api->post(path, json::object{}).error(), "Validation failed: secretIds is required");
    EXPECT_EQ(api->post(path, json::object{{"secretIds", "abc"}}).error(),
              "Validation failed: secretIds must be an array of strings");
    EXPECT_EQ(api->post(path, json::object{{"secretIds", json::array{1}}}).error(),
              "Validation failed: secretIds must be an array of strings");
    EXPECT_EQ(api->post(path, json::object{{"secretIds", json::array{}}}).error(),
              "Validation failed: secretIds must not be empty");
    auto unknown = api->post(path, json::object{{"secretIds", json::array{"nope"}}});
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(unknown.error(), "Secret not found: nope");
    // The path form of attach does not exist (the hosted API answers 404; the route exists for
    // DELETE, so 405 says which method it takes).
    EXPECT_EQ(api->post(path + "/nope", json::object{}).status, 405);
    EXPECT_EQ(
        api->post("/v0/agents/xaaaaaaa/secrets", json::object{{"secretIds", json::array{"a"}}})
            .error(),
        "Agent not found");
}

TEST_F(SecretsApi, TwoCredentialsOfOneProviderConflict) {
    std::string apiKey = createSecret("OPENAI_API_KEY", "sk-openai-123456");
    std::string oauth = createSecret("OPENAI_OAUTH_TOKEN", R"({"access_token":"at-123456"})");
    std::string agent = createRunningAgent();
    std::string path = "/v0/agents/" + agent + "/secrets";
    std::string message =
        "Conflicting secrets: OPENAI_API_KEY and OPENAI_OAUTH_TOKEN are both OpenAI credentials; "
        "attach one of them";
    auto both = api->post(path, json::object{{"secretIds", json::array{apiKey, oauth}}});
    EXPECT_EQ(both.status, 409);
    EXPECT_EQ(both.error(), message);
    ASSERT_EQ(api->post(path, json::object{{"secretIds", json::array{apiKey}}}).status, 200);
    auto second = api->post(path, json::object{{"secretIds", json::array{oauth}}});
    EXPECT_EQ(second.status, 409);
    EXPECT_EQ(second.error(), message);
    EXPECT_EQ(agentSecrets(agent).size(), 1u);
    auto create = api->post("/v0/agents", json::object{{"name", "Both"},
                                                       {"engine", "test-http"},
                                                       {"secretIds", json::array{apiKey, oauth}}});
    EXPECT_EQ(create.status, 409);
    EXPECT_EQ(create.error(), message);
}

TEST_F(SecretsApi, AnAgentCreatedWithSecretsStartsWithThem) {
    std::string id = createSecret("API_KEY", kCanary);
    auto refused = api->post("/v0/agents", json::object{{"name", "No"},
                                                        {"engine", "test-http"},
                                                        {"secretIds", json::array{id, "missing"}}});
    EXPECT_EQ(refused.status, 404);
    EXPECT_EQ(refused.error(), "Secret not found: missing");
    EXPECT_EQ(api->get("/v0/agents").json.at("agents"), json::array());

    auto created = api->post(
        "/v0/agents",
        json::object{{"name", "Yes"}, {"engine", "test-http"}, {"secretIds", json::array{id}}});
    ASSERT_EQ(created.status, 201) << created.body;
    std::string agent(created.json.at("agent").at("agentId").as_string());
    waitForStatus(agent, "running");
    json::array secrets = agentSecrets(agent);
    ASSERT_EQ(secrets.size(), 1u);
    EXPECT_EQ(Text(secrets[0].at("id")), id);
    EXPECT_EQ(secrets[0].at("synced"), true);
    EXPECT_EQ(Text(exec(agent, "printf %s \"$API_KEY\"").json.at("stdout")), kCanary);
}

TEST_F(SecretsApi, TheGatewayTokenAttachesToItsOwnAgentOnly) {
    std::string id = createSecret("API_KEY", kCanary);
    std::string agent = createRunningAgent();
    ApiClient viaHost(server->port(), gatewayToken(agent), agentHost(agent));
    auto attached = viaHost.post("/v0/agents/" + agent + "/secrets",
                                 json::object{{"secretIds", json::array{id}}});
    EXPECT_EQ(attached.status, 200) << attached.body;
    EXPECT_EQ(viaHost.get("/v0/secrets").status, 404);  // management routes are not on agent hosts
    ApiClient tokenOnManagement(server->port(), gatewayToken(agent));
    EXPECT_EQ(tokenOnManagement.get("/v0/secrets").status, 401);
}

TEST_F(SecretsApi, SecretsSurviveARestartOfTheServer) {
    std::string id = createSecret("API_KEY", kCanary);
    std::string agent = createRunningAgent();
    ASSERT_EQ(
        api->post("/v0/agents/" + agent + "/secrets", json::object{{"secretIds", json::array{id}}})
            .status,
        200);
    server->restart();
    api = std::make_unique<ApiClient>(server->port(), jwt);
    waitForStatus(agent, "running");
    EXPECT_EQ(Text(exec(agent, "printf %s \"$API_KEY\"").json.at("stdout")), kCanary);
    EXPECT_EQ(agentSecrets(agent)[0].at("synced"), true);
}

class SecretLimitApi : public SecretsApi {
  protected:
    ServerOptions serverOptions() override {
        ServerOptions options;
        options.extraArgs = {"--secret-limit", "2"};
        return options;
    }
};

TEST_F(SecretLimitApi, TheLimitIsPerWorkspace) {
    createSecret("ONE", "value-1");
    createSecret("TWO", "value-2");
    auto third = api->post("/v0/secrets", json::object{{"name", "THREE"}, {"value", "value-3"}});
    EXPECT_EQ(third.status, 403);
    EXPECT_EQ(third.error(), "Secret limit reached");
    EXPECT_EQ(api->get("/v0/secrets").json.at("secretLimit"), 2);
    ApiClient other(server->port(), server->createKey("other"));
    EXPECT_EQ(
        other.post("/v0/secrets", json::object{{"name", "THREE"}, {"value", "value-3"}}).status,
        201);
}

class MasterKeyFileApi : public ApiTest {
  protected:
    ServerOptions serverOptions() override {
        ServerOptions options;
        options.extraArgs = {"--master-key-file", keyDir.file("pinfold.key")};
        return options;
    }
    TempDir keyDir;
};

TEST_F(MasterKeyFileApi, TheKeyLivesWhereItIsToldAndSealsTheSecrets) {
    struct stat st;
    ASSERT_EQ(::stat(keyDir.file("pinfold.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_NE(::stat((server->dataDir() + "/master.key").c_str(), &st), 0);
    ASSERT_EQ(
        api->post("/v0/secrets", json::object{{"name", "API_KEY"}, {"value", kCanary}}).status,
        201);
    EXPECT_EQ(RunShell("grep -rlF -e '" + kCanary + "' '" + server->dataDir() + "'"), "");
}

}  // namespace
}  // namespace pinfold::testing
