// WorkspaceGit on a real agent home: git runs in the tool sandbox as the agent's uid, and the
// repository's git folder stays outside the agent's view.
#include "services/workspace_git.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/agent_home.h"
#include "support/temp_dir.h"

namespace pinfold::services {
namespace {

constexpr uint32_t kUid = 296001;

class WorkspaceGitTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (::geteuid() != 0)
            GTEST_SKIP() << "needs root to switch to the agent's uid";
        ASSERT_TRUE(sandbox::PrepareAgentHome(home(), kUid).ok());
    }
    std::string home() const { return dir_.path() + "/agent/home"; }
    std::string repo() const { return dir_.path() + "/agent/repo.git"; }
    // Writes a file as the agent would (owned by its uid).
    void Write(const std::string& path, const std::string& text) {
        int code = -1;
        testing::RunShell("mkdir -p \"$(dirname '" + home() + "/clawd/" + path +
                              "')\" && printf '%s' '" + text + "' > '" + home() + "/clawd/" + path +
                              "' && chown -R " + std::to_string(kUid) + ":" + std::to_string(kUid) +
                              " '" + home() + "/clawd'",
                          &code);
        ASSERT_EQ(code, 0);
    }
    std::string Read(const std::string& path) {
        return testing::RunShell("cat '" + home() + "/clawd/" + path + "' 2>&1");
    }

    testing::TempDir dir_;
};

