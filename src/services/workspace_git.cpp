#include "services/workspace_git.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace pinfold::services {
namespace {

// The tree of no files, for diffs against the first snapshot.
constexpr const char* kEmptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
// Paths the spec excludes from snapshots besides git-ignored ones: per-run folders of issues.
constexpr const char* kExcludes = "/workspace/runs/\n";
// receive.denyCurrentBranch=updateInstead runs this hook instead of its own work-tree update,
// which (git 2.26 and later) takes the git folder itself for the work tree when core.worktree
// points elsewhere. The hook does what updateInstead would, on the real work tree: refuse unless
// it matches HEAD, then move it to the pushed commit ($1). Without GIT_WORK_TREE, git takes the
// work tree from core.worktree.
constexpr const char* kPushToCheckoutHook = R"(#!/bin/sh
unset GIT_WORK_TREE
git update-index -q --ignore-submodules --refresh
if ! git diff-files --quiet --ignore-submodules --; then
    echo "Working directory has unstaged changes" >&2
    exit 1
fi
if ! git diff-index --quiet --cached --ignore-submodules HEAD --; then
    echo "Working directory has staged changes" >&2
    exit 1
fi
exec git read-tree -u -m HEAD "$1"
)";

std::vector<std::string> SplitNul(const std::string& text) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\0', start);
        if (end == std::string::npos)
            end = text.size();
        if (end > start)
            parts.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

std::string Trim(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    size_t first = text.find_first_not_of(' ');
    return first == std::string::npos ? "" : text.substr(first);
}

}  // namespace

WorkspaceGit::WorkspaceGit(std::string repositoryDir, std::string homeDir, uint32_t hostUid)
    : repositoryDir_(std::move(repositoryDir)), homeDir_(std::move(homeDir)), hostUid_(hostUid) {}

Result<sandbox::ProcessOutput> WorkspaceGit::run(const std::vector<std::string>& args,
                                                 const std::map<std::string, std::string>& env,
                                                 sandbox::RunOptions options) {
    sandbox::ToolSandboxSpec spec;
    spec.hostUid = hostUid_;
    spec.homeDir = homeDir_;
    spec.binds = {{repositoryDir_, kGitDirInside}};
    spec.cwd = kRepositoryRoot;
    spec.env = {
        {"GIT_DIR", kGitDirInside},
        {"GIT_CONFIG_NOSYSTEM", "1"},
        {"GIT_CONFIG_GLOBAL", "/dev/null"},
        {"GIT_TERMINAL_PROMPT", "0"},
        {"GIT_AUTHOR_NAME", "Pinfold"},
        {"GIT_AUTHOR_EMAIL", "snapshots@pinfold.local"},
        {"GIT_COMMITTER_NAME", "Pinfold"},
        {"GIT_COMMITTER_EMAIL", "snapshots@pinfold.local"},
        {"LC_ALL", "C"},
    };
    for (const auto& [key, value] : env)
        spec.env[key] = value;
    std::vector<std::string> argv = {"git"};
    argv.insert(argv.end(), args.begin(), args.end());
    return sandbox::RunInAgentView(spec, argv, std::move(options));
}

Result<std::string> WorkspaceGit::runOk(const std::vector<std::string>& args) {
    sandbox::RunOptions options;
    options.timeout = std::chrono::minutes(5);
    options.maxOutputBytes = 64 << 20;
    PINFOLD_ASSIGN_OR_RETURN(sandbox::ProcessOutput out, run(args, {}, options));
    if (out.exitCode != 0 || out.truncated) {
        std::string verb = args.empty() ? "" : args[0];
        std::string why = out.truncated ? "output too large" : Trim(out.stderrText);
        return Status::Internal("git " + verb + " failed: " + why);
    }
    return out.stdoutText;
}

