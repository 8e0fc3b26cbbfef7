// WorkspaceGit: the git repository of one agent's workspace — the work tree is the agent's
// /home/node/clawd, the git folder lives outside the agent's view (DataLayout::agentRepository).
// Every git command runs in a tool sandbox (sandbox/tool_sandbox.h) as the agent's uid, with no
// system or global config, so nothing in the agent's files can make git act as the server.
//
// Thread-safe as far as git is: callers serialise changes to one repository (SnapshotService
// holds a per-agent lock).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "sandbox/process_runner.h"
#include "sandbox/tool_sandbox.h"

namespace pinfold::services {

inline constexpr const char* kRepositoryRoot = "/home/node/clawd";  // the work tree, as seen inside
inline constexpr const char* kGitDirInside = "/pinfold/repo.git";  // the git folder, as seen inside

struct GitCommitOutcome {
    std::string sha;       // HEAD after the call
    bool created = false;  // a new commit was made
    // Files that changed again while they were being added: their committed content may be a
    // half-written state (the caller retries or reports them).
    std::vector<std::string> stillChanging;
};

struct GitWorkTreeState {
    std::optional<std::string> head;  // nullopt before the first commit
    bool pendingChanges = false;      // tracked or untracked (not ignored) files differ from HEAD
};

struct GitTreeEntry {
    std::string path;  // '/'-separated, relative to the work tree
    enum class Kind { kFile, kExecutable, kSymlink, kSubmodule } kind = Kind::kFile;
};

class WorkspaceGit {
  public:
    WorkspaceGit(std::string repositoryDir, std::string homeDir, uint32_t hostUid);

    // Creates the git folder on first use (branch main, receive settings for smart HTTP) and
    // keeps its settings current. Needs root: it hands the new folder to the agent's uid.
    Status ensureInitialized();

    // HEAD and whether the work tree differs from it, in one git call (git status).
    Result<GitWorkTreeState> state();
    // True when the work tree differs from HEAD (or there is no commit yet).
    Result<bool> hasPendingChanges();
    // git add -A and a commit when anything is staged, or when there is no commit yet.
    Result<GitCommitOutcome> commitAll(const std::string& message);
    Result<std::optional<std::string>> head();
    Result<bool> hasCommit(const std::string& sha);
    Result<std::vector<GitTreeEntry>> listTree(const std::string& sha);
    // Makes the index and work tree equal to the tree of `sha` (tracked files not in it are
    // removed; ignored files stay), without moving HEAD: the caller commits the result.
    Status checkoutTree(const std::string& sha);
    // Removes every tracked and untracked (not ignored) file from the work tree and index.
    Status clearWorkTree();
    // `git diff --shortstat` text and the unified diff (at most maxBytes, then a marker line)
    // from `from` (nullopt: the empty tree) to `to`.
    Result<std::string> shortStat(const std::optional<std::string>& from, const std::string& to);
    Result<std::string> diff(const std::optional<std::string>& from, const std::string& to,
                             size_t maxBytes);

    // Runs git with these arguments in the tool sandbox, for what the methods above do not
    // cover (git http-backend). `env` is added to the repository's own.
    Result<sandbox::ProcessOutput> run(const std::vector<std::string>& args,
                                       const std::map<std::string, std::string>& env = {},
                                       sandbox::RunOptions options = {});

    const std::string& repositoryDir() const { return repositoryDir_; }

  private:
    // run(), with a non-zero exit turned into Internal "git <verb> failed: <stderr>".
    Result<std::string> runOk(const std::vector<std::string>& args);

    const std::string repositoryDir_;
    const std::string homeDir_;
    const uint32_t hostUid_;
};

}  // namespace pinfold::services
