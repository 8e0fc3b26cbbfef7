#include "sandbox/ns_exec.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "sandbox/sandbox_fixture.h"

namespace pinfold::sandbox {
namespace {

using std::chrono::milliseconds;

class NsExec : public test::SandboxFixture {
  protected:
    void SetUp() override {
        SandboxFixture::SetUp();
        box_ = &start("agent-one", 0, {"sleep", "100000"});
        ASSERT_GT(box_->enginePid, 0);
    }

    Result<ProcessOutput> run(const std::string& command,
                              milliseconds timeout = milliseconds(20000),
                              const std::string& cwd = "/home/node/clawd/workspace",
                              size_t maxBytes = 1 << 20) {
        NsExecRequest req;
        req.targetPid = box_->enginePid;
        req.command = command;
        req.cwd = cwd;
        req.timeout = timeout;
        req.maxOutputBytes = maxBytes;
        req.env = {{"AGENT_SECRET", "s3"}};
        return ExecInNamespaces(req);
    }

    ProcessOutput ok(const std::string& command) {
        Result<ProcessOutput> r = run(command);
        EXPECT_TRUE(r.ok()) << r.status().ToString();
        return r.ok() ? *r : ProcessOutput{};
    }

    Box* box_ = nullptr;
};

TEST_F(NsExec, RunsAsUid1000InsideAndTheAgentsUidOutside) {
    ProcessOutput out = ok("id -u; id -g; id -G; pwd; hostname");
    EXPECT_EQ(out.stdoutText, "1000\n1000\n1000\n/home/node/clawd/workspace\nagent-one\n");
    EXPECT_EQ(out.exitCode, 0);
    EXPECT_EQ(ok("grep CapEff /proc/self/status").stdoutText, "CapEff:\t0000000000000000\n");
    // It sees the sandbox's pid namespace: the engine is pid 2.
    EXPECT_EQ(ok("cat /proc/2/cmdline | tr '\\0' ' '").stdoutText, "sleep 100000 ");
}

TEST_F(NsExec, TheHostSeesTheCommandUnderTheAgentsUid) {
    ProcessOutput out = ok("sleep 31337 >/dev/null 2>&1 & echo started");
    EXPECT_EQ(out.stdoutText, "started\n");
    // Found from outside: the command's host uid is the agent's, never root.
    std::string uid = std::to_string(box_->uid);
    int found = 0;
    for (int pid : test::ProcessesOfUid(box_->uid)) {
        std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline");
        std::string args((std::istreambuf_iterator<char>(cmdline)), {});
        if (args == std::string("sleep\0"
                                "31337\0",
                                12))
            ++found;
    }
    EXPECT_EQ(found, 1);
    for (int pid : test::ProcessesOfUid(0)) {
        std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline");
        std::string args((std::istreambuf_iterator<char>(cmdline)), {});
        EXPECT_NE(args, std::string("sleep\0"
                                    "31337\0",
                                    12))
            << "runs as host root";
    }
}

TEST_F(NsExec, MissingCommandIs127WithShellsMessage) {
    ProcessOutput out = ok("definitely-not-a-command");
    EXPECT_EQ(out.exitCode, 127);
    EXPECT_EQ(out.stdoutText, "");
    EXPECT_EQ(out.stderrText, "sh: 1: definitely-not-a-command: not found\n");
}

TEST_F(NsExec, StdinIsClosedAndHeredocsWork) {
    EXPECT_EQ(ok("read x; echo done").stdoutText, "done\n");
    EXPECT_EQ(ok("cat <<'EOF' > /tmp/x\nhi there\nEOF\ncat /tmp/x").stdoutText, "hi there\n");
    EXPECT_EQ(ok("exit 3").exitCode, 3);
}

TEST_F(NsExec, EnvironmentIsCleanPlusTheAgentsEnv) {
    EXPECT_EQ(ok("env | sort").stdoutText,
              "AGENT_SECRET=s3\nHOME=/home/node\nLOGNAME=node\nPATH=/usr/local/bin:/usr/bin:/bin\n"
              "PWD=/home/node/clawd/workspace\nUSER=node\n");
}

TEST_F(NsExec, BackgroundedCommandsDoNotHoldTheRequest) {
    ProcessOutput nohup = ok("nohup sleep 100 >/dev/null 2>&1 &");
    EXPECT_EQ(nohup.exitCode, 0);
    EXPECT_FALSE(nohup.timedOut);
    // With stdout inherited, the result comes ~100 ms after the shell exits.
    ProcessOutput inherited = ok("sleep 100 & echo bg");
    EXPECT_EQ(inherited.stdoutText, "bg\n");
    EXPECT_EQ(inherited.exitCode, 0);
    EXPECT_FALSE(inherited.timedOut);
}

TEST_F(NsExec, TimeoutKillsTheWholeProcessGroup) {
    Result<ProcessOutput> r = run("sleep 30 & sleep 30", milliseconds(1000));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r->timedOut);
    EXPECT_EQ(r->exitCode, 128 + 9);
    EXPECT_EQ(ok("ps -eo args | grep -c '^sleep 30' || true").stdoutText, "0\n");
}

TEST_F(NsExec, OutputIsCappedPerStream) {
    Result<ProcessOutput> r = run("head -c 2000000 /dev/zero | tr '\\0' a; echo e >&2",
                                  milliseconds(20000), "/home/node/clawd/workspace", 1000);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->stdoutText, std::string(1000, 'a'));
    EXPECT_EQ(r->stderrText, "e\n");
    EXPECT_TRUE(r->truncated);
    EXPECT_EQ(r->exitCode, 0);
}

TEST_F(NsExec, MissingCwdIsRefusedBeforeRunning) {
    Result<ProcessOutput> r =
        run("touch /home/node/ran", milliseconds(5000), "/home/node/clawd/nope");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().ToString(), "InvalidArgument: Invalid command: cwd does not exist");
    EXPECT_EQ(ok("test -e /home/node/ran && echo ran || echo not-run").stdoutText, "not-run\n");
    EXPECT_EQ(run("pwd", milliseconds(5000), "/tmp")->stdoutText, "/tmp\n");
}

TEST_F(NsExec, TheAgentCannotReachHostSecretsOrRemount) {
    ProcessOutput shadow = ok("cat /etc/shadow");
    EXPECT_NE(shadow.exitCode, 0);
    EXPECT_EQ(shadow.stdoutText, "");
    ProcessOutput remount = ok("mount -o remount,rw /usr");
    EXPECT_NE(remount.exitCode, 0);
    EXPECT_NE(ok("touch /usr/pinfold-escape").exitCode, 0);
    EXPECT_NE(ok("ls " + temp_.path()).exitCode, 0);
    EXPECT_NE(ok("unshare -U true").exitCode, 0);
    EXPECT_EQ(ok("cat /proc/1/status | grep ^Uid").stdoutText, "Uid:\t1000\t1000\t1000\t1000\n");
}

TEST_F(NsExec, GoneSandboxIsNotFound) {
    Result<ProcessOutput> r =
        ExecInNamespaces(999999999, 1000, "true", "/", milliseconds(1000), 100);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().ToString(), "NotFound: Sandbox process 999999999 not found");
}

}  // namespace
}  // namespace pinfold::sandbox