Status WorkspaceGit::ensureInitialized() {
    // The hook is written last: when it is there, every step below was done.
    struct stat st;
    if (::stat((repositoryDir_ + "/hooks/push-to-checkout").c_str(), &st) == 0)
        return Status::Ok();
    if (::mkdir(repositoryDir_.c_str(), 0700) != 0 && errno != EEXIST)
        return Status::Internal(std::string("cannot create the repository: ") +
                                std::strerror(errno));
    if (::chown(repositoryDir_.c_str(), hostUid_, hostUid_) != 0)
        return Status::Internal(std::string("cannot hand over the repository: ") +
                                std::strerror(errno));
    PINFOLD_TRY(runOk({"init", "-q", "--initial-branch=main"}).status());
    const std::vector<std::vector<std::string>> settings = {
        {"core.bare", "false"},
        {"core.worktree", kRepositoryRoot},
        {"core.quotePath", "false"},
        // A push updates the work tree when it is clean (SnapshotService commits first),
        // through kPushToCheckoutHook.
        {"receive.denyCurrentBranch", "updateInstead"},
        {"http.receivepack", "true"},
        {"http.uploadpack", "true"},
        {"uploadpack.allowAnySHA1InWant", "false"},
    };
    for (const auto& kv : settings)
        PINFOLD_TRY(runOk({"config", kv[0], kv[1]}).status());
    sandbox::RunOptions options;
    options.stdinData = kExcludes;
    PINFOLD_ASSIGN_OR_RETURN(
        sandbox::ProcessOutput out,
        sandbox::RunInAgentView(
            {hostUid_, homeDir_, {{repositoryDir_, kGitDirInside}}, {}, kRepositoryRoot},
            {"/bin/sh", "-c", std::string("cat > ") + kGitDirInside + "/info/exclude"}, options));
    if (out.exitCode != 0)
        return Status::Internal("cannot write the repository's excludes: " + out.stderrText);
    options.stdinData = kPushToCheckoutHook;
    const std::string hook = std::string(kGitDirInside) + "/hooks/push-to-checkout";
    PINFOLD_ASSIGN_OR_RETURN(
        out, sandbox::RunInAgentView(
                 {hostUid_, homeDir_, {{repositoryDir_, kGitDirInside}}, {}, kRepositoryRoot},
                 {"/bin/sh", "-c",
                  std::string("mkdir -p ") + kGitDirInside + "/hooks && cat > " + hook +
                      ".new && chmod 700 " + hook + ".new && mv " + hook + ".new " + hook},
                 options));
    if (out.exitCode != 0)
        return Status::Internal("cannot write the repository's push hook: " + out.stderrText);
    return Status::Ok();
}

Result<std::optional<std::string>> WorkspaceGit::head() {
    PINFOLD_ASSIGN_OR_RETURN(sandbox::ProcessOutput out,
                             run({"rev-parse", "--verify", "-q", "HEAD^{commit}"}));
    if (out.exitCode != 0)
        return std::optional<std::string>();
    return std::optional<std::string>(Trim(out.stdoutText));
}

Result<GitWorkTreeState> WorkspaceGit::state() {
    PINFOLD_ASSIGN_OR_RETURN(std::string text, runOk({"status", "--porcelain=v2", "--branch", "-z",
                                                      "--untracked-files=all"}));
    GitWorkTreeState state;
    for (const std::string& line : SplitNul(text)) {
        constexpr std::string_view kOid = "# branch.oid ";
        if (line.rfind(kOid, 0) == 0) {
            std::string oid = line.substr(kOid.size());
            if (oid != "(initial)")
                state.head = oid;
        } else if (!line.empty() && line[0] != '#') {
            state.pendingChanges = true;
        }
    }
    return state;
}

Result<bool> WorkspaceGit::hasPendingChanges() {
    PINFOLD_ASSIGN_OR_RETURN(GitWorkTreeState current, state());
    return !current.head || current.pendingChanges;
}

