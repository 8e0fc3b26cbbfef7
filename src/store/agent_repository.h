// Agents as stored: identity, engine, credentials and the wish to be running. What actually runs
// is the supervisor's business; this is what must survive a restart.
//
// Deleting an agent keeps its row (deletedAtMs set), so its id and host uid are never handed out
// again. Every read except idEverUsed and nextHostUid sees live agents only.
// Thread-safe as far as the Db is; to pick a host uid and insert without a race, call
// nextHostUid and insert inside one Db::transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/db.h"

namespace pinfold::store {

struct AgentRecord {
    std::string id;         // "x" + 7 of [a-z0-9]
    std::string workspace;  // owner
    std::string name;
    std::optional<std::string> description, vibe, emoji;
    std::string engine;         // "openclaw", "hermes"
    std::string engineVersion;  // pinned version of that engine
    std::string gatewayToken;   // UUID; the per-agent host's credential
    uint32_t hostUid = 0;       // the unprivileged host uid the sandbox runs as
    bool desiredRunning = true;
    int64_t createdAtMs = 0;
    int64_t updatedAtMs = 0;
    std::optional<int64_t> deletedAtMs;
    // From the newest snapshot (SnapshotRepository): when the workspace was last synced, its CID,
    // "<size> <path>" lines of its files, and when the snapshot list last changed.
    std::optional<int64_t> lastSyncMs;
    std::optional<std::string> snapshotCid;
    std::optional<std::string> fileManifest;
    std::optional<int64_t> snapshotsUpdatedAtMs;

    bool operator==(const AgentRecord&) const = default;
};

class AgentRepository {
  public:
    explicit AgentRepository(Db& db) : db_(db) {}

    // Conflict "Agent id, host uid or gateway token already in use" when any of the three is
    // taken, by a live or a deleted agent.
    Status insert(const AgentRecord& record);

    // NotFound "Agent not found" for unknown and deleted ids.
    Result<AgentRecord> get(std::string_view id);
    // The same, and NotFound "Agent not found" too when the agent belongs to another workspace:
    // how every caller acting for a workspace loads an agent, so ids never leak across them.
    Result<AgentRecord> getInWorkspace(std::string_view workspace, std::string_view id);

    // The workspace's live agents, oldest first.
    Result<std::vector<AgentRecord>> listByWorkspace(std::string_view workspace);

    // Every live agent, oldest first (for the supervisor's reconcile on startup).
    Result<std::vector<AgentRecord>> listLive();

    Result<int64_t> countLive(std::string_view workspace);

    // True when any agent, live or deleted, ever had this id.
    Result<bool> idEverUsed(std::string_view id);

    // One above the highest host uid ever used (deleted agents included), or firstUid when none
    // was or all were below it. Unavailable "No host uid left" past 2^32 - 1.
    Result<uint32_t> nextHostUid(uint32_t firstUid);

    // The setters touch live agents only and bump updatedAtMs; NotFound "Agent not found".
    Status setDesiredRunning(std::string_view id, bool desiredRunning, int64_t nowMs);
    // Also Conflict "Gateway token already in use".
    Status setGatewayToken(std::string_view id, std::string_view token, int64_t nowMs);
    // The engine version the agent runs from its next start. NotFound for no live agent.
    Status setEngineVersion(std::string_view id, std::string_view version, int64_t nowMs);
    Status markDeleted(std::string_view id, int64_t nowMs);
    // A sync that found nothing new: only lastSyncMs moves.
    Status setLastSync(std::string_view id, int64_t nowMs);
    // A new newest snapshot: snapshotCid, fileManifest, lastSyncMs and snapshotsUpdatedAtMs.
    Status setLatestSnapshot(std::string_view id, std::string_view cid,
                             std::string_view fileManifest, int64_t nowMs);

    // The live agent whose gateway token this is, or nullopt.
    Result<std::optional<AgentRecord>> findByGatewayToken(std::string_view token);

  private:
    Result<std::vector<AgentRecord>> select(std::string_view where,
                                            const std::vector<DbValue>& params);

    Db& db_;
};

}  // namespace pinfold::store