TEST_F(WorkspaceGitTest, CommitsChangesAndRestoresATree) {
    WorkspaceGit git(repo(), home(), kUid);
    Status init = git.ensureInitialized();
    ASSERT_TRUE(init.ok()) << init.ToString();
    struct stat st;
    ASSERT_EQ(::stat(repo().c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, kUid);
    EXPECT_EQ(st.st_mode & 0777, 0700u);

    Write("workspace/a.txt", "one");
    Write("workspace/runs/r1/out.txt", "ignored by the spec");
    Result<bool> pending = git.hasPendingChanges();
    ASSERT_TRUE(pending.ok()) << pending.status().ToString();
    EXPECT_TRUE(*pending);
    Result<GitCommitOutcome> first = git.commitAll("first");
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    EXPECT_TRUE(first->created);
    EXPECT_EQ(first->sha.size(), 40u);
    EXPECT_TRUE(first->stillChanging.empty());
    EXPECT_FALSE(*git.hasPendingChanges());

    Result<std::vector<GitTreeEntry>> tree = git.listTree(first->sha);
    ASSERT_TRUE(tree.ok()) << tree.status().ToString();
    ASSERT_EQ(tree->size(), 1u);
    EXPECT_EQ((*tree)[0].path, "workspace/a.txt");

    Result<GitCommitOutcome> same = git.commitAll("nothing");
    ASSERT_TRUE(same.ok());
    EXPECT_FALSE(same->created);
    EXPECT_EQ(same->sha, first->sha);

    Write("workspace/a.txt", "two");
    Write("workspace/b.txt", "bee");
    Result<GitCommitOutcome> second = git.commitAll("second");
    ASSERT_TRUE(second.ok());
    EXPECT_TRUE(second->created);
    EXPECT_EQ(*git.shortStat(first->sha, second->sha),
              "2 files changed, 2 insertions(+), 1 deletion(-)");
    Result<std::string> diff = git.diff(first->sha, second->sha, 1 << 20);
    ASSERT_TRUE(diff.ok());
    EXPECT_NE(diff->find("+two"), std::string::npos) << *diff;

    ASSERT_TRUE(git.checkoutTree(first->sha).ok());
    EXPECT_EQ(Read("workspace/a.txt"), "one");
    EXPECT_EQ(::access((home() + "/clawd/workspace/b.txt").c_str(), F_OK), -1);
    EXPECT_EQ(Read("workspace/runs/r1/out.txt"), "ignored by the spec");
    EXPECT_TRUE(*git.hasCommit(second->sha));
    EXPECT_FALSE(*git.hasCommit(std::string(40, 'a')));
}

// receive-pack runs the push-to-checkout hook with GIT_WORK_TREE naming the git folder; the hook
// must move the real work tree, and only when nothing changed since HEAD.
TEST_F(WorkspaceGitTest, PushHookMovesTheRealWorkTreeOnlyWhenItIsClean) {
    WorkspaceGit git(repo(), home(), kUid);
    Status init = git.ensureInitialized();
    ASSERT_TRUE(init.ok()) << init.ToString();
    Write("workspace/a.txt", "one");
    Result<GitCommitOutcome> first = git.commitAll("first");
    ASSERT_TRUE(first.ok());
    Write("workspace/b.txt", "pushed");
    Result<GitCommitOutcome> pushed = git.commitAll("pushed");
    ASSERT_TRUE(pushed.ok());
    ASSERT_EQ(git.run({"reset", "-q", "--hard", first->sha})->exitCode, 0);
    ASSERT_EQ(::access((home() + "/clawd/workspace/b.txt").c_str(), F_OK), -1);
    const std::map<std::string, std::string> asReceivePack = {{"GIT_WORK_TREE", kGitDirInside}};
    const std::vector<std::string> hook = {"hook", "run", "push-to-checkout", "--", pushed->sha};

    Write("workspace/a.txt", "changed by the agent");
    Result<sandbox::ProcessOutput> dirty = git.run(hook, asReceivePack);
    ASSERT_TRUE(dirty.ok());
    EXPECT_EQ(dirty->exitCode, 1);
    EXPECT_EQ(dirty->stderrText, "Working directory has unstaged changes\n");
    EXPECT_EQ(::access((home() + "/clawd/workspace/b.txt").c_str(), F_OK), -1);

    Write("workspace/a.txt", "one");
    Result<sandbox::ProcessOutput> clean = git.run(hook, asReceivePack);
    ASSERT_TRUE(clean.ok());
    EXPECT_EQ(clean->exitCode, 0) << clean->stderrText;
    EXPECT_EQ(Read("workspace/b.txt"), "pushed");
    EXPECT_EQ(::access((repo() + "/workspace").c_str(), F_OK), -1);
}

TEST_F(WorkspaceGitTest, AgentConfigInTheWorkTreeIsNeverRun) {
    WorkspaceGit git(repo(), home(), kUid);
    Status init = git.ensureInitialized();
    ASSERT_TRUE(init.ok()) << init.ToString();
    // A .git folder of the agent's own, with a hook and a filter: git must ignore both.
    Write(".git/config",
          "[core]\n\thooksPath = /tmp\n[filter \"x\"]\n\tclean = touch /tmp/pwned\n");
    Write(".gitattributes", "* filter=x\n");
    Write("workspace/a.txt", "one");
    Result<GitCommitOutcome> outcome = git.commitAll("first");
    ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
    Result<std::vector<GitTreeEntry>> tree = git.listTree(outcome->sha);
    ASSERT_TRUE(tree.ok());
    std::vector<std::string> paths;
    for (const auto& e : *tree)
        paths.push_back(e.path);
    EXPECT_EQ(paths, (std::vector<std::string>{".gitattributes", "workspace/a.txt"}));
    EXPECT_EQ(::access("/tmp/pwned", F_OK), -1);
}

TEST_F(WorkspaceGitTest, ASymlinkedWorkTreeStaysInsideTheAgentsView) {
    WorkspaceGit git(repo(), home(), kUid);
    Status init = git.ensureInitialized();
    ASSERT_TRUE(init.ok()) << init.ToString();
    // The agent replaces its repository root with a symlink to a host folder.
    testing::RunShell("rm -rf '" + home() + "/clawd' && ln -s /etc '" + home() + "/clawd'");
    Result<GitCommitOutcome> outcome = git.commitAll("escape");
    // Inside the tool sandbox /etc is an empty tmpfs-free view: either the commit fails or it
    // holds nothing of the host's /etc.
    if (outcome.ok()) {
        Result<std::vector<GitTreeEntry>> tree = git.listTree(outcome->sha);
        ASSERT_TRUE(tree.ok());
        for (const auto& e : *tree)
            EXPECT_NE(e.path, "passwd");
    }
}

}  // namespace
}  // namespace pinfold::services
