// SnapshotService: an agent's workspace history. A snapshot commits the repository root
// (/home/node/clawd) in git and builds the UnixFS DAG of the committed tree, whose CID any IPFS
// tool computes the same; its blocks go to the shared block store. Reset restores any snapshot in
// the agent's history, from git or, when git lacks the commit, from blocks alone. CAR export and
// import move a snapshot between servers.
//
// History only grows: a reset commits the restored tree on top instead of rewriting git history,
// so clones keep fast-forwarding and the state before a reset is itself a snapshot.
//
// Thread-safe. Work on one agent is serialised by a per-agent lock that only snapshot work takes,
// so a long snapshot never holds up the agent's other endpoints.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "content/block_store.h"
#include "core/clock.h"
#include "core/result.h"
#include "services/agent_service.h"
#include "services/data_layout.h"
#include "store/db.h"
#include "store/snapshot_repository.h"

namespace pinfold::services {

struct SnapshotServiceOptions {
    // Automatic snapshots of agents with changes; zero turns them off.
    std::chrono::milliseconds autoInterval{std::chrono::seconds(60)};
    size_t maxDiffBytes = 256 << 10;        // contentDiff is cut here
    uint64_t maxRestoreBytes = 8ull << 30;  // a restore or import writes at most this much
};

struct SyncOutcome {
    store::SnapshotRecord snapshot;  // the new snapshot, or the newest one when nothing changed
    bool created = false;
    int64_t lastSyncMs = 0;
    // Files that kept changing while they were snapshotted: their content in this snapshot may be
    // a half-written state. Empty normally.
    std::vector<std::string> stillChanging;
};

struct SyncState {
    std::optional<int64_t> lastSyncMs;
    std::optional<std::string> snapshotCid;
    bool pendingChanges = false;
};

struct ResetOutcome {
    std::string snapshotCid;
    std::string commitSha;  // the commit that now holds the restored tree
    bool fromBlocks = false;
};

class SnapshotService {
  public:
    static constexpr size_t kListLimit = 10;

    SnapshotService(store::Db& db, AgentService& agents, content::BlockStore& blocks,
                    const Clock& clock, DataLayout layout, SnapshotServiceOptions options);
    ~SnapshotService();

    Result<SyncOutcome> sync(const std::string& workspace, const std::string& agentId);
    Result<SyncState> state(const std::string& workspace, const std::string& agentId);
    // The newest kListLimit snapshots, newest first.
    Result<std::vector<store::SnapshotRecord>> list(const std::string& workspace,
                                                    const std::string& agentId);
    // InvalidArgument "Invalid snapshot CID"; NotFound "Snapshot not found" when the CID is not
    // in this agent's history.
    Result<ResetOutcome> reset(const std::string& workspace, const std::string& agentId,
                               const std::string& cidText);
    // Writes a CARv1 of a snapshot in the agent's history (errors as reset).
    Status exportCar(const std::string& workspace, const std::string& agentId,
                     const std::string& cidText,
                     const std::function<Status(std::string_view)>& write);
    // Restores the workspace from a CAR (one root: a folder) and records it as a snapshot.
    // InvalidArgument "Invalid CAR: ..." for a malformed or unverifiable CAR.
    Result<SyncOutcome> importCar(const std::string& workspace, const std::string& agentId,
                                  std::string_view car);

    // For git over HTTP: runs `exchange` under the agent's lock after committing what the agent
    // changed (so a push lands on top of it); `write` and an exchange that returns true (a push
    // git accepted): the pushed tree is snapshotted before the lock is released.
    Status guardRepository(const store::AgentRecord& agent, bool write,
                           const std::function<Result<bool>()>& exchange);

    // Starts the thread of automatic snapshots (when autoInterval > 0); the destructor stops it.
    void startAutoSync();

  private:
    std::shared_ptr<std::mutex> agentLock(const std::string& agentId);
    // The whole snapshot step for a locked agent.
    Result<SyncOutcome> snapshotLocked(const store::AgentRecord& agent, const std::string& message);
    Result<store::SnapshotRecord> findInHistory(const store::AgentRecord& agent,
                                                const std::string& cidText);
    Status restoreFromBlocks(const store::AgentRecord& agent, const content::Cid& root);
    // True when the agent has changes no snapshot holds yet.
    Result<bool> snapshotDue(const store::AgentRecord& agent);
    void autoSyncMain();

    store::Db& db_;
    AgentService& agents_;
    content::BlockStore& blocks_;
    const Clock& clock_;
    const DataLayout layout_;
    const SnapshotServiceOptions options_;

    std::mutex locksMutex_;  // guards agentLocks_
    std::map<std::string, std::shared_ptr<std::mutex>> agentLocks_;

    std::mutex autoMutex_;  // guards stopping_
    std::condition_variable autoWake_;
    bool stopping_ = false;
    std::thread autoThread_;
};

// "<size> <path>" per file, in path order: the agent's fileManifest.
std::string RenderFileManifest(const std::vector<std::pair<std::string, uint64_t>>& files);

}  // namespace pinfold::services
