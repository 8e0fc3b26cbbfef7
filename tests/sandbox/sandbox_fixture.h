// SandboxFixture: launches real bubblewrap sandboxes for the sandbox tests and kills them after
// each test.
#pragma once

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "sandbox/agent_home.h"
#include "sandbox/bwrap_launcher.h"
#include "sandbox/sandbox_test_util.h"
#include "support/temp_dir.h"

namespace pinfold::sandbox::test {

class SandboxFixture : public ::testing::Test {
  protected:
    struct Box {
        LaunchedSandbox sandbox;
        uint32_t uid = 0;
        std::string home;
        pid_t enginePid = -1;
    };

    void SetUp() override { MakeTraversable(temp_.path()); }

    void TearDown() override {
        // Never kill(-1): a pid of -1 or 0 would signal far more than the sandbox.
        for (auto& box : boxes_) {
            if (box->sandbox.initPid > 0)
                ::kill(box->sandbox.initPid, SIGKILL);
            if (box->sandbox.bwrapPid > 0) {
                ::kill(box->sandbox.bwrapPid, SIGKILL);
                ::waitpid(box->sandbox.bwrapPid, nullptr, 0);
            }
        }
    }

    // Starts `argv` in a fresh sandbox for agent `name` with uid TestUid(k); waits for pid 2.
    Box& start(const std::string& name, uint32_t k, std::vector<std::string> argv,
               std::vector<SandboxMount> mounts = {}) {
        auto box = std::make_unique<Box>();
        box->uid = TestUid(k);
        box->home = temp_.path() + "/" + name + "/home";
        EXPECT_TRUE(PrepareAgentHome(box->home, box->uid).ok());
        SandboxSpec spec;
        spec.agentId = name;
        spec.hostUid = box->uid;
        spec.homeDir = box->home;
        spec.argv = std::move(argv);
        spec.env = {{"AGENT_NAME", name}};
        spec.mounts = std::move(mounts);
        Result<LaunchedSandbox> launched = launcher_.launch(spec);
        EXPECT_TRUE(launched.ok()) << launched.status().ToString();
        if (launched.ok()) {
            box->sandbox = std::move(*launched);
            // Until pid 2 runs, or the sandbox is already gone (a command that exits at once).
            WaitFor([&] {
                return FindEnginePid(box->sandbox.initPid).has_value() ||
                       !Alive(box->sandbox.initPid);
            });
            box->enginePid = FindEnginePid(box->sandbox.initPid).value_or(-1);
        }
        boxes_.push_back(std::move(box));
        return *boxes_.back();
    }

    // Everything the sandbox's engine prints until it exits, and its exit code.
    static std::string ReadAll(int fd) {
        std::string text;
        char buf[4096];
        for (;;) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 20000) <= 0)
                break;
            ssize_t n = ::read(fd, buf, sizeof buf);
            if (n <= 0)
                break;
            text.append(buf, n);
        }
        return text;
    }

    static int Wait(Box& box) {
        int status = 0;
        ::waitpid(box.sandbox.bwrapPid, &status, 0);
        box.sandbox.bwrapPid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }

    testing::TempDir temp_;
    BwrapLauncher launcher_;
    std::vector<std::unique_ptr<Box>> boxes_;
};

}  // namespace pinfold::sandbox::test
