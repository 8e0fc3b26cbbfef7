// ScriptService with a real SQLite store and real sandboxes running the test HTTP engine: the
// manifest's build and start scripts at the engine's boots, their states, the build timeout,
// retry's refusals, removal and shutdown while a build runs, and what a server restart leaves.
#include "services/script_service.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>

#include "runtime/supervisor_fixture.h"
#include "sandbox/agent_home.h"
#include "sandbox/safe_files.h"
#include "store/migrations.h"
#include "store/sqlite_db.h"

namespace pinfold::services {
namespace {

namespace json = boost::json;
using runtime::test::SupervisorFixture;
using sandbox::test::TestUid;
using sandbox::test::WaitFor;

std::string ManifestWith(const std::string& build, const std::string& start) {
    return json::serialize(json::object{{"version", 1},
                                        {"agent", {{"name", "Scripted"}}},
                                        {"scripts", {{"build", build}, {"start", start}}}});
}

// "<build state> <exit code|-> / <start state>: <build error|->".
std::string Render(const AgentScriptsView& v) {
    return std::string(ScriptStateName(v.build.state)) + " " +
           (v.build.exitCode ? std::to_string(*v.build.exitCode) : "-") + " / " +
           std::string(ScriptStateName(v.start.state)) + ": " + v.build.error.value_or("-");
}

class ScriptServiceTest : public SupervisorFixture {
  protected:
    void SetUp() override {
        SupervisorFixture::SetUp();
        auto db = store::OpenSqliteDb(temp_.file("pinfold.db"));
        ASSERT_TRUE(db.ok()) << db.status().ToString();
        db_ = std::move(*db);
        ASSERT_TRUE(store::Migrate(*db_).ok());
    }
    void TearDown() override {
        scripts_.reset();
        SupervisorFixture::TearDown();
    }

    ScriptService& scripts(std::chrono::milliseconds buildTimeout = std::chrono::seconds(20)) {
        if (!scripts_) {
            ScriptServiceOptions o;
            o.buildTimeout = buildTimeout;
            scripts_ = std::make_unique<ScriptService>(*db_, supervisor(), clock_,
                                                       DataLayout{temp_.path() + "/data"}, o);
        }
        return *scripts_;
    }

    // Stores agent `id` (uid TestUid(k)) with this manifest.json ("" for none); not started.
    void addAgent(const std::string& id, uint32_t k, const std::string& manifest) {
        runtime::AgentLaunchSpec s = spec(id, http_, k);
        store::AgentRecord r;
        r.id = id;
        r.workspace = "acme";
        r.name = "Scripted";
        r.engine = http_.id;
        r.engineVersion = s.engineVersion;
        r.gatewayToken = s.gatewayToken;
        r.hostUid = s.hostUid;
        ASSERT_TRUE(store::AgentRepository(*db_).insert(r).ok());
        ASSERT_TRUE(sandbox::PrepareAgentHome(s.homeDir, s.hostUid).ok());
        if (!manifest.empty())
            writeManifest(id, k, manifest);
    }
    void writeManifest(const std::string& id, uint32_t k, const std::string& manifest) {
        runtime::AgentLaunchSpec s = spec(id, http_, k);
        ASSERT_TRUE(sandbox::WriteFileInRoot(s.homeDir, "clawd/manifest.json", s.hostUid, manifest,
                                             sandbox::WriteMode::kCreateParents)
                        .ok());
    }
    void startAgent(const std::string& id, uint32_t k) {
        scripts();  // listening before the first boot
        ASSERT_TRUE(supervisor().start(spec(id, http_, k)).ok());
        ASSERT_TRUE(waitForState(id, runtime::ProcessState::kRunning)) << logs(id);
    }

