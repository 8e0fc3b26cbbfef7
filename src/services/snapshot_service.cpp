#include "services/snapshot_service.h"

#include <algorithm>
#include <utility>

#include "content/car.h"
#include "content/exporter.h"
#include "content/importer.h"
#include "sandbox/safe_files.h"
#include "services/tree_writer.h"
#include "services/workspace_git.h"
#include "spdlog/spdlog.h"
#include "store/agent_repository.h"

namespace pinfold::services {
namespace {

// The work tree inside the agent's home (AgentFileAccess is rooted at the home, so a symlink
// put in place of clawd itself is refused, not followed).
constexpr const char* kTreeInHome = "clawd/";
// Rebuilding the DAG when files changed under it: attempts before reporting them.
constexpr int kSnapshotAttempts = 3;

WorkspaceGit GitOf(const DataLayout& layout, const store::AgentRecord& agent) {
    return WorkspaceGit(layout.agentRepository(agent.id), layout.agentHome(agent.id),
                        agent.hostUid);
}

// The CID as snapshots store it (CIDv1), from any form a user may send (CIDv0 too).
Result<content::Cid> ParseSnapshotCid(const std::string& text) {
    Result<content::Cid> cid = content::Cid::Parse(text);
    if (!cid.ok())
        return Status::InvalidArgument("Invalid snapshot CID");
    if (cid->version() == 0)
        return content::Cid::FromDigest(1, cid->codec(), cid->digest());
    return *cid;
}

}  // namespace

std::string RenderFileManifest(const std::vector<std::pair<std::string, uint64_t>>& files) {
    std::string text;
    for (const auto& [path, size] : files) {
        text += std::to_string(size);
        text += ' ';
        text += path;
        text += '\n';
    }
    return text;
}

SnapshotService::SnapshotService(store::Db& db, AgentService& agents, content::BlockStore& blocks,
                                 const Clock& clock, DataLayout layout,
                                 SnapshotServiceOptions options)
    : db_(db),
      agents_(agents),
      blocks_(blocks),
      clock_(clock),
      layout_(std::move(layout)),
      options_(options) {}

SnapshotService::~SnapshotService() {
    {
        std::lock_guard lock(autoMutex_);
        stopping_ = true;
    }
    autoWake_.notify_all();
    if (autoThread_.joinable())
        autoThread_.join();
}

std::shared_ptr<std::mutex> SnapshotService::agentLock(const std::string& agentId) {
    std::lock_guard lock(locksMutex_);
    auto& entry = agentLocks_[agentId];
    if (!entry)
        entry = std::make_shared<std::mutex>();
    return entry;
}

Result<SyncOutcome> SnapshotService::snapshotLocked(const store::AgentRecord& agent,
                                                    const std::string& message) {
    WorkspaceGit git = GitOf(layout_, agent);
    PINFOLD_TRY(git.ensureInitialized());
    store::SnapshotRepository snapshots(db_);
    store::AgentRepository agentRows(db_);
    PINFOLD_ASSIGN_OR_RETURN(std::vector<store::SnapshotRecord> newest,
                             snapshots.latest(agent.id, 1));
    const std::optional<store::SnapshotRecord> previous =
        newest.empty() ? std::nullopt : std::optional(newest[0]);

    SyncOutcome outcome;
    if (previous) {
        // The common case, nothing changed, costs one git call.
        PINFOLD_ASSIGN_OR_RETURN(GitWorkTreeState now, git.state());
        if (!now.pendingChanges && now.head == previous->commitSha) {
            outcome.lastSyncMs = clock_.nowMs();
            PINFOLD_TRY(agentRows.setLastSync(agent.id, outcome.lastSyncMs));
            outcome.snapshot = *previous;
            return outcome;
        }
    }
    content::ImportResult imported;
    GitCommitOutcome commit;
    for (int attempt = 1;; ++attempt) {
        PINFOLD_ASSIGN_OR_RETURN(commit, git.commitAll(message));
        outcome.stillChanging = commit.stillChanging;
        if (previous && previous->commitSha == commit.sha) {
            outcome.lastSyncMs = clock_.nowMs();
            PINFOLD_TRY(agentRows.setLastSync(agent.id, outcome.lastSyncMs));
            outcome.snapshot = *previous;
            return outcome;
        }
        // The DAG is built from the files on disk (fast, no copy through git), so it is checked
        // against the commit afterwards: a tracked file that differs now may have been read in
        // another state than the one committed.
        PINFOLD_ASSIGN_OR_RETURN(std::vector<GitTreeEntry> tree, git.listTree(commit.sha));
        PINFOLD_ASSIGN_OR_RETURN(
            std::unique_ptr<sandbox::AgentFileAccess> files,
            sandbox::AgentFileAccess::Open(layout_.agentHome(agent.id), agent.hostUid));
        std::vector<content::TreeEntry> entries;
        entries.reserve(tree.size());
        for (const GitTreeEntry& item : tree) {
            content::TreeEntry entry;
            entry.path = item.path;
            std::string inHome = kTreeInHome + item.path;
            if (item.kind == GitTreeEntry::Kind::kSubmodule)
                continue;  // a nested repository's commit: not content of this tree
            if (item.kind == GitTreeEntry::Kind::kSymlink) {
                entry.kind = content::TreeEntry::Kind::kSymlink;
                PINFOLD_ASSIGN_OR_RETURN(entry.symlinkTarget, files->readLink(inHome));
            } else {
                sandbox::AgentFileAccess* access = files.get();
                entry.open = [access, inHome]() -> Result<int> {
                    PINFOLD_ASSIGN_OR_RETURN(sandbox::UniqueFd fd, access->openForRead(inHome));
                    return fd.release();
                };
            }
            entries.push_back(std::move(entry));
        }
        Result<content::ImportResult> built = content::ImportTree(std::move(entries), blocks_);
        PINFOLD_ASSIGN_OR_RETURN(sandbox::ProcessOutput changed,
                                 git.run({"diff", "--name-only", "-z", commit.sha}));
        bool consistent = built.ok() && changed.exitCode == 0 && changed.stdoutText.empty();
        if (consistent || attempt == kSnapshotAttempts) {
            // The importer refuses a file whose size moved while it read it (Conflict).
            if (!built.ok() && built.status().IsConflict()) {
                return Status::Conflict("Sync failed: " + built.status().message() +
                                        " (it kept changing over " +
                                        std::to_string(kSnapshotAttempts) +
                                        " attempts; sync again once it is written)");
            }
            if (!built.ok())
                return built.status();
            imported = std::move(*built);
            if (!consistent) {
                for (size_t start = 0; start < changed.stdoutText.size();) {
                    size_t end = changed.stdoutText.find('\0', start);
                    if (end == std::string::npos)
                        end = changed.stdoutText.size();
                    outcome.stillChanging.push_back(changed.stdoutText.substr(start, end - start));
                    start = end + 1;
                }
            }
            break;
        }
    }

    std::optional<std::string> base;
    if (previous) {
        PINFOLD_ASSIGN_OR_RETURN(bool known, git.hasCommit(previous->commitSha));
        if (known)
            base = previous->commitSha;
    }
    store::SnapshotRecord record;
    record.agentId = agent.id;
    record.cid = imported.root.ToString();
    record.commitSha = commit.sha;
    PINFOLD_ASSIGN_OR_RETURN(record.changeSummary, git.shortStat(base, commit.sha));
    PINFOLD_ASSIGN_OR_RETURN(record.contentDiff, git.diff(base, commit.sha, options_.maxDiffBytes));
    record.createdAtMs = clock_.nowMs();
    std::vector<std::pair<std::string, uint64_t>> manifest;
    manifest.reserve(imported.files.size());
    for (const content::ImportedFile& file : imported.files)
        manifest.emplace_back(file.path, file.size);
    PINFOLD_ASSIGN_OR_RETURN(outcome.snapshot, snapshots.append(record));
    PINFOLD_TRY(agentRows.setLatestSnapshot(agent.id, record.cid, RenderFileManifest(manifest),
                                            record.createdAtMs));
    outcome.created = true;
    outcome.lastSyncMs = record.createdAtMs;
    if (!outcome.stillChanging.empty()) {
        spdlog::warn("snapshot of {}: {} file(s) changed while being read", agent.id,
                     outcome.stillChanging.size());
    }
    return outcome;
}

Result<SyncOutcome> SnapshotService::sync(const std::string& workspace,
                                          const std::string& agentId) {
    PINFOLD_ASSIGN_OR_RETURN(AgentView view, agents_.get(workspace, agentId));
    auto lock = agentLock(agentId);
    std::lock_guard guard(*lock);
    return snapshotLocked(view.record, "Snapshot");
}

Result<SyncState> SnapshotService::state(const std::string& workspace, const std::string& agentId) {
    PINFOLD_ASSIGN_OR_RETURN(AgentView view, agents_.get(workspace, agentId));
    SyncState state;
    state.lastSyncMs = view.record.lastSyncMs;
    state.snapshotCid = view.record.snapshotCid;
    WorkspaceGit git = GitOf(layout_, view.record);
    auto lock = agentLock(agentId);
    std::lock_guard guard(*lock);
    PINFOLD_TRY(git.ensureInitialized());
    PINFOLD_ASSIGN_OR_RETURN(state.pendingChanges, git.hasPendingChanges());
    return state;
}

Result<std::vector<store::SnapshotRecord>> SnapshotService::list(const std::string& workspace,
                                                                 const std::string& agentId) {
    PINFOLD_TRY(agents_.get(workspace, agentId).status());
    return store::SnapshotRepository(db_).latest(agentId, kListLimit);
}

Result<store::SnapshotRecord> SnapshotService::findInHistory(const store::AgentRecord& agent,
                                                             const std::string& cidText) {
    PINFOLD_ASSIGN_OR_RETURN(content::Cid cid, ParseSnapshotCid(cidText));
    PINFOLD_ASSIGN_OR_RETURN(std::optional<store::SnapshotRecord> found,
                             store::SnapshotRepository(db_).findByCid(agent.id, cid.ToString()));
    if (!found)
        return Status::NotFound("Snapshot not found");
    return *found;
}

Result<ResetOutcome> SnapshotService::reset(const std::string& workspace,
                                            const std::string& agentId,
                                            const std::string& cidText) {
    PINFOLD_ASSIGN_OR_RETURN(AgentView view, agents_.get(workspace, agentId));
    const store::AgentRecord& agent = view.record;
    PINFOLD_ASSIGN_OR_RETURN(store::SnapshotRecord target, findInHistory(agent, cidText));
    auto lock = agentLock(agentId);
    std::lock_guard guard(*lock);
    // What the agent changed since its last snapshot becomes a snapshot first: a reset loses
    // nothing that a second reset could not bring back.
    PINFOLD_TRY(snapshotLocked(agent, "Snapshot before reset").status());

    WorkspaceGit git = GitOf(layout_, agent);
    ResetOutcome outcome;
    PINFOLD_ASSIGN_OR_RETURN(bool known, git.hasCommit(target.commitSha));
    if (known) {
        PINFOLD_TRY(git.checkoutTree(target.commitSha));
    } else {
        PINFOLD_ASSIGN_OR_RETURN(content::Cid root, content::Cid::Parse(target.cid));
        PINFOLD_TRY(restoreFromBlocks(agent, root));
        outcome.fromBlocks = true;
    }
    PINFOLD_ASSIGN_OR_RETURN(SyncOutcome restored,
                             snapshotLocked(agent, "Restore snapshot " + target.cid));
    if (restored.snapshot.cid != target.cid) {
        return Status::Internal("Reset failed: the restored workspace has CID " +
                                restored.snapshot.cid);
    }
    outcome.snapshotCid = restored.snapshot.cid;
    outcome.commitSha = restored.snapshot.commitSha;
    return outcome;
}

Status SnapshotService::restoreFromBlocks(const store::AgentRecord& agent,
                                          const content::Cid& root) {
    WorkspaceGit git = GitOf(layout_, agent);
    PINFOLD_TRY(git.clearWorkTree());
    PINFOLD_ASSIGN_OR_RETURN(
        std::unique_ptr<sandbox::AgentFileAccess> files,
        sandbox::AgentFileAccess::Open(layout_.agentHome(agent.id), agent.hostUid));
    TreeWriteOptions write;
    write.limits.maxTotalBytes = options_.maxRestoreBytes;
    return WriteTreeFromBlocks(*files, kTreeInHome, root, blocks_, write);
}

Status SnapshotService::exportCar(const std::string& workspace, const std::string& agentId,
                                  const std::string& cidText,
                                  const std::function<Status(std::string_view)>& write) {
    PINFOLD_ASSIGN_OR_RETURN(AgentView view, agents_.get(workspace, agentId));
    PINFOLD_ASSIGN_OR_RETURN(store::SnapshotRecord target, findInHistory(view.record, cidText));
    PINFOLD_ASSIGN_OR_RETURN(content::Cid root, content::Cid::Parse(target.cid));
    return content::WriteCar(root, blocks_, write);
}

Result<SyncOutcome> SnapshotService::importCar(const std::string& workspace,
                                               const std::string& agentId, std::string_view car) {
    PINFOLD_ASSIGN_OR_RETURN(AgentView view, agents_.get(workspace, agentId));
    const store::AgentRecord& agent = view.record;
    PINFOLD_ASSIGN_OR_RETURN(content::Cid root,
                             content::ReadCar(car, blocks_, options_.maxRestoreBytes));
    auto lock = agentLock(agentId);
    std::lock_guard guard(*lock);
    PINFOLD_TRY(snapshotLocked(agent, "Snapshot before import").status());
    PINFOLD_TRY(restoreFromBlocks(agent, root));
    PINFOLD_ASSIGN_OR_RETURN(SyncOutcome imported,
                             snapshotLocked(agent, "Import snapshot " + root.ToString()));
    if (imported.snapshot.cid != root.ToString()) {
        return Status::InvalidArgument("Invalid CAR: the restored workspace has CID " +
                                       imported.snapshot.cid + ", not " + root.ToString() +
                                       " (git-ignored or empty folders in it?)");
    }
    return imported;
}

Status SnapshotService::guardRepository(const store::AgentRecord& agent, bool write,
                                        const std::function<Result<bool>()>& exchange) {
    auto lock = agentLock(agent.id);
    std::lock_guard guard(*lock);
    WorkspaceGit git = GitOf(layout_, agent);
    PINFOLD_TRY(git.ensureInitialized());
    PINFOLD_TRY(git.commitAll("Agent changes").status());
    PINFOLD_ASSIGN_OR_RETURN(bool changed, exchange());
    if (write && changed) {
        // The push stands whether or not its snapshot works; the next automatic one retries.
        Result<SyncOutcome> outcome = snapshotLocked(agent, "Snapshot after push");
        if (!outcome.ok()) {
            spdlog::warn("snapshot of {} after a push failed: {}", agent.id,
                         outcome.status().ToString());
        }
    }
    return Status::Ok();
}

Result<bool> SnapshotService::snapshotDue(const store::AgentRecord& agent) {
    WorkspaceGit git = GitOf(layout_, agent);
    PINFOLD_TRY(git.ensureInitialized());
    PINFOLD_ASSIGN_OR_RETURN(GitWorkTreeState now, git.state());
    if (now.pendingChanges || !now.head)
        return true;
    // Commits made without a snapshot (a push whose snapshot failed) are due too.
    PINFOLD_ASSIGN_OR_RETURN(std::vector<store::SnapshotRecord> newest,
                             store::SnapshotRepository(db_).latest(agent.id, 1));
    return newest.empty() || newest[0].commitSha != *now.head;
}

void SnapshotService::startAutoSync() {
    if (options_.autoInterval.count() <= 0 || autoThread_.joinable())
        return;
    autoThread_ = std::thread([this] { autoSyncMain(); });
}

void SnapshotService::autoSyncMain() {
    for (;;) {
        {
            std::unique_lock lock(autoMutex_);
            if (autoWake_.wait_for(lock, options_.autoInterval, [&] { return stopping_; }))
                return;
        }
        Result<std::vector<store::AgentRecord>> live = store::AgentRepository(db_).listLive();
        if (!live.ok()) {
            spdlog::warn("automatic snapshots: {}", live.status().ToString());
            continue;
        }
        for (const store::AgentRecord& agent : *live) {
            {
                std::lock_guard lock(autoMutex_);
                if (stopping_)
                    return;
            }
            auto agentMutex = agentLock(agent.id);
            std::lock_guard guard(*agentMutex);
            Result<bool> due = snapshotDue(agent);
            if (!due.ok() || !*due)
                continue;
            Result<SyncOutcome> outcome = snapshotLocked(agent, "Automatic snapshot");
            if (!outcome.ok()) {
                spdlog::warn("automatic snapshot of {} failed: {}", agent.id,
                             outcome.status().ToString());
            }
        }
    }
}

}  // namespace pinfold::services
