#include "sandbox/agent_home.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "sandbox/sandbox_test_util.h"
#include "support/temp_dir.h"

namespace pinfold::sandbox {
namespace {

std::string Describe(const std::string& path) {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0)
        return "missing";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%o %u:%u", st.st_mode & 07777, st.st_uid, st.st_gid);
    return buf;
}

TEST(AgentHome, CreatesAPrivateHomeWithWorkspaceAndTraversableParents) {
    testing::TempDir temp;  // mkdtemp: 0700 root
    uint32_t uid = test::TestUid();
    std::string data = temp.path() + "/data";
    ASSERT_EQ(::mkdir(data.c_str(), 0700), 0);
    std::string home = data + "/agents/a1/home";
    ASSERT_TRUE(PrepareAgentHome(home, uid).ok());

    std::string u = std::to_string(uid);
    EXPECT_EQ(Describe(temp.path()), "711 0:0");
    EXPECT_EQ(Describe(data), "711 0:0");
    EXPECT_EQ(Describe(data + "/agents"), "711 0:0");
    EXPECT_EQ(Describe(data + "/agents/a1"), "711 0:0");
    EXPECT_EQ(Describe(home), "700 " + u + ":" + u);
    EXPECT_EQ(Describe(home + "/clawd"), "755 " + u + ":" + u);
    EXPECT_EQ(Describe(home + "/clawd/workspace"), "755 " + u + ":" + u);
}

TEST(AgentHome, GivesAnExistingHomeToANewUidWithoutFollowingSymlinks) {
    testing::TempDir temp;
    uint32_t oldUid = test::TestUid(0);
    uint32_t newUid = test::TestUid(1);
    std::string home = temp.path() + "/home";
    ASSERT_TRUE(PrepareAgentHome(home, oldUid).ok());
    std::ofstream(home + "/clawd/notes.txt") << "n";
    std::string outside = temp.path() + "/outside.txt";
    std::ofstream(outside) << "root's";
    ASSERT_EQ(::symlink(outside.c_str(), (home + "/clawd/link").c_str()), 0);

    ASSERT_TRUE(PrepareAgentHome(home, newUid).ok());
    std::string u = std::to_string(newUid);
    EXPECT_EQ(Describe(home), "700 " + u + ":" + u);
    EXPECT_EQ(Describe(home + "/clawd/notes.txt").substr(4), u + ":" + u);
    EXPECT_EQ(Describe(outside).substr(4), "0:0");
}

TEST(AgentHome, RefusesRootAndRelativePaths) {
    EXPECT_EQ(PrepareAgentHome("/tmp/x", 0).ToString(),
              "InvalidArgument: An agent never runs as root (uid 0)");
    EXPECT_EQ(PrepareAgentHome("relative/home", 1234).ToString(),
              "InvalidArgument: Agent home must be an absolute path: relative/home");
}

TEST(AgentHome, MakeReadableByAllIsChmodAPlusCapitalX) {
    testing::TempDir temp;
    std::string dir = temp.path() + "/engine";
    ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
    std::ofstream(dir + "/data.txt") << "d";
    ::chmod((dir + "/data.txt").c_str(), 0600);
    std::ofstream(dir + "/tool") << "#!/bin/sh\n";
    ::chmod((dir + "/tool").c_str(), 0700);
    ASSERT_TRUE(MakeReadableByAll(dir).ok());
    EXPECT_EQ(Describe(dir), "755 0:0");
    EXPECT_EQ(Describe(dir + "/data.txt"), "644 0:0");
    EXPECT_EQ(Describe(dir + "/tool"), "755 0:0");
}

}  // namespace
}  // namespace pinfold::sandbox
