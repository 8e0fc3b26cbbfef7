#include "sandbox/cgroups.h"

#include <gtest/gtest.h>

#include <fstream>

#include "sandbox/sandbox_fixture.h"

namespace pinfold::sandbox {
namespace {

std::string ReadTrimmed(const std::string& path) {
    std::ifstream in(path);
    std::string text;
    std::getline(in, text);
    return text;
}

bool DirExists(const std::string& path) {
    return ::access(path.c_str(), F_OK) == 0;
}

class Cgroups : public test::SandboxFixture {};

TEST_F(Cgroups, DetectsTheLayoutOrSaysWhyNot) {
    CgroupManager cgroups("pinfold-test");
    const CgroupSupport& s = cgroups.support();
    if (!s.supported) {
        EXPECT_EQ(s.layout, "none");
        EXPECT_FALSE(s.reason.empty());
        GTEST_SKIP() << "cgroups unavailable: " << s.reason;
    }
    EXPECT_FALSE(cgroups.baseDirs().empty());
    for (const auto& dir : cgroups.baseDirs()) {
        EXPECT_TRUE(DirExists(dir)) << dir;
        EXPECT_NE(dir.find("/pinfold-test." + std::to_string(::getpid())), std::string::npos);
    }
}

TEST_F(Cgroups, AppliesLimitsAndKillsEverythingInTheGroup) {
    CgroupManager cgroups("pinfold-test");
    if (!cgroups.support().supported)
        GTEST_SKIP() << cgroups.support().reason;
    Result<AgentCgroup> group = cgroups.create("agent-one", {64 << 20, 50});
    ASSERT_TRUE(group.ok()) << group.status().ToString();
    EXPECT_EQ(group->memoryLimited, cgroups.support().memoryLimit);
    EXPECT_EQ(group->pidsLimited, cgroups.support().pidsLimit);
    for (const auto& dir : group->dirs) {
        if (DirExists(dir + "/memory.limit_in_bytes")) {
            EXPECT_EQ(ReadTrimmed(dir + "/memory.limit_in_bytes"), std::to_string(64 << 20));
        }
        if (DirExists(dir + "/memory.max")) {
            EXPECT_EQ(ReadTrimmed(dir + "/memory.max"), std::to_string(64 << 20));
        }
        if (DirExists(dir + "/pids.max")) {
            EXPECT_EQ(ReadTrimmed(dir + "/pids.max"), "50");
        }
    }

    Box& box = start("agent-one", 0, {"/bin/sh", "-c", "sleep 1000 & sleep 1000"});
    // The shell forks both sleeps after the sandbox is up.
    ASSERT_TRUE(test::WaitFor([&] { return SandboxProcesses(box.sandbox.initPid).size() >= 3; }));
    // Join by hand what the launcher joins in its child: every process of the sandbox.
    for (pid_t pid : SandboxProcesses(box.sandbox.initPid)) {
        for (const auto& file : group->procsFiles())
            std::ofstream(file) << pid;
    }
    EXPECT_GE(cgroups.pids(*group).size(), 3u);
    ASSERT_TRUE(cgroups.killAll(*group).ok());
    EXPECT_TRUE(cgroups.pids(*group).empty());
    EXPECT_TRUE(test::WaitFor([&] { return test::ProcessesOfUid(box.uid).size() <= 1; }));
    ASSERT_TRUE(cgroups.remove(*group).ok());
    for (const auto& dir : group->dirs)
        EXPECT_FALSE(DirExists(dir)) << dir;
}

TEST_F(Cgroups, LaunchedSandboxJoinsItsGroupBeforeDroppingRoot) {
    CgroupManager cgroups("pinfold-test");
    if (!cgroups.support().supported)
        GTEST_SKIP() << cgroups.support().reason;
    Result<AgentCgroup> group = cgroups.create("agent-one", {});
    ASSERT_TRUE(group.ok());
    uint32_t uid = test::TestUid();
    std::string home = temp_.path() + "/home";
    ASSERT_TRUE(PrepareAgentHome(home, uid).ok());
    SandboxSpec spec;
    spec.agentId = "agent-one";
    spec.hostUid = uid;
    spec.homeDir = home;
    spec.argv = {"sleep", "1000"};
    spec.cgroupProcsFiles = group->procsFiles();
    Result<LaunchedSandbox> launched = launcher_.launch(spec);
    ASSERT_TRUE(launched.ok()) << launched.status().ToString();
    pid_t init = launched->initPid;
    ASSERT_TRUE(test::WaitFor([&] { return FindEnginePid(init).has_value(); }));
    std::vector<int> inGroup = cgroups.pids(*group);
    EXPECT_NE(std::find(inGroup.begin(), inGroup.end(), *FindEnginePid(init)), inGroup.end());
    EXPECT_NE(std::find(inGroup.begin(), inGroup.end(), launched->bwrapPid), inGroup.end());
    ASSERT_TRUE(cgroups.remove(*group).ok());
    ::waitpid(launched->bwrapPid, nullptr, 0);
    EXPECT_TRUE(test::WaitFor([&] { return test::ProcessesOfUid(uid).empty(); }));
}

TEST_F(Cgroups, StaleGroupsOfDeadServersAreRemoved) {
    std::string stale;
    {
        CgroupManager probe("pinfold-test");
        if (!probe.support().supported)
            GTEST_SKIP() << probe.support().reason;
        // A folder named as if a server with a pid that cannot exist had left it.
        std::string base = probe.baseDirs()[0];
        stale = base.substr(0, base.rfind('.')) + ".999999999";
        ASSERT_EQ(::mkdir(stale.c_str(), 0755), 0);
        ASSERT_EQ(::mkdir((stale + "/old-agent").c_str(), 0755), 0);
    }
    CgroupManager cgroups("pinfold-test");
    EXPECT_FALSE(DirExists(stale));
}

TEST_F(Cgroups, RejectsIdsThatAreNotAFolderName) {
    CgroupManager cgroups("pinfold-test");
    if (!cgroups.support().supported)
        GTEST_SKIP() << cgroups.support().reason;
    EXPECT_EQ(cgroups.create("../escape", {}).status().ToString(),
              "InvalidArgument: Invalid agent id for a cgroup: ../escape");
}

}  // namespace
}  // namespace pinfold::sandbox
