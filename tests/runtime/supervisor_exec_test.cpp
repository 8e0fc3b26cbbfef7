// exec, connect and confinement of agents run by the LocalSupervisor (real sandboxes).
#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <fstream>
#include <thread>

#include "runtime/health_check.h"
#include "runtime/supervisor_fixture.h"
#include "sandbox/unique_fd.h"

namespace pinfold::runtime {
namespace {

using std::chrono::milliseconds;
using test::SupervisorFixture;

class SupervisorExec : public SupervisorFixture {
  protected:
    void SetUp() override {
        SupervisorFixture::SetUp();
        ASSERT_TRUE(supervisor().start(spec("agent-a", http_)).ok());
        ASSERT_TRUE(waitForState("agent-a", ProcessState::kRunning)) << logs("agent-a");
    }
};

TEST_F(SupervisorExec, RunsAsUid1000InTheWorkspace) {
    ExecResult r = exec("agent-a", "id -u; pwd; hostname; echo err >&2");
    EXPECT_EQ(r.stdoutText, "1000\n/home/node/clawd/workspace\nagent-a\n");
    EXPECT_EQ(r.stderrText, "err\n");
    EXPECT_EQ(r.exitCode, 0);
    EXPECT_EQ(exec("agent-a", "pwd", milliseconds(5000), "/tmp").stdoutText, "/tmp\n");
    EXPECT_EQ(exec("agent-a", "pwd", milliseconds(5000), "workspace").stdoutText,
              "/home/node/clawd/workspace\n");
    EXPECT_EQ(exec("agent-a", "echo $GATEWAY_TOKEN").stdoutText, "gw-token-of-agent-a\n");
    EXPECT_EQ(exec("agent-a", "grep CapEff /proc/self/status").stdoutText,
              "CapEff:\t0000000000000000\n");
}

TEST_F(SupervisorExec, ShellBehavesAsExpected) {
    ExecResult missing = exec("agent-a", "definitely-not-a-command");
    EXPECT_EQ(missing.exitCode, 127);
    EXPECT_EQ(missing.stderrText, "sh: 1: definitely-not-a-command: not found\n");
    EXPECT_EQ(exec("agent-a", "read x; echo done").stdoutText, "done\n");
    EXPECT_EQ(exec("agent-a", "cat <<'EOF' > /tmp/x\nhi\nEOF\ncat /tmp/x").stdoutText, "hi\n");
    ExecResult background = exec("agent-a", "nohup sleep 100 >/dev/null 2>&1 &");
    EXPECT_EQ(background.exitCode, 0);
    EXPECT_FALSE(background.timedOut);
    EXPECT_EQ(exec("agent-a", "exit 3").exitCode, 3);
}

TEST_F(SupervisorExec, TimeoutKillsTheCommandAndItsChildren) {
    ExecResult r = exec("agent-a", "sleep 30 & sleep 30", milliseconds(1000));
    EXPECT_TRUE(r.timedOut);
    EXPECT_EQ(exec("agent-a", "ps -eo args | grep -c '^sleep 30' || true").stdoutText, "0\n");
}

TEST_F(SupervisorExec, AReadableCancelFdKillsTheCommandAndItsChildren) {
    sandbox::UniqueFd cancel(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    std::thread canceller([&] {
        std::this_thread::sleep_for(milliseconds(300));
        uint64_t one = 1;
        (void)!::write(cancel.get(), &one, sizeof one);
    });
    ExecRequest req;
    req.command = "sleep 31 & sleep 31";
    req.cancelFd = cancel.get();
    auto started = std::chrono::steady_clock::now();
    Result<ExecResult> r = supervisor_->exec("agent-a", req);
    canceller.join();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r->cancelled);
    EXPECT_FALSE(r->timedOut);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
    EXPECT_EQ(exec("agent-a", "ps -eo args | grep -c '^sleep 31' || true").stdoutText, "0\n");
}

TEST_F(SupervisorExec, MissingCwdIsInvalid) {
    ExecRequest req;
    req.command = "true";
    req.cwd = "no/such/dir";
    EXPECT_EQ(supervisor_->exec("agent-a", req).status().ToString(),
              "InvalidArgument: Invalid command: cwd does not exist");
}

TEST_F(SupervisorExec, TheAgentIsConfined) {
    ASSERT_TRUE(supervisor_->start(spec("agent-b", http_, 1)).ok());
    ASSERT_TRUE(waitForState("agent-b", ProcessState::kRunning));
    ExecResult shadow = exec("agent-a", "cat /etc/shadow");
    EXPECT_NE(shadow.exitCode, 0);
    EXPECT_EQ(shadow.stdoutText, "");
    EXPECT_NE(exec("agent-a", "mount -o remount,rw /usr").exitCode, 0);
    EXPECT_NE(exec("agent-a", "touch /usr/pinfold-escape").exitCode, 0);
    EXPECT_NE(exec("agent-a", "ls " + temp_.path() + "/data").exitCode, 0);
    EXPECT_NE(exec("agent-a", "ls " + temp_.path() + "/data/agents/agent-b/home").exitCode, 0);
    EXPECT_EQ(exec("agent-a", "ls /home").stdoutText, "node\n");
    // The other agent's home on the host is closed to this agent's uid as well.
    std::ifstream(temp_.path() + "/data/agents/agent-b/home/clawd");
    EXPECT_EQ(exec("agent-a", "cat /proc/1/cmdline | tr '\\0' ' '").stdoutText.find(temp_.path()),
              std::string::npos);
}

// One GET on a connection the supervisor made; returns the body.
std::string Get(int fd, const std::string& path) {
    std::string req = "GET " + path + " HTTP/1.0\r\nHost: agent\r\n\r\n";
    ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    std::string resp;
    char buf[4096];
    ssize_t n;
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0)
        resp.append(buf, n);
    ::close(fd);
    size_t body = resp.find("\r\n\r\n");
    return body == std::string::npos ? resp : resp.substr(body + 4);
}

TEST_F(SupervisorExec, TwoAgentsShareThePortNumberAndConnectReachesEach) {
    ASSERT_TRUE(supervisor_->start(spec("agent-b", http_, 1)).ok());
    ASSERT_TRUE(waitForState("agent-b", ProcessState::kRunning)) << logs("agent-b");
    Result<int> a = supervisor_->connect("agent-a", 18789);
    Result<int> b = supervisor_->connect("agent-b", 18789);
    ASSERT_TRUE(a.ok() && b.ok());
    std::string bodyA = Get(*a, "/hello");
    std::string bodyB = Get(*b, "/hello");
    EXPECT_NE(bodyA.find("\"hostname\": \"agent-a\""), std::string::npos) << bodyA;
    EXPECT_NE(bodyB.find("\"hostname\": \"agent-b\""), std::string::npos) << bodyB;
    EXPECT_TRUE(waitForLog("agent-a", "request GET /hello"));
    EXPECT_EQ(supervisor_->connect("agent-a", 9).status().ToString(),
              "Unavailable: Nothing listens on port 9");
}

TEST_F(SupervisorExec, LimitsApplyWhenCgroupsAllow) {
    if (!supervisor_->memoryLimitsSupported() || !supervisor_->pidsLimitsSupported()) {
        GTEST_SKIP() << "no memory/pids limits here: " << supervisor_->cgroupSupportText();
    }
    AgentLaunchSpec s = spec("agent-l", http_, 2);
    s.memoryLimitBytes = 96 << 20;
    s.pidsLimit = 40;
    ASSERT_TRUE(supervisor_->start(s).ok());
    ASSERT_TRUE(waitForState("agent-l", ProcessState::kRunning)) << logs("agent-l");
    ExecResult big =
        exec("agent-l", "python3 -c 'b = bytearray(400 * 1024 * 1024); print(len(b))'");
    EXPECT_NE(big.exitCode, 0) << big.stdoutText;
    EXPECT_EQ(big.stdoutText, "");
    ExecResult small =
        exec("agent-l", "python3 -c 'b = bytearray(8 * 1024 * 1024); print(len(b))'");
    EXPECT_EQ(small.stdoutText, "8388608\n");
    ExecResult forks = exec("agent-l",
                            "for i in $(seq 60); do sleep 5 & done 2>/dev/null; "
                            "echo started $(jobs -p | wc -l)");
    EXPECT_NE(forks.stdoutText, "started 60\n");
    // The unlimited agent next to it is not affected.
    EXPECT_EQ(
        exec("agent-a", "python3 -c 'b = bytearray(200 * 1024 * 1024); print(len(b))'").stdoutText,
        "209715200\n");
}

}  // namespace
}  // namespace pinfold::runtime