    AgentScriptsView view(const std::string& id) {
        auto v = LoadAgentScripts(*db_, id, supervisor_->status(id).state);
        EXPECT_TRUE(v.ok()) << v.status().ToString();
        return v.ok() ? *v : AgentScriptsView{};
    }
    // The scripts' view once `done` holds for it (or the last one after 30 s).
    AgentScriptsView waitForScripts(const std::string& id,
                                    const std::function<bool(const AgentScriptsView&)>& done) {
        AgentScriptsView last;
        WaitFor(
            [&] {
                last = view(id);
                return done(last);
            },
            std::chrono::seconds(30));
        return last;
    }
    static bool Settled(const AgentScriptsView& v) {
        auto settled = [](ScriptState s) {
            return s != ScriptState::kPending && s != ScriptState::kRunning;
        };
        return settled(v.build.state) &&
               (v.start.state == ScriptState::kRunning || settled(v.start.state) ||
                // After a failed build, start's reason is written last.
                (v.build.state == ScriptState::kFailed && v.start.state == ScriptState::kPending &&
                 v.start.error.has_value()));
    }
    std::string inAgent(const std::string& id, const std::string& command) {
        return exec(id, command, std::chrono::seconds(20), "/home/node/clawd").stdoutText;
    }

    RealClock clock_;
    std::unique_ptr<store::Db> db_;
    std::unique_ptr<ScriptService> scripts_;
};

TEST(ScriptsFromRecords, ShowsPendingBeforeTheFirstBootAndAStartGoneWithItsEngine) {
    EXPECT_EQ(Render(ScriptsFromRecords({}, runtime::ProcessState::kRunning)),
              "pending - / pending: -");
    std::vector<store::ScriptRecord> rows = {
        {"x1", "build", "success", 0, 1, 2, std::nullopt},
        {"x1", "start", "running", std::nullopt, 3, std::nullopt, std::nullopt}};
    EXPECT_EQ(Render(ScriptsFromRecords(rows, runtime::ProcessState::kRunning)),
              "success 0 / running: -");
    AgentScriptsView stopped = ScriptsFromRecords(rows, runtime::ProcessState::kStarting);
    EXPECT_EQ(Render(stopped), "success 0 / pending: -");
    EXPECT_EQ(stopped.start.error.value_or(""), "Runs again when the engine is back");
}

TEST_F(ScriptServiceTest, FirstBootBuildsThenStartsADetachedProcess) {
    addAgent("xscrip01", 0,
             ManifestWith("echo built > built.txt; echo building now",
                          "echo $$ > /tmp/start.pid; echo started > /tmp/started; exec sleep 600"));
    startAgent("xscrip01", 0);
    AgentScriptsView v = waitForScripts("xscrip01", [](const AgentScriptsView& v) {
        return v.start.state == ScriptState::kRunning;
    });
    EXPECT_EQ(Render(v), "success 0 / running: -");
    ASSERT_TRUE(v.build.startedAtMs && v.build.finishedAtMs);
    EXPECT_LE(*v.build.startedAtMs, *v.build.finishedAtMs);
    EXPECT_TRUE(v.start.startedAtMs.has_value());
    EXPECT_FALSE(v.start.exitCode.has_value());
    EXPECT_EQ(inAgent("xscrip01", "cat built.txt /tmp/user-build.log"), "built\nbuilding now\n");
    // The start script's process keeps running after its launch returned.
    EXPECT_TRUE(WaitFor([&] { return inAgent("xscrip01", "cat /tmp/started") == "started\n"; }));
    EXPECT_EQ(inAgent("xscrip01", "kill -0 $(cat /tmp/start.pid) && echo alive"), "alive\n");
    std::string log = logs("xscrip01");
    EXPECT_NE(log.find("build started: `echo built > built.txt; echo building now`"),
              std::string::npos)
        << log;
    EXPECT_NE(log.find("\nbuilding now\n"), std::string::npos) << log;
    EXPECT_NE(log.find("build succeeded in "), std::string::npos) << log;
    EXPECT_NE(log.find("start launched: `echo $$ > /tmp/start.pid;"), std::string::npos) << log;
}

TEST_F(ScriptServiceTest, AFailedBuildKeepsStartFromRunning) {
    addAgent("xscrip02", 0, ManifestWith("echo oops >&2; exit 3", "touch /tmp/started"));
    startAgent("xscrip02", 0);
    AgentScriptsView v = waitForScripts("xscrip02", Settled);
    EXPECT_EQ(Render(v), "failed 3 / pending: Exited with code 3");
    EXPECT_EQ(v.start.error.value_or(""), "Not run: the build failed");
    EXPECT_EQ(inAgent("xscrip02", "ls /tmp/started 2>&1 >/dev/null | wc -l"), "1\n");
    std::string log = logs("xscrip02");
    EXPECT_NE(log.find("\noops\n"), std::string::npos) << log;
    EXPECT_NE(log.find("build failed: Exited with code 3 (output in /tmp/user-build.log)"),
              std::string::npos)
        << log;
}

TEST_F(ScriptServiceTest, ABuildPastItsTimeoutIsKilledWithItsChildren) {
    addAgent("xscrip03", 0,
             ManifestWith("sleep 300 & echo $! > /tmp/child.pid; echo $$ > /tmp/build.pid; wait",
                          "touch /tmp/started"));
    scripts(std::chrono::milliseconds(1500));
    startAgent("xscrip03", 0);
    AgentScriptsView v = waitForScripts("xscrip03", Settled);
    EXPECT_EQ(Render(v), "failed - / pending: Timed out after 1500 ms");
    EXPECT_EQ(inAgent("xscrip03",
                      "kill -0 $(cat /tmp/build.pid) 2>/dev/null || echo build gone; "
                      "kill -0 $(cat /tmp/child.pid) 2>/dev/null || echo child gone"),
              "build gone\nchild gone\n");
    EXPECT_NE(logs("xscrip03").find("build timed out after 1500 ms; its processes were killed"),
              std::string::npos);
}

TEST_F(ScriptServiceTest, ARestartRunsStartAgainButNotBuild) {
    addAgent("xscrip04", 0,
             ManifestWith("echo run >> builds.txt", "echo up >> /home/node/clawd/starts.txt"));
    startAgent("xscrip04", 0);
    waitForScripts("xscrip04", [](const AgentScriptsView& v) {
        return v.start.state == ScriptState::kRunning;
    });
    ASSERT_TRUE(WaitFor([&] { return inAgent("xscrip04", "cat starts.txt") == "up\n"; }));
    ASSERT_TRUE(supervisor().restart(spec("xscrip04", http_, 0)).ok());
    EXPECT_TRUE(WaitFor([&] {
        return supervisor_->status("xscrip04").state == runtime::ProcessState::kRunning &&
               inAgent("xscrip04", "cat starts.txt") == "up\nup\n";
    })) << logs("xscrip04");
    EXPECT_EQ(inAgent("xscrip04", "cat builds.txt"), "run\n");
    EXPECT_EQ(Render(view("xscrip04")), "success 0 / running: -");
}

TEST_F(ScriptServiceTest, RetryRunsBuildAgainAndReplacesTheStartedProcess) {
    addAgent("xscrip05", 0,
             ManifestWith("echo run >> builds.txt", "echo $$ >> /tmp/starts; exec sleep 600"));
    startAgent("xscrip05", 0);
    waitForScripts("xscrip05", [](const AgentScriptsView& v) {
        return v.start.state == ScriptState::kRunning;
    });
    ASSERT_TRUE(WaitFor([&] { return !inAgent("xscrip05", "cat /tmp/starts").empty(); }));
    std::string first = inAgent("xscrip05", "head -n 1 /tmp/starts");

    auto outcome = scripts().retry("acme", "xscrip05");
    ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
    EXPECT_EQ(outcome->message, "Running build, then start");
    EXPECT_EQ(Render(outcome->scripts), "pending - / pending: -");
    EXPECT_TRUE(WaitFor([&] { return inAgent("xscrip05", "wc -l < /tmp/starts") == "2\n"; }));
    EXPECT_EQ(inAgent("xscrip05", "cat builds.txt"), "run\nrun\n");
    // The start launched before was stopped for the new one.
    EXPECT_TRUE(WaitFor([&] {
        return inAgent("xscrip05", "kill -0 " + first.substr(0, first.size() - 1) +
                                       " 2>/dev/null || echo gone") == "gone\n";
    }));
    EXPECT_EQ(Render(view("xscrip05")), "success 0 / running: -");
}

TEST_F(ScriptServiceTest, RetryRefusesWhatCannotRun) {
    addAgent("xscrip06", 0, ManifestWith("sleep 30", ""));
    addAgent("xscrip07", 1, "");
    ScriptService& s = scripts();
    EXPECT_EQ(s.retry("acme", "xscrip06").status().ToString(), "Conflict: Agent is not running");
    EXPECT_EQ(s.retry("other", "xscrip06").status().ToString(), "NotFound: Agent not found");
    EXPECT_EQ(s.retry("acme", "xnothere").status().ToString(), "NotFound: Agent not found");
    startAgent("xscrip07", 1);
    EXPECT_EQ(s.retry("acme", "xscrip07").status().ToString(),
              "InvalidArgument: No build or start script configured: manifest.json not found");
    writeManifest("xscrip07", 1, ManifestWith("", ""));
    EXPECT_EQ(s.retry("acme", "xscrip07").status().ToString(),
              "InvalidArgument: No build or start script configured");
    writeManifest("xscrip07", 1, R"({"version": 2, "agent": {"name": ""}})");
    EXPECT_EQ(s.retry("acme", "xscrip07").status().ToString(),
              "InvalidArgument: No build or start script configured: manifest.json is invalid: "
              "version must be 1 (and 1 more)");

    startAgent("xscrip06", 0);
    waitForScripts("xscrip06", [](const AgentScriptsView& v) {
        return v.build.state == ScriptState::kRunning;
    });
    EXPECT_EQ(s.retry("acme", "xscrip06").status().ToString(),
              "Conflict: A build is already running");
}

TEST_F(ScriptServiceTest, AnInvalidManifestMeansNoScriptsWithTheReasonLogged) {
    addAgent("xscrip08", 0, R"({"version": 1, "agent": {"name": "x"}, "scripts": {"build": 7}})");
    startAgent("xscrip08", 0);
    AgentScriptsView v = waitForScripts("xscrip08", Settled);
    EXPECT_EQ(Render(v),
              "Not configured - / Not configured: manifest.json is invalid: scripts.build must be "
              "a string");
    EXPECT_NE(logs("xscrip08").find("no lifecycle scripts: manifest.json is invalid"),
              std::string::npos);
}

TEST_F(ScriptServiceTest, RemovingAnAgentDuringItsBuildForgetsIt) {
    addAgent("xscrip09", 0, ManifestWith("sleep 300", "true"));
    startAgent("xscrip09", 0);
    waitForScripts("xscrip09", [](const AgentScriptsView& v) {
        return v.build.state == ScriptState::kRunning;
    });
    ASSERT_TRUE(supervisor().remove("xscrip09").ok());
    EXPECT_TRUE(store::ScriptRepository(*db_).list("xscrip09")->empty());
    // Its worker is free again: another agent's build runs (one worker only would show it too).
    addAgent("xscrip10", 1, ManifestWith("true", ""));
    startAgent("xscrip10", 1);
    EXPECT_EQ(Render(waitForScripts("xscrip10", Settled)), "success 0 / Not configured: -");
    EXPECT_TRUE(store::ScriptRepository(*db_).list("xscrip09")->empty());
    EXPECT_TRUE(supervisor_->lastLogLines("xscrip09", 10).empty());
}

TEST_F(ScriptServiceTest, ShutdownCancelsARunningBuildWhichRunsAgainLater) {
    addAgent("xscrip11", 0, ManifestWith("sleep 300", "true"));
    startAgent("xscrip11", 0);
    waitForScripts("xscrip11", [](const AgentScriptsView& v) {
        return v.build.state == ScriptState::kRunning;
    });
    auto before = std::chrono::steady_clock::now();
    scripts_.reset();
    EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(10));
    AgentScriptsView v = view("xscrip11");
    EXPECT_EQ(Render(v),
              "pending - / pending: Interrupted: the server stopped; runs again when the engine "
              "is back");
}

TEST_F(ScriptServiceTest, RecoverRequeuesWhatAStoppedServerLeftRunning) {
    store::ScriptRepository rows(*db_);
    ASSERT_TRUE(
        rows.put({"xscrip12", "build", "running", std::nullopt, 5, std::nullopt, std::nullopt})
            .ok());
    ASSERT_TRUE(rows.put({"xscrip12", "start", "Not configured", std::nullopt, std::nullopt,
                          std::nullopt, std::nullopt})
                    .ok());
    ASSERT_TRUE(scripts().recover().ok());
    EXPECT_EQ(Render(*LoadAgentScripts(*db_, "xscrip12", runtime::ProcessState::kRunning)),
              "pending - / Not configured: Interrupted: the server stopped; runs again when the "
              "engine is back");
}

}  // namespace
}  // namespace pinfold::services