Result<GitCommitOutcome> WorkspaceGit::commitAll(const std::string& message) {
    GitCommitOutcome outcome;
    // A file written while `git add` reads it shows as changed right after; add again a few
    // times before giving up and reporting it.
    for (int attempt = 0; attempt < 4; ++attempt) {
        if (attempt > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(100 * attempt));
        PINFOLD_TRY(runOk({"add", "-A"}).status());
        PINFOLD_ASSIGN_OR_RETURN(std::string changed, runOk({"diff", "--name-only", "-z"}));
        outcome.stillChanging = SplitNul(changed);
        if (outcome.stillChanging.empty())
            break;
    }
    PINFOLD_ASSIGN_OR_RETURN(std::optional<std::string> before, head());
    PINFOLD_ASSIGN_OR_RETURN(sandbox::ProcessOutput staged,
                             run({"diff", "--cached", "--quiet", "--exit-code"}));
    if (!before || staged.exitCode != 0) {
        PINFOLD_TRY(
            runOk({"commit", "-q", "--allow-empty", "--no-verify", "-m", message}).status());
        outcome.created = true;
    }
    PINFOLD_ASSIGN_OR_RETURN(std::optional<std::string> after, head());
    if (!after)
        return Status::Internal("git commit left no HEAD");
    outcome.sha = *after;
    return outcome;
}

Result<bool> WorkspaceGit::hasCommit(const std::string& sha) {
    PINFOLD_ASSIGN_OR_RETURN(sandbox::ProcessOutput out,
                             run({"cat-file", "-e", sha + "^{commit}"}));
    return out.exitCode == 0;
}

Result<std::vector<GitTreeEntry>> WorkspaceGit::listTree(const std::string& sha) {
    PINFOLD_ASSIGN_OR_RETURN(std::string text, runOk({"ls-tree", "-r", "-z", "--full-tree", sha}));
    std::vector<GitTreeEntry> entries;
    for (const std::string& line : SplitNul(text)) {
        // "<mode> <type> <object>\t<path>"
        size_t tab = line.find('\t');
        if (tab == std::string::npos || line.size() < 6)
            return Status::Internal("git ls-tree printed an unexpected line");
        GitTreeEntry entry;
        entry.path = line.substr(tab + 1);
        std::string mode = line.substr(0, 6);
        if (mode == "100755")
            entry.kind = GitTreeEntry::Kind::kExecutable;
        else if (mode == "120000")
            entry.kind = GitTreeEntry::Kind::kSymlink;
        else if (mode == "160000")
            entry.kind = GitTreeEntry::Kind::kSubmodule;
        entries.push_back(std::move(entry));
    }
    return entries;
}

Status WorkspaceGit::checkoutTree(const std::string& sha) {
    return runOk({"read-tree", "-u", "--reset", sha}).status();
}

Status WorkspaceGit::clearWorkTree() {
    PINFOLD_TRY(runOk({"rm", "-r", "-q", "-f", "--ignore-unmatch", "--", "."}).status());
    return runOk({"clean", "-f", "-d", "-q"}).status();
}

Result<std::string> WorkspaceGit::shortStat(const std::optional<std::string>& from,
                                            const std::string& to) {
    PINFOLD_ASSIGN_OR_RETURN(std::string text,
                             runOk({"diff", "--shortstat", from.value_or(kEmptyTree), to}));
    text = Trim(text);
    return text.empty() ? std::string("No changes") : text;
}

Result<std::string> WorkspaceGit::diff(const std::optional<std::string>& from,
                                       const std::string& to, size_t maxBytes) {
    sandbox::RunOptions options;
    options.maxOutputBytes = maxBytes;
    PINFOLD_ASSIGN_OR_RETURN(
        sandbox::ProcessOutput out,
        run({"diff", "--no-color", "--no-ext-diff", "--no-textconv", from.value_or(kEmptyTree), to},
            {}, options));
    if (out.exitCode != 0 && !out.truncated)
        return Status::Internal("git diff failed: " + Trim(out.stderrText));
    if (out.truncated)
        out.stdoutText += "\n[diff truncated]\n";
    return out.stdoutText;
}

}  // namespace pinfold::services
