// Black-box tests of the lifecycle scripts (spec §1 scripts/retry, §12 "Lifecycle scripts", §13
// "A successful push triggers the build script"): the manifest.json of the agent's repository
// says what runs; build runs at deploy, after a push and on retry; start after a successful build
// and at every boot; their states show in the agent's detail and their lines in its logs.
#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <functional>
#include <thread>

#include "api/api_fixture.h"
#include "crypto/base64.h"

namespace pinfold::testing {
namespace {

namespace json = boost::json;

const std::string kCanary = "sk-build-canary-5d2c1";

std::string ManifestWith(const std::string& build, const std::string& start) {
    return json::serialize(json::object{{"version", 1},
                                        {"agent", {{"name", "Scripted"}}},
                                        {"scripts", {{"build", build}, {"start", start}}}});
}

std::string Text(const json::value& v) {
    return v.is_string() ? std::string(v.get_string()) : json::serialize(v);
}

class ScriptsApi : public ApiTest {
  protected:
    // Writes /home/node/clawd/manifest.json inside the agent, as the agent.
    void writeManifest(const std::string& id, const std::string& manifest) {
        auto r = exec(id, "echo " + crypto::Base64Encode(manifest) +
                              " | base64 -d > /home/node/clawd/manifest.json");
        ASSERT_EQ(r.status, 200) << r.body;
        ASSERT_EQ(r.json.at("exitCode").as_int64(), 0) << r.body;
    }
    std::string inAgent(const std::string& id, const std::string& command) {
        auto r = exec(id, command, json::object{{"cwd", "/home/node/clawd"}});
        EXPECT_EQ(r.status, 200) << r.body;
        return r.status == 200 ? std::string(r.json.at("stdout").as_string()) : "";
    }
    json::object scripts(const std::string& id) {
        auto r = api->get("/v0/agents/" + id);
        EXPECT_EQ(r.status, 200) << r.body;
        return r.status == 200 ? r.json.at("scripts").as_object() : json::object{};
    }
    static std::string State(const json::object& scripts, const char* script) {
        return Text(scripts.at(script).at("state"));
    }
    // The agent's scripts once `done` holds for them (the last ones after 30 s).
    json::object waitForScripts(const std::string& id,
                                const std::function<bool(const json::object&)>& done) {
        json::object last;
        for (int i = 0; i < 300; ++i) {
            last = scripts(id);
            if (!last.empty() && done(last))
                return last;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        ADD_FAILURE() << "scripts never got there: " << json::serialize(last)
                      << "\nlogs: " << logs(id);
        return last;
    }
    json::object waitForStates(const std::string& id, const std::string& build,
                               const std::string& start) {
        return waitForScripts(id, [&](const json::object& s) {
            // After a failed build, start's reason is written last.
            bool reasonDue = build == "failed" && start == "pending";
            return State(s, "build") == build && State(s, "start") == start &&
                   (!reasonDue || s.at("start").at("error").is_string());
        });
    }
    // Polls until `command` run in the agent prints `expected`; returns what it printed last.
    std::string waitInAgent(const std::string& id, const std::string& command,
                            const std::string& expected) {
        std::string out;
        for (int i = 0; i < 100; ++i) {
            out = inAgent(id, command);
            if (out == expected)
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return out;
    }
    std::string logs(const std::string& id) {
        auto r = api->get("/v0/agents/" + id + "/logs");
        return r.status == 200 ? std::string(r.json.at("logs").as_string()) : r.body;
    }
    ApiResponse retry(const std::string& id) {
        return api->post("/v0/agents/" + id + "/scripts/retry", std::string());
    }
    void restartAndWait(const std::string& id) {
        auto r = api->post("/v0/agents/" + id + "/restart", json::object{});
        ASSERT_EQ(r.status, 200) << r.body;
        waitForStatus(id, "running");
    }
    // A running agent whose deploy found no manifest.json (so no build of its runs meanwhile).
    std::string plainAgent() {
        std::string id = createRunningAgent();
        waitForStates(id, "Not configured", "Not configured");
        return id;
    }
    // A running agent whose manifest.json holds these scripts, built and started by a retry.
    std::string scriptedAgent(const std::string& build, const std::string& start) {
        std::string id = plainAgent();
        writeManifest(id, ManifestWith(build, start));
        auto r = retry(id);
        EXPECT_EQ(r.status, 200) << r.body;
        return id;
    }
};

class ShortBuildsApi : public ScriptsApi {
  protected:
    ServerOptions serverOptions() override { return {{"--build-timeout", "1"}}; }
};

TEST_F(ScriptsApi, AnAgentWithoutAManifestShowsNoScriptsConfigured) {
    std::string id = createRunningAgent();
    json::object s = waitForScripts(
        id, [](const json::object& s) { return State(s, "build") == "Not configured"; });
    EXPECT_EQ(json::serialize(s),
              R"({"build":{"state":"Not configured","exitCode":null,"startedAt":null,)"
              R"("finishedAt":null,"error":"manifest.json not found"},)"
              R"("start":{"state":"Not configured","exitCode":null,"startedAt":null,)"
              R"("finishedAt":null,"error":"manifest.json not found"}})");
}

TEST_F(ScriptsApi, RetryBuildsThenStartsAProcessThatServesAPort) {
    std::string id = plainAgent();
    writeManifest(id, ManifestWith("echo built > built.txt",
                                   "exec python3 -m http.server 8080 --bind 127.0.0.1"));
    auto r = retry(id);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json.at("success"), true);
    EXPECT_EQ(r.json.at("message"), "Running build, then start");
    EXPECT_EQ(State(r.json.at("scripts").as_object(), "build"), "pending");
    EXPECT_EQ(State(r.json.at("scripts").as_object(), "start"), "pending");

    json::object s = waitForStates(id, "success", "running");
    const json::object& build = s.at("build").as_object();
    EXPECT_EQ(build.at("exitCode"), 0);
    EXPECT_TRUE(build.at("startedAt").is_string());
    EXPECT_TRUE(build.at("finishedAt").is_string());
    EXPECT_TRUE(build.at("error").is_null());
    const json::object& start = s.at("start").as_object();
    EXPECT_TRUE(start.at("exitCode").is_null());
    EXPECT_TRUE(start.at("startedAt").is_string());
    EXPECT_TRUE(start.at("finishedAt").is_null());

    std::string fetch =
        "python3 -c \"import urllib.request as u; "
        "print(u.urlopen('http://127.0.0.1:8080/built.txt').read().decode(), end='')\" 2>/dev/null";
    EXPECT_EQ(waitInAgent(id, fetch, "built\n"), "built\n");
    std::string log = logs(id);
    EXPECT_NE(log.find("INFO script/build: build started: `echo built > built.txt`"),
              std::string::npos)
        << log;
    EXPECT_NE(log.find("INFO script/build: build succeeded in "), std::string::npos) << log;
    EXPECT_NE(log.find("INFO script/start: start launched: `exec python3 -m http.server 8080"),
              std::string::npos)
        << log;
}

TEST_F(ScriptsApi, AFailedBuildShowsItsExitCodeAndStartDoesNotRun) {
    std::string id = scriptedAgent("echo compiling; exit 2", "touch /tmp/started");
    json::object s = waitForStates(id, "failed", "pending");
    EXPECT_EQ(s.at("build").at("exitCode"), 2);
    EXPECT_EQ(s.at("build").at("error"), "Exited with code 2");
    EXPECT_EQ(s.at("start").at("error"), "Not run: the build failed");
    EXPECT_EQ(inAgent(id, "test -e /tmp/started || echo absent; cat /tmp/user-build.log"),
              "absent\ncompiling\n");
    std::string log = logs(id);
    EXPECT_NE(log.find("INFO script/build: compiling\n"), std::string::npos) << log;
    EXPECT_NE(
        log.find(
            "ERROR script/build: build failed: Exited with code 2 (output in /tmp/user-build.log)"),
        std::string::npos)
        << log;
}

TEST_F(ShortBuildsApi, ABuildPastTheTimeoutIsKilledAndFails) {
    std::string id = scriptedAgent("echo $$ > /tmp/build.pid; sleep 300", "touch /tmp/started");
    json::object s = waitForStates(id, "failed", "pending");
    EXPECT_TRUE(s.at("build").at("exitCode").is_null());
    EXPECT_EQ(s.at("build").at("error"), "Timed out after 1 s");
    EXPECT_EQ(inAgent(id, "kill -0 $(cat /tmp/build.pid) 2>/dev/null || echo gone"), "gone\n");
    EXPECT_NE(logs(id).find("ERROR script/build: build timed out after 1 s; its processes were "
                            "killed (output in /tmp/user-build.log)"),
              std::string::npos);
}

TEST_F(ScriptsApi, RetryRefusesUnknownForeignAndStoppedAgents) {
    EXPECT_EQ(retry("xnothere").status, 404);
    EXPECT_EQ(retry("xnothere").error(), "Agent not found");

    std::string id = plainAgent();
    ApiClient other(server->port(), server->createKey("other"));
    auto foreign = other.post("/v0/agents/" + id + "/scripts/retry", std::string());
    EXPECT_EQ(foreign.status, 404);
    EXPECT_EQ(foreign.error(), "Agent not found");
    EXPECT_EQ(anonymous->post("/v0/agents/" + id + "/scripts/retry", std::string()).status, 401);

    auto crashing =
        api->post("/v0/agents", json::object{{"name", "crashy"}, {"engine", "test-crash"}});
    ASSERT_EQ(crashing.status, 201) << crashing.body;
    auto stopped = retry(std::string(crashing.json.at("agent").at("agentId").as_string()));
    EXPECT_EQ(stopped.status, 409);
    EXPECT_EQ(stopped.error(), "Agent is not running");
}

TEST_F(ScriptsApi, RetryRefusesAnAgentWithNoScripts) {
    std::string id = plainAgent();
    auto missing = retry(id);
    EXPECT_EQ(missing.status, 400);
    EXPECT_EQ(missing.error(), "No build or start script configured: manifest.json not found");
    writeManifest(id, ManifestWith("", ""));
    auto none = retry(id);
    EXPECT_EQ(none.status, 400);
    EXPECT_EQ(none.error(), "No build or start script configured");
    writeManifest(id, R"({"version": 1, "agent": {"name": "x"}, "scripts": {"start": ["a"]}})");
    auto invalid = retry(id);
    EXPECT_EQ(invalid.status, 400);
    EXPECT_EQ(invalid.error(),
              "No build or start script configured: manifest.json is invalid: scripts.start must "
              "be a string");
}

TEST_F(ScriptsApi, RetryWhileABuildRunsIsAConflict) {
    std::string id = scriptedAgent("sleep 300", "");
    waitForStates(id, "running", "Not configured");
    auto again = retry(id);
    EXPECT_EQ(again.status, 409);
    EXPECT_EQ(again.error(), "A build is already running");
}

TEST_F(ScriptsApi, RetryTakesTheAgentsGatewayToken) {
    std::string id = plainAgent();
    writeManifest(id, ManifestWith("", "echo started > /tmp/started"));
    ApiClient gateway(server->port(), gatewayToken(id));
    auto r = gateway.post("/v0/agents/" + id + "/scripts/retry", std::string());
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json.at("message"), "Running start");
    waitForStates(id, "Not configured", "running");
    EXPECT_EQ(waitInAgent(id, "cat /tmp/started", "started\n"), "started\n");
}

TEST_F(ScriptsApi, APushThatBringsAManifestRunsItsBuild) {
    std::string id = plainAgent();
    TempDir home, work;
    std::string url = "http://pinfold:" + gatewayToken(id) +
                      "@127.0.0.1:" + std::to_string(server->port()) + "/v0/agents/" + id + "/git";
    auto git = [&](const std::string& args) {
        int code = -1;
        std::string out = RunShell("cd '" + work.path() + "' && HOME='" + home.path() +
                                       "' GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 "
                                       "GIT_AUTHOR_NAME=T GIT_AUTHOR_EMAIL=t@example.com "
                                       "GIT_COMMITTER_NAME=T GIT_COMMITTER_EMAIL=t@example.com "
                                       "git " +
                                       args + " 2>&1",
                                   &code);
        EXPECT_EQ(code, 0) << args << ": " << out;
    };
    git("clone -q '" + url + "' clone");
    std::ofstream(work.file("clone/manifest.json"))
        << ManifestWith("echo pushed > pushed.txt", "echo started > /tmp/started");
    git("-C clone add manifest.json");
    git("-C clone commit -q -m Scripts");
    git("-C clone push -q origin main");
    waitForStates(id, "success", "running");
    EXPECT_EQ(inAgent(id, "cat pushed.txt"), "pushed\n");
    EXPECT_EQ(waitInAgent(id, "cat /tmp/started", "started\n"), "started\n");
}

TEST_F(ScriptsApi, ARestartRunsStartAgainButNotBuild) {
    std::string id = scriptedAgent("echo run >> builds.txt", "echo up >> starts.txt");
    waitForStates(id, "success", "running");
    ASSERT_EQ(waitInAgent(id, "cat starts.txt", "up\n"), "up\n");
    restartAndWait(id);
    EXPECT_EQ(waitInAgent(id, "cat starts.txt", "up\nup\n"), "up\nup\n");
    EXPECT_EQ(inAgent(id, "cat builds.txt"), "run\n");
    waitForStates(id, "success", "running");
}

TEST_F(ScriptsApi, AServerRestartRunsStartAgainButNotBuild) {
    std::string id = scriptedAgent("echo run >> builds.txt", "echo up >> starts.txt");
    waitForStates(id, "success", "running");
    ASSERT_EQ(waitInAgent(id, "cat starts.txt", "up\n"), "up\n");
    server->restart();
    waitForStatus(id, "running");
    EXPECT_EQ(waitInAgent(id, "cat starts.txt", "up\nup\n"), "up\nup\n");
    EXPECT_EQ(inAgent(id, "cat builds.txt"), "run\n");
    waitForStates(id, "success", "running");
}

TEST_F(ScriptsApi, ABuildCutShortByAServerRestartRunsAgain) {
    std::string id =
        scriptedAgent("if [ -e once ]; then echo second run; else touch once; sleep 300; fi",
                      "echo up >> starts.txt");
    waitForStates(id, "running", "pending");
    ASSERT_EQ(waitInAgent(id, "test -e once && echo sleeping", "sleeping\n"), "sleeping\n");
    server->restart();
    waitForStatus(id, "running");
    json::object s = waitForStates(id, "success", "running");
    EXPECT_EQ(s.at("build").at("exitCode"), 0);
    EXPECT_EQ(inAgent(id, "cat /tmp/user-build.log"), "second run\n");
    EXPECT_EQ(waitInAgent(id, "cat starts.txt", "up\n"), "up\n");
    EXPECT_NE(logs(id).find("WARN script/build: build interrupted: the server stopped; runs again "
                            "when the engine is back"),
              std::string::npos);
}

TEST_F(ScriptsApi, ASecretPrintedByTheBuildIsMaskedInTheLogs) {
    std::string id = plainAgent();
    auto secret =
        api->post("/v0/secrets", json::object{{"name", "BUILD_TOKEN"}, {"value", kCanary}});
    ASSERT_EQ(secret.status, 201) << secret.body;
    auto attached = api->post(
        "/v0/agents/" + id + "/secrets",
        json::object{{"secretIds", json::array{secret.json.at("secret").at("id").as_string()}}});
    ASSERT_EQ(attached.status, 200) << attached.body;
    restartAndWait(id);
    writeManifest(id, ManifestWith("echo \"token is $BUILD_TOKEN\"", ""));
    ASSERT_EQ(retry(id).status, 200);
    waitForStates(id, "success", "Not configured");
    std::string log = logs(id);
    EXPECT_NE(log.find("INFO script/build: token is [secret:BUILD_TOKEN]\n"), std::string::npos)
        << log;
    EXPECT_EQ(log.find(kCanary), std::string::npos) << log;
    // The agent's own file keeps what its build printed.
    EXPECT_EQ(inAgent(id, "cat /tmp/user-build.log"), "token is " + kCanary + "\n");
}

TEST_F(ScriptsApi, DeletingAnAgentWhileItBuildsWorks) {
    std::string id = scriptedAgent("sleep 300", "");
    waitForStates(id, "running", "Not configured");
    auto removed = api->del("/v0/agents/" + id);
    ASSERT_EQ(removed.status, 200) << removed.body;
    EXPECT_EQ(retry(id).status, 404);
    // The server still builds for others.
    std::string next = scriptedAgent("true", "");
    waitForStates(next, "success", "Not configured");
}

TEST_F(ScriptsApi, TheOpenApiDocumentListsRetry) {
    auto doc = anonymous->get("/openapi");
    ASSERT_EQ(doc.status, 200);
    const json::object& path =
        doc.json.at("paths").at("/v0/agents/{agentId}/scripts/retry").as_object();
    EXPECT_EQ(path.at("post").at("operationId"), "retryScripts");
}

}  // namespace
}  // namespace pinfold::testing
