// The tool sandbox with real bubblewrap: a tool sees the agent's home and what the caller binds,
// as uid 1000, with no network and none of the host's own files beyond /usr.
#include "sandbox/tool_sandbox.h"

#include <gtest/gtest.h>

#include "sandbox/agent_home.h"
#include "sandbox/sandbox_test_util.h"
#include "support/temp_dir.h"

namespace pinfold::sandbox {
namespace {

TEST(ToolSandbox, SeesOnlyTheAgentsHomeAndItsBindsAsTheAgent) {
    testing::TempDir temp;
    test::MakeTraversable(temp.path());
    std::string home = temp.path() + "/home";
    uint32_t uid = test::TestUid();
    ASSERT_TRUE(PrepareAgentHome(home, uid).ok());
    std::string extra = temp.path() + "/extra";
    ASSERT_EQ(::mkdir(extra.c_str(), 0700), 0);
    ASSERT_EQ(::chown(extra.c_str(), uid, uid), 0);

    ToolSandboxSpec spec{
        uid, home, {{extra, "/pinfold/extra"}}, {{"GREETING", "hi"}}, "/home/node"};
    Result<ProcessOutput> out = RunInAgentView(
        spec,
        {"/bin/sh", "-c",
         "id -u; pwd; echo $GREETING; touch /pinfold/extra/made clawd/made && echo wrote; "
         "ls /etc 2>&1 | head -1; cat /proc/net/dev | grep -c ':'"},
        {});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(
        out->stdoutText,
        "1000\n/home/node\nhi\nwrote\nls: cannot access '/etc': No such file or directory\n1\n")
        << out->stderrText;
    struct stat st;
    ASSERT_EQ(::stat((extra + "/made").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, uid);  // uid 1000 inside is the agent's host uid outside
    ASSERT_EQ(::stat((home + "/clawd/made").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, uid);

    spec.hostUid = 0;
    EXPECT_EQ(RunInAgentView(spec, {"true"}, {}).status().ToString(),
              "InvalidArgument: Tools never run as root on an agent's files");
}

}  // namespace
}  // namespace pinfold::sandbox
