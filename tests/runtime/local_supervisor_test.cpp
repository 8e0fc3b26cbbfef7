#include "runtime/local_supervisor.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <mutex>

#include "runtime/health_check.h"
#include "runtime/supervisor_fixture.h"
#include "sandbox/safe_files.h"

namespace pinfold::runtime {
namespace {

using std::chrono::milliseconds;
using test::SupervisorFixture;
using test::WaitFor;

class LocalSupervisorTest : public SupervisorFixture {};

TEST_F(LocalSupervisorTest, StartsTheEngineAndReportsRunningOnceHealthy) {
    LocalSupervisor& sup = supervisor();
    ASSERT_TRUE(sup.start(spec("agent-a", http_)).ok());
    EXPECT_NE(sup.status("agent-a").state, ProcessState::kNotRunning);
    ASSERT_TRUE(waitForState("agent-a", ProcessState::kRunning)) << logs("agent-a");
    ProcessStatus s = sup.status("agent-a");
    ASSERT_TRUE(s.enginePid.has_value());
    EXPECT_EQ(s.restarts, 0);
    EXPECT_EQ(s.lastError, "");
    EXPECT_EQ(ProcessStateName(s.state), "running");
    // The engine is pid 2 of its sandbox and runs under the agent's host uid.
    std::ifstream status("/proc/" + std::to_string(*s.enginePid) + "/status");
    std::string line, nspid, uid;
    while (std::getline(status, line)) {
        if (line.rfind("NSpid:", 0) == 0)
            nspid = line;
        if (line.rfind("Uid:", 0) == 0)
            uid = line;
    }
    EXPECT_EQ(nspid, "NSpid:\t" + std::to_string(*s.enginePid) + "\t2");
    std::string u = std::to_string(test::TestUid(0));
    EXPECT_EQ(uid, "Uid:\t" + u + "\t" + u + "\t" + u + "\t" + u);

    ASSERT_TRUE(waitForLog("agent-a", "test engine listening on 18789"));
    std::string text = logs("agent-a");
    EXPECT_NE(text.find("starting engine test-http 1.0.0"), std::string::npos) << text;
    EXPECT_NE(text.find("engine is running (health check passed)"), std::string::npos) << text;
    EXPECT_NE(text.find("test engine writes to stderr too"), std::string::npos) << text;
    for (const auto& l : sup.lastLogLines("agent-a", 100)) {
        if (l.message.rfind("test engine listening", 0) == 0) {
            EXPECT_EQ(l.source, "engine/stdout");
            EXPECT_EQ(l.level, "INFO");
        }
        if (l.message == "test engine writes to stderr too") {
            EXPECT_EQ(l.source, "engine/stderr");
        }
    }
}

TEST_F(LocalSupervisorTest, StopEndsEveryProcessOfTheSandbox) {
    LocalSupervisor& sup = supervisor();
    ASSERT_TRUE(sup.start(spec("agent-a", http_)).ok());
    ASSERT_TRUE(waitForState("agent-a", ProcessState::kRunning)) << logs("agent-a");
    exec("agent-a", "nohup sleep 1000 >/dev/null 2>&1 & sleep 1000 >/dev/null 2>&1 &");
    EXPECT_GE(sandbox::test::ProcessesOfUid(test::TestUid(0)).size(), 5u);

    ASSERT_TRUE(sup.stop("agent-a", milliseconds(5000)).ok());
    ProcessStatus s = sup.status("agent-a");
    EXPECT_EQ(s.state, ProcessState::kNotRunning);
    EXPECT_FALSE(s.enginePid.has_value());
    EXPECT_TRUE(sandbox::test::ProcessesOfUid(test::TestUid(0)).empty());
    EXPECT_NE(logs("agent-a").find("stopping engine\n"), std::string::npos);
    EXPECT_NE(logs("agent-a").find("engine stopped\n"), std::string::npos);
    // No restart follows a stop.
    EXPECT_EQ(sup.status("agent-a").state, ProcessState::kNotRunning);
    Result<ExecResult> r = sup.exec("agent-a", ExecRequest{"true"});
    EXPECT_EQ(r.status().ToString(), "Conflict: Agent is not running");
    EXPECT_EQ(sup.connect("agent-a", 18789).status().ToString(), "Conflict: Agent is not running");
    EXPECT_FALSE(sup.sandboxRoot("agent-a").has_value());
}

TEST_F(LocalSupervisorTest, EngineIgnoringSigtermIsKilledAfterTheGrace) {
    EngineDefinition stubborn = http_;
    stubborn.command.push_back("--ignore-sigterm");
    LocalSupervisor& sup = supervisor();
    ASSERT_TRUE(sup.start(spec("agent-a", stubborn)).ok());
    ASSERT_TRUE(waitForState("agent-a", ProcessState::kRunning)) << logs("agent-a");
    ASSERT_TRUE(sup.stop("agent-a", milliseconds(300)).ok());
    EXPECT_NE(logs("agent-a").find("engine did not stop within 0.3s; killing it\n"),
              std::string::npos)
        << logs("agent-a");
    EXPECT_TRUE(sandbox::test::ProcessesOfUid(test::TestUid(0)).empty());
}

TEST_F(LocalSupervisorTest, CrashingEngineRestartsWithBackoffVisibleInLogs) {
    LocalSupervisor& sup = supervisor();
    ASSERT_TRUE(sup.start(spec("agent-c", crash_)).ok());
    ASSERT_TRUE(waitForLog("agent-c", "restarting in 0.8s")) << logs("agent-c");
    std::string text = logs("agent-c");
    size_t first = text.find("engine exited with code 1\nrestarting in 0.2s (restart 1)\n");
    size_t second = text.find("engine exited with code 1\nrestarting in 0.4s (restart 2)\n");
    size_t third = text.find("engine exited with code 1\nrestarting in 0.8s (restart 3)\n");
    EXPECT_NE(first, std::string::npos) << text;
    EXPECT_LT(first, second) << text;
    EXPECT_LT(second, third) << text;
    EXPECT_NE(text.find("test crash engine starting\n"), std::string::npos) << text;
    EXPECT_NE(text.find("test crash engine: giving up\n"), std::string::npos) << text;
    ProcessStatus s = sup.status("agent-c");
    EXPECT_GE(s.restarts, 3);
    EXPECT_EQ(s.lastError, "engine exited with code 1");
    EXPECT_NE(s.state, ProcessState::kRunning);
    EXPECT_EQ(sup.exec("agent-c", ExecRequest{"true"}).status().ToString(),
              "Conflict: Agent is not running");
    ASSERT_TRUE(sup.stop("agent-c", milliseconds(1000)).ok());
    EXPECT_EQ(sup.status("agent-c").state, ProcessState::kNotRunning);
}

TEST_F(LocalSupervisorTest, EngineThatDiesWhileRunningComesBack) {
    LocalSupervisor& sup = supervisor();
    ASSERT_TRUE(sup.start(spec("agent-a", http_)).ok());
    ASSERT_TRUE(waitForState("agent-a", ProcessState::kRunning));
    int firstPid = *sup.status("agent-a").enginePid;
    Result<int> fd = sup.connect("agent-a", 18789);
    ASSERT_TRUE(fd.ok()) << fd.status().ToString();
    EXPECT_EQ(*HttpGetStatus(*fd, "/crash", milliseconds(5000)), 200);
    ::close(*fd);
    ASSERT_TRUE(waitForLog("agent-a", "engine exited with code 3\nrestarting in 0.2s (restart 1)"))
        << logs("agent-a");
    ASSERT_TRUE(WaitFor([&] {
        ProcessStatus s = sup.status("agent-a");
        return s.state == ProcessState::kRunning && s.enginePid && *s.enginePid != firstPid;
    })) << logs("agent-a");
    EXPECT_EQ(sup.status("agent-a").restarts, 1);
    EXPECT_EQ(sup.status("agent-a").lastError, "");
}

TEST_F(LocalSupervisorTest, RestartReturnsTheStoppedPidAndRunsAgain) {
    LocalSupervisor& sup = supervisor();
    AgentLaunchSpec s = spec("agent-a", http_);
    ASSERT_TRUE(sup.start(s).ok());
    ASSERT_TRUE(waitForState("agent-a", ProcessState::kRunning));
    int before = *sup.status("agent-a").enginePid;
    s.engineVersion = "0.9.0";
    Result<std::optional<int>> previous = sup.restart(s);
    ASSERT_TRUE(previous.ok());
    EXPECT_EQ(**previous, before);
    ASSERT_TRUE(waitForState("agent-a", ProcessState::kRunning));
    EXPECT_NE(*sup.status("agent-a").enginePid, before);
    EXPECT_EQ(
        exec("agent-a", "tr '\\0' '\\n' < /proc/2/environ | grep ^TEST_ENGINE_VERSION=").stdoutText,
        "TEST_ENGINE_VERSION=0.9.0\n");
}

TEST_F(LocalSupervisorTest, RemoveStopsAndForgets) {
    LocalSupervisor& sup = supervisor();
    ASSERT_TRUE(sup.start(spec("agent-a", http_)).ok());
    ASSERT_TRUE(waitForState("agent-a", ProcessState::kRunning));
    int pid = *sup.status("agent-a").enginePid;
    ASSERT_TRUE(sup.remove("agent-a").ok());
    EXPECT_TRUE(sup.lastLogLines("agent-a", 10).empty());
    EXPECT_EQ(sup.status("agent-a").state, ProcessState::kNotRunning);
    EXPECT_NE(::access(("/proc/" + std::to_string(pid)).c_str(), F_OK), 0);
    EXPECT_TRUE(sup.remove("agent-a").ok());
    EXPECT_TRUE(sup.stop("never-started", milliseconds(10)).ok());
}

// Records the listener's calls as "running <id>" / "removing <id>" lines.
class RecordingListener final : public SupervisorListener {
  public:
    void engineRunning(const std::string& agentId) override { add("running " + agentId); }
    void agentRemoving(const std::string& agentId) override { add("removing " + agentId); }
    std::string events() {
        std::lock_guard lock(mu_);
        return events_;
    }

