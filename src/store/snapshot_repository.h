// Snapshots as stored: one row per workspace snapshot of an agent, numbered 1, 2, ... in order.
// Rows are never changed; an agent's rows go with its deletion (deleteAll).
// Thread-safe as far as the Db is; callers serialise appends per agent (SnapshotService's lock).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/db.h"

namespace pinfold::store {

struct SnapshotRecord {
    std::string agentId;
    int64_t seq = 0;  // 1 for the agent's first snapshot
    std::string cid;  // CIDv1 of the workspace tree
    std::string commitSha;
    std::string changeSummary;
    std::string contentDiff;
    int64_t createdAtMs = 0;

    bool operator==(const SnapshotRecord&) const = default;
};

class SnapshotRepository {
  public:
    explicit SnapshotRepository(Db& db) : db_(db) {}

    // Stores record with the next seq of its agent (record.seq is ignored) and returns it.
    Result<SnapshotRecord> append(const SnapshotRecord& record);
    // The newest `limit` snapshots, newest first.
    Result<std::vector<SnapshotRecord>> latest(std::string_view agentId, size_t limit);
    // The newest snapshot with this CID, or nullopt when the agent never had it.
    Result<std::optional<SnapshotRecord>> findByCid(std::string_view agentId, std::string_view cid);
    Status deleteAll(std::string_view agentId);

  private:
    Db& db_;
};

}  // namespace pinfold::store
