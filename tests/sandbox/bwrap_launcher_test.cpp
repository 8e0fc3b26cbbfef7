#include "sandbox/bwrap_launcher.h"

#include <gtest/gtest.h>

#include <fstream>

#include "sandbox/sandbox_fixture.h"

namespace pinfold::sandbox {
namespace {

using test::SandboxFixture;

std::string StatusField(pid_t pid, const std::string& field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(field + ":", 0) == 0)
            return line.substr(field.size() + 2);
    }
    return "";
}

class BwrapLauncherTest : public SandboxFixture {};

TEST_F(BwrapLauncherTest, RunsAsNodeInsideAndTheAgentsUidOutside) {
    Box& box = start("agent-one", 0,
                     {"/bin/sh", "-c",
                      "id; hostname; pwd; echo $HOME $USER $AGENT_NAME; ls -A /home/node; "
                      "getent passwd node; echo err >&2"});
    EXPECT_EQ(ReadAll(box.sandbox.stdoutFd.get()),
              "uid=1000(node) gid=1000(node) groups=1000(node)\n"
              "agent-one\n"
              "/home/node/clawd\n"
              "/home/node node agent-one\n"
              "clawd\n"
              "node:x:1000:1000:node:/home/node:/bin/bash\n");
    EXPECT_EQ(ReadAll(box.sandbox.stderrFd.get()), "err\n");
    EXPECT_EQ(Wait(box), 0);
}

TEST_F(BwrapLauncherTest, EnginePidIsPidTwoWithTheAgentsHostUid) {
    Box& box = start("agent-one", 0, {"sleep", "1000"});
    ASSERT_GT(box.enginePid, 0);
    std::string u = std::to_string(box.uid);
    EXPECT_EQ(StatusField(box.enginePid, "Uid"), u + "\t" + u + "\t" + u + "\t" + u);
    EXPECT_EQ(StatusField(box.enginePid, "NSpid"), std::to_string(box.enginePid) + "\t2");
    EXPECT_EQ(StatusField(box.enginePid, "CapEff"), "0000000000000000");
    EXPECT_EQ(StatusField(box.sandbox.initPid, "NSpid"),
              std::to_string(box.sandbox.initPid) + "\t1");
    std::vector<pid_t> all = SandboxProcesses(box.sandbox.initPid);
    EXPECT_EQ(all.size(), 2u);
}

TEST_F(BwrapLauncherTest, CommandLineInsideShowsNoHostPath) {
    Box& box = start("agent-one", 0, {"/bin/sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline"});
    std::string cmdline = ReadAll(box.sandbox.stdoutFd.get());
    EXPECT_EQ(cmdline.rfind("bwrap --args 3 -- /bin/sh -c", 0), 0u) << cmdline;
    EXPECT_EQ(cmdline.find(temp_.path()), std::string::npos) << cmdline;
    EXPECT_EQ(Wait(box), 0);
}

TEST_F(BwrapLauncherTest, EtcHoldsNoHostSecrets) {
    Box& box = start("agent-one", 0,
                     {"/bin/sh", "-c",
                      "for f in /etc/shadow /etc/gshadow /etc/sudoers /etc/sudoers.d /etc/ssh "
                      "/etc/machine-id; do test -e $f && echo \"visible $f\"; done; "
                      "cat /etc/hosts; touch /etc/x 2>/dev/null || echo etc-read-only; "
                      "touch /usr/x 2>/dev/null || echo usr-read-only"});
    EXPECT_EQ(ReadAll(box.sandbox.stdoutFd.get()),
              "127.0.0.1\tlocalhost\n127.0.1.1\tagent-one\n::1\tlocalhost ip6-localhost "
              "ip6-loopback\netc-read-only\nusr-read-only\n");
    EXPECT_EQ(Wait(box), 0);
}

TEST_F(BwrapLauncherTest, SeesItsHomeAndEngineMountsButNotTheHost) {
    std::string engineDir = temp_.path() + "/engine";
    ASSERT_EQ(::mkdir(engineDir.c_str(), 0755), 0);
    std::ofstream(engineDir + "/tool.txt") << "engine file\n";
    Box& other = start("agent-two", 1, {"sleep", "1000"});
    std::ofstream(other.home + "/clawd/private.txt") << "two's\n";
    std::string otherHome = other.home;
    Box& box = start("agent-one", 0,
                     {"/bin/sh", "-c",
                      "cat /opt/engine/tool.txt; touch /opt/engine/x 2>/dev/null || echo ro; "
                      "ls " +
                          otherHome +
                          " 2>/dev/null || echo no-other-home; "
                          "ls " +
                          temp_.path() +
                          " 2>/dev/null || echo no-data-dir; "
                          "echo mine > /home/node/clawd/mine.txt && echo home-writable"},
                     {{engineDir, "/opt/engine"}});
    EXPECT_EQ(ReadAll(box.sandbox.stdoutFd.get()),
              "engine file\nro\nno-other-home\nno-data-dir\nhome-writable\n");
    EXPECT_EQ(Wait(box), 0);
    std::ifstream mine(box.home + "/clawd/mine.txt");
    std::string text;
    std::getline(mine, text);
    EXPECT_EQ(text, "mine");
}