  private:
    void add(const std::string& event) {
        std::lock_guard lock(mu_);
        events_ += event + "\n";
    }
    std::mutex mu_;
    std::string events_;
};

TEST_F(LocalSupervisorTest, TheListenerHearsEachBootAndTheRemoval) {
    RecordingListener listener;
    LocalSupervisor& s = supervisor();
    s.setListener(&listener);
    ASSERT_TRUE(s.start(spec("agent-l", http_)).ok());
    ASSERT_TRUE(WaitFor([&] { return listener.events() == "running agent-l\n"; }))
        << listener.events();
    ASSERT_TRUE(s.restart(spec("agent-l", http_)).ok());
    ASSERT_TRUE(WaitFor([&] { return listener.events() == "running agent-l\nrunning agent-l\n"; }))
        << listener.events();
    ASSERT_TRUE(s.remove("agent-l").ok());
    EXPECT_EQ(listener.events(), "running agent-l\nrunning agent-l\nremoving agent-l\n");
    s.setListener(nullptr);
}

TEST_F(LocalSupervisorTest, EngineNotInstalledIsNotLaunched) {
    LocalSupervisor& sup = supervisor();
    EngineDefinition openclaw = OpenClawEngine(temp_.path() + "/no-engines");
    ASSERT_TRUE(sup.start(spec("agent-o", openclaw)).ok());
    ProcessStatus s = sup.status("agent-o");
    EXPECT_EQ(s.state, ProcessState::kNotRunning);
    EXPECT_EQ(s.lastError,
              "Engine openclaw is not installed; run: pinfold engines install openclaw");
    EXPECT_EQ(logs("agent-o"),
              "Engine openclaw is not installed; run: pinfold engines install openclaw\n");
    EXPECT_TRUE(sandbox::test::ProcessesOfUid(test::TestUid(0)).empty());
}

TEST_F(LocalSupervisorTest, LogLinesSurviveARestartOfTheServer) {
    AgentLaunchSpec s = spec("agent-a", http_);
    {
        LocalSupervisor& sup = supervisor();
        ASSERT_TRUE(sup.start(s).ok());
        ASSERT_TRUE(waitForLog("agent-a", "test engine listening on 18789"));
        sup.appendLog("agent-a", {0, "INFO", "supervisor", "token is " + s.gatewayToken});
        supervisor_.reset();
    }
    EXPECT_TRUE(sandbox::test::ProcessesOfUid(test::TestUid(0)).empty());
    LocalSupervisor& again = supervisor();
    again.track(s);
    std::string text = logs("agent-a");
    EXPECT_NE(text.find("test engine listening on 18789"), std::string::npos) << text;
    EXPECT_NE(text.find("token is [secret:GATEWAY_TOKEN]\n"), std::string::npos) << text;
    EXPECT_EQ(text.find(s.gatewayToken), std::string::npos) << text;
    EXPECT_EQ(again.status("agent-a").state, ProcessState::kNotRunning);
}

TEST_F(LocalSupervisorTest, OpenClawStyleConfigIsWrittenWithTheToken) {
    EngineDefinition withConfig = http_;
    withConfig.configPath = "/home/node/.openclaw/openclaw.json";
    LocalSupervisor& sup = supervisor();
    AgentLaunchSpec s = spec("agent-a", withConfig);
    ASSERT_TRUE(sup.start(s).ok());
    ASSERT_TRUE(waitForState("agent-a", ProcessState::kRunning));
    EXPECT_EQ(exec("agent-a", "cat /home/node/.openclaw/openclaw.json").stdoutText,
              "{\"gateway\":{\"mode\":\"local\",\"port\":18789,\"bind\":\"loopback\",\"auth\":"
              "{\"mode\":\"token\",\"token\":\"gw-token-of-agent-a\"}},\"agents\":{\"defaults\":"
              "{\"workspace\":\"/home/node/clawd/workspace\"}}}\n");
    s.gatewayToken = "rotated-token";
    ASSERT_TRUE(sup.restart(s).ok());
    ASSERT_TRUE(waitForState("agent-a", ProcessState::kRunning));
    EXPECT_EQ(exec("agent-a", "grep -o '\"token\":\"[a-z-]*\"' /home/node/.openclaw/openclaw.json")
                  .stdoutText,
              "\"token\":\"rotated-token\"\n");
}

TEST_F(LocalSupervisorTest, UidIsAllocatedWhenTheSpecHasNone) {
    LocalSupervisorOptions o = FastOptions();
    o.firstHostUid = test::TestUid(2);
    LocalSupervisor& sup = supervisor(o);
    AgentLaunchSpec s = spec("agent-a", http_);
    s.hostUid = 0;
    ASSERT_TRUE(sup.start(s).ok());
    ASSERT_TRUE(waitForState("agent-a", ProcessState::kRunning)) << logs("agent-a");
    EXPECT_FALSE(sandbox::test::ProcessesOfUid(test::TestUid(2)).empty());
    EXPECT_TRUE(sandbox::test::ProcessesOfUid(0).size() > 0);
    EXPECT_EQ(exec("agent-a", "id -u").stdoutText, "1000\n");
}

TEST_F(LocalSupervisorTest, SandboxRootReachesTheRunningSandboxFiles) {
    LocalSupervisor& sup = supervisor();
    ASSERT_TRUE(sup.start(spec("agent-a", http_)).ok());
    ASSERT_TRUE(waitForState("agent-a", ProcessState::kRunning));
    exec("agent-a", "echo in-tmp > /tmp/note.txt");
    std::optional<std::string> root = sup.sandboxRoot("agent-a");
    ASSERT_TRUE(root.has_value());
    EXPECT_EQ(*root, "/proc/" + std::to_string(*sup.status("agent-a").enginePid) + "/root");
    EXPECT_EQ(*sandbox::ReadFileInRoot(*root, "/tmp/note.txt", test::TestUid(0), 100), "in-tmp\n");
    EXPECT_EQ(
        sandbox::ReadFileInRoot(*root, "/etc/shadow", test::TestUid(0), 100).status().ToString(),
        "NotFound: File not found");
}

// The real OpenClaw gateway, when an engines folder with it installed is given (it needs ~1 GB of
// memory and 10-20 s to start, so it is not part of the default run):
//   PINFOLD_TEST_ENGINES_DIR=/var/cache/pinfold-engines ctest -R OpenClaw
TEST_F(LocalSupervisorTest, OpenClawGatewayRunsWhenInstalled) {
    const char* dir = std::getenv("PINFOLD_TEST_ENGINES_DIR");
    if (!dir)
        GTEST_SKIP() << "PINFOLD_TEST_ENGINES_DIR is not set";
    EngineDefinition openclaw = OpenClawEngine(dir);
    if (!openclaw.installed)
        GTEST_SKIP() << openclaw.notInstalledHint;
    LocalSupervisor& sup = supervisor();
    ASSERT_TRUE(sup.start(spec("agent-oc", openclaw)).ok());
    ASSERT_TRUE(WaitFor([&] { return sup.status("agent-oc").state == ProcessState::kRunning; },
                        std::chrono::minutes(3)))
        << logs("agent-oc");
    EXPECT_EQ(exec("agent-oc",
                   "cd /opt/pinfold/engines/openclaw-2026.9.6/node_modules/openclaw && "
                   "node openclaw.mjs config validate 2>/dev/null | tail -1",
                   std::chrono::seconds(60))
                  .stdoutText,
              "Config valid: ~/.openclaw/openclaw.json\n");
    Result<int> fd = sup.connect("agent-oc", 18789);
    ASSERT_TRUE(fd.ok()) << fd.status().ToString();
    // Generous waits: on 2 shared cores a busy gateway answers and drains slowly.
    Result<int> health = HttpGetStatus(*fd, "/healthz", milliseconds(30000));
    ASSERT_TRUE(health.ok()) << health.status().ToString();
    EXPECT_EQ(*health, 200);
    ::close(*fd);
    ASSERT_TRUE(sup.stop("agent-oc", std::chrono::seconds(90)).ok());
    // The engine's last lines may still be in the log pipe when stop returns.
    EXPECT_TRUE(waitForLog("agent-oc", "[shutdown] completed cleanly")) << logs("agent-oc");
    EXPECT_TRUE(sandbox::test::ProcessesOfUid(test::TestUid(0)).empty());
}

// A clock moved by hand: backoff waits follow it, so the doubling shows without real waiting.
class ManualClock : public Clock {
  public:
    int64_t nowMs() const override { return 1700000000000 + offset_.load(); }
    std::chrono::steady_clock::time_point steadyNow() const override {
        return std::chrono::steady_clock::time_point(milliseconds(offset_.load()));
    }
    void advance(milliseconds d) { offset_ += d.count(); }

