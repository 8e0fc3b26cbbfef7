#include "sandbox/process_runner.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>

namespace pinfold::sandbox {
namespace {

using std::chrono::milliseconds;

ProcessOutput RunOk(const std::vector<std::string>& argv, RunOptions options = {}) {
    Result<ProcessOutput> out = RunProcess(argv, options);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? *out : ProcessOutput{};
}

TEST(ProcessRunner, CapturesStdoutStderrAndExitCode) {
    ProcessOutput out = RunOk({"/bin/sh", "-c", "echo out; echo err >&2; exit 7"});
    EXPECT_EQ(out.stdoutText, "out\n");
    EXPECT_EQ(out.stderrText, "err\n");
    EXPECT_EQ(out.exitCode, 7);
    EXPECT_FALSE(out.truncated);
    EXPECT_FALSE(out.timedOut);
}

TEST(ProcessRunner, LooksUpTheProgramInTheGivenPath) {
    RunOptions options;
    options.env = {"PATH=/usr/bin:/bin", "GREETING=hello"};
    options.cwd = "/usr";
    ProcessOutput out = RunOk({"sh", "-c", "echo $GREETING; pwd"}, options);
    EXPECT_EQ(out.stdoutText, "hello\n/usr\n");
}

TEST(ProcessRunner, MissingExecutableIsNotFound) {
    Result<ProcessOutput> out = RunProcess({"definitely-not-a-program-xyz"}, {});
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.status().ToString(),
              "NotFound: Executable not found: definitely-not-a-program-xyz");
}

TEST(ProcessRunner, StdinIsClosed) {
    ProcessOutput out = RunOk({"/bin/sh", "-c", "read x; echo \"read=$? x=$x\""});
    EXPECT_EQ(out.stdoutText, "read=1 x=\n");
}

TEST(ProcessRunner, StdinDataIsWhatTheProgramReads) {
    RunOptions options;
    options.stdinData = std::string(200000, 'x') + "end";
    ProcessOutput out = RunOk({"/bin/sh", "-c", "wc -c; "}, options);
    EXPECT_EQ(out.stdoutText, "200003\n");
}

TEST(ProcessRunner, RunAsUidDropsToThatUidWithoutGroups) {
    if (::geteuid() != 0)
        GTEST_SKIP() << "needs root to switch uids";
    RunOptions options;
    options.runAsUid = 299999;
    ProcessOutput out = RunOk({"/bin/sh", "-c", "id -u; id -g; id -G"}, options);
    EXPECT_EQ(out.stdoutText, "299999\n299999\n299999\n");
}

TEST(ProcessRunner, TimeoutKillsTheWholeProcessGroup) {
    RunOptions options;
    options.timeout = milliseconds(300);
    ProcessOutput out = RunOk({"/bin/sh", "-c", "sleep 30 & sleep 30; echo never"}, options);
    EXPECT_TRUE(out.timedOut);
    EXPECT_EQ(out.exitCode, 128 + 9);
    EXPECT_EQ(out.stdoutText, "");
}

TEST(ProcessRunner, OutputPastTheCapIsDroppedAndReported) {
    RunOptions options;
    options.maxOutputBytes = 10;
    ProcessOutput out = RunOk({"/bin/sh", "-c", "head -c 100000 /dev/zero | tr '\\0' a"}, options);
    EXPECT_EQ(out.stdoutText, "aaaaaaaaaa");
    EXPECT_TRUE(out.truncated);
    EXPECT_EQ(out.exitCode, 0);
}

TEST(ProcessRunner, BackgroundChildHoldingStdoutDoesNotHoldTheResult) {
    RunOptions options;
    options.timeout = milliseconds(20000);
    ProcessOutput out = RunOk({"/bin/sh", "-c", "sleep 30 & echo started"}, options);
    EXPECT_EQ(out.stdoutText, "started\n");
    EXPECT_EQ(out.exitCode, 0);
    EXPECT_FALSE(out.timedOut);
}

TEST(ProcessRunner, SignalDeathIsReportedAs128PlusSignal) {
    ProcessOutput out = RunOk({"/bin/sh", "-c", "kill -TERM $$"});
    EXPECT_EQ(out.exitCode, 128 + 15);
}

TEST(ProcessRunner, FindExecutableSearchesEachFolder) {
    EXPECT_EQ(FindExecutable("sh", "/nonexistent:/bin"), "/bin/sh");
    EXPECT_EQ(FindExecutable("sh", "/nonexistent"), "");
    EXPECT_EQ(FindExecutable("/bin/sh", ""), "/bin/sh");
}

}  // namespace
}  // namespace pinfold::sandbox
