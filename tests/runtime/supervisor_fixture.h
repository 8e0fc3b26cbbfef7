// SupervisorFixture: a LocalSupervisor with real bubblewrap sandboxes running the test engines of
// tests/engines (copied into a folder the agents' uids can read).
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <memory>
#include <string>

#include "runtime/engine_registry.h"
#include "runtime/local_supervisor.h"
#include "sandbox/sandbox_test_util.h"
#include "support/server_process.h"
#include "support/temp_dir.h"

namespace pinfold::runtime::test {

using sandbox::test::TestUid;
using sandbox::test::WaitFor;

class SupervisorFixture : public ::testing::Test {
  protected:
    void SetUp() override {
        sandbox::test::MakeTraversable(temp_.path());
        std::string engines = temp_.path() + "/test-engines";
        std::string source = testing::SourceDir() + "/tests/engines";
        testing::RunShell("mkdir -p '" + engines + "' && cp '" + source + "'/* '" + engines +
                          "' && chmod -R a+rX '" + engines + "'");
        EngineRegistry registry("/nonexistent");
        ASSERT_TRUE(registry.loadFile(engines + "/engines.json").ok());
        http_ = *registry.find("test-http");
        crash_ = *registry.find("test-crash");
    }

    void TearDown() override { supervisor_.reset(); }

    static LocalSupervisorOptions FastOptions() {
        LocalSupervisorOptions o;
        o.healthInterval = std::chrono::milliseconds(50);
        o.backoffMin = std::chrono::milliseconds(200);
        o.backoffMax = std::chrono::milliseconds(800);
        o.stopGrace = std::chrono::milliseconds(5000);
        o.cgroupName = "pinfold-rt";
        return o;
    }

    LocalSupervisor& supervisor(LocalSupervisorOptions o = FastOptions()) {
        if (!supervisor_)
            supervisor_ = std::make_unique<LocalSupervisor>(o);
        return *supervisor_;
    }

    AgentLaunchSpec spec(const std::string& id, const EngineDefinition& engine, uint32_t k = 0) {
        AgentLaunchSpec s;
        s.agentId = id;
        s.hostUid = TestUid(k);
        s.homeDir = temp_.path() + "/data/agents/" + id + "/home";
        s.logFile = temp_.path() + "/data/agents/" + id + "/logs.jsonl";
        s.engine = engine;
        s.engineVersion = engine.versions.front();
        s.gatewayToken = "gw-token-of-" + id;
        s.env = {{"GATEWAY_TOKEN", s.gatewayToken}};
        return s;
    }

    bool waitForState(const std::string& id, ProcessState state) {
        return WaitFor([&] { return supervisor_->status(id).state == state; },
                       std::chrono::seconds(30));
    }

    // Every log message of the agent, one per line.
    std::string logs(const std::string& id) {
        std::string out;
        for (const auto& line : supervisor_->lastLogLines(id, 1000))
            out += line.message + "\n";
        return out;
    }

    bool waitForLog(const std::string& id, const std::string& text) {
        return WaitFor([&] { return logs(id).find(text) != std::string::npos; },
                       std::chrono::seconds(30));
    }

    ExecResult exec(const std::string& id, const std::string& command,
                    std::chrono::milliseconds timeout = std::chrono::seconds(20),
                    const std::string& cwd = "") {
        ExecRequest req;
        req.command = command;
        req.timeout = timeout;
        if (!cwd.empty())
            req.cwd = cwd;
        Result<ExecResult> r = supervisor_->exec(id, req);
        EXPECT_TRUE(r.ok()) << r.status().ToString();
        return r.ok() ? *r : ExecResult{};
    }

    testing::TempDir temp_;
    EngineDefinition http_;
    EngineDefinition crash_;
    std::unique_ptr<LocalSupervisor> supervisor_;
};

}  // namespace pinfold::runtime::test