  private:
    std::atomic<int64_t> offset_{0};
};

TEST_F(LocalSupervisorTest, BackoffDoublesToTheMaximumOnTheSupervisorsClock) {
    ManualClock clock;
    LocalSupervisorOptions o = FastOptions();
    o.clock = &clock;
    o.backoffMin = std::chrono::seconds(1);
    o.backoffMax = std::chrono::seconds(60);
    LocalSupervisor& sup = supervisor(o);
    ASSERT_TRUE(sup.start(spec("agent-c", crash_)).ok());
    const char* expected[] = {"1s", "2s", "4s", "8s", "16s", "32s", "60s", "60s"};
    int64_t waited = 1;
    for (int i = 0; i < 8; ++i) {
        std::string line = "restarting in " + std::string(expected[i]) + " (restart " +
                           std::to_string(i + 1) + ")";
        ASSERT_TRUE(waitForLog("agent-c", line)) << logs("agent-c");
        EXPECT_EQ(sup.status("agent-c").restarts, i + 1);
        clock.advance(milliseconds(i < 6 ? waited * 1000 : 60000));
        waited *= 2;
    }
    for (const auto& l : sup.lastLogLines("agent-c", 1))
        EXPECT_GE(l.timestampMs, 1700000000000);
    supervisor_.reset();  // before the clock it uses goes away
}

}  // namespace
}  // namespace pinfold::runtime