TEST_F(BwrapLauncherTest, ExitCodeOfTheEngineIsBwrapsExitCode) {
    Box& box = start("agent-one", 0, {"/bin/sh", "-c", "exit 5"});
    EXPECT_EQ(Wait(box), 5);
    Box& killed = start("agent-two", 1, {"/bin/sh", "-c", "kill -KILL $$"});
    EXPECT_EQ(Wait(killed), 128 + 9);
}

TEST_F(BwrapLauncherTest, MissingEngineCommandFailsInsideTheSandbox) {
    Box& box = start("agent-one", 0, {"no-such-engine-binary"});
    std::string err = ReadAll(box.sandbox.stderrFd.get());
    EXPECT_NE(err.find("no-such-engine-binary"), std::string::npos) << err;
    EXPECT_EQ(Wait(box), 1);
}

TEST_F(BwrapLauncherTest, KillingInitEndsEveryProcessOfTheSandbox) {
    Box& box = start("agent-one", 0, {"/bin/sh", "-c", "sleep 1000 & sleep 1000 & sleep 1000"});
    ASSERT_TRUE(test::WaitFor([&] { return SandboxProcesses(box.sandbox.initPid).size() >= 5; }));
    ::kill(box.sandbox.initPid, SIGKILL);
    Wait(box);
    EXPECT_TRUE(test::WaitFor([&] { return test::ProcessesOfUid(box.uid).empty(); }));
}

TEST(BwrapLauncher, DestroyingTheLauncherKillsItsSandboxes) {
    testing::TempDir temp;
    test::MakeTraversable(temp.path());
    uint32_t uid = test::TestUid();
    std::string home = temp.path() + "/home";
    ASSERT_TRUE(PrepareAgentHome(home, uid).ok());
    SandboxSpec spec;
    spec.agentId = "short-lived";
    spec.hostUid = uid;
    spec.homeDir = home;
    spec.argv = {"sleep", "1000"};
    pid_t bwrapPid = -1;
    {
        BwrapLauncher launcher;
        Result<LaunchedSandbox> launched = launcher.launch(spec);
        ASSERT_TRUE(launched.ok()) << launched.status().ToString();
        bwrapPid = launched->bwrapPid;
        // Once pid 2 runs, bwrap's init has armed its parent-death signal.
        pid_t init = launched->initPid;
        ASSERT_TRUE(test::WaitFor([&] { return FindEnginePid(init).has_value(); }));
    }
    int status = 0;
    ASSERT_EQ(::waitpid(bwrapPid, &status, 0), bwrapPid);
    EXPECT_TRUE(test::WaitFor([&] { return test::ProcessesOfUid(uid).empty(); }));
}

TEST(BwrapLauncher, RefusesRootAndBadIds) {
    BwrapLauncher launcher;
    SandboxSpec spec;
    spec.agentId = "ok";
    spec.homeDir = "/tmp";
    spec.argv = {"true"};
    EXPECT_EQ(launcher.launch(spec).status().ToString(),
              "InvalidArgument: An agent never runs as root (uid 0)");
    spec.hostUid = 123456;
    spec.agentId = "../x";
    EXPECT_EQ(launcher.launch(spec).status().ToString(),
              "InvalidArgument: Invalid agent id for a sandbox: ../x");
}

TEST(BwrapLauncher, ArgumentsUnshareEverythingAndDropUserNamespaces) {
    SandboxSpec spec;
    spec.agentId = "a1";
    spec.hostUid = 1234;
    spec.homeDir = "/data/agents/a1/home";
    spec.argv = {"engine"};
    std::vector<std::string> args = BuildBwrapArgs(spec);
    std::string text;
    for (const auto& a : args)
        text += a + " ";
    for (const char* expected :
         {"--unshare-user --unshare-pid --unshare-net --unshare-ipc --unshare-uts "
          "--unshare-cgroup-try --disable-userns --uid 1000 --gid 1000 --die-with-parent "
          "--new-session --hostname a1 --clearenv ",
          "--ro-bind /usr /usr ", "--tmpfs /etc ", "--ro-bind-data 5 /etc/passwd ",
          "--remount-ro /etc ", "--proc /proc --dev /dev --tmpfs /tmp ",
          "--bind /data/agents/a1/home /home/node ", "--chdir /home/node/clawd --info-fd 4 "}) {
        EXPECT_NE(text.find(expected), std::string::npos) << expected << "\nin: " << text;
    }
    EXPECT_EQ(text.find("shadow"), std::string::npos);
    EXPECT_EQ(text.find("sudoers"), std::string::npos);
    EXPECT_EQ(text.find("/etc/ssh"), std::string::npos);
}

}  // namespace
}  // namespace pinfold::sandbox
