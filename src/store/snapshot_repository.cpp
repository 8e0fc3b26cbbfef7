#include "store/snapshot_repository.h"

namespace pinfold::store {
namespace {

constexpr std::string_view kSelect =
    "SELECT agent_id, seq, cid, commit_sha, change_summary, content_diff, created_at_ms "
    "FROM snapshots ";

SnapshotRecord FromRow(const DbRow& row) {
    SnapshotRecord r;
    r.agentId = row.getText(0);
    r.seq = row.getInt(1);
    r.cid = row.getText(2);
    r.commitSha = row.getText(3);
    r.changeSummary = row.getText(4);
    r.contentDiff = row.getText(5);
    r.createdAtMs = row.getInt(6);
    return r;
}

}  // namespace

Result<SnapshotRecord> SnapshotRepository::append(const SnapshotRecord& record) {
    SnapshotRecord stored = record;
    PINFOLD_TRY(db_.transaction([&](Db& tx) -> Status {
        PINFOLD_ASSIGN_OR_RETURN(
            std::vector<DbRow> rows,
            tx.query("SELECT MAX(seq) FROM snapshots WHERE agent_id = ?", {record.agentId}));
        stored.seq = (rows.empty() ? 0 : rows[0].getInt(0)) + 1;
        return tx
            .exec(
                "INSERT INTO snapshots (agent_id, seq, cid, commit_sha, change_summary, "
                "content_diff, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
                {stored.agentId, stored.seq, stored.cid, stored.commitSha, stored.changeSummary,
                 stored.contentDiff, stored.createdAtMs})
            .status();
    }));
    return stored;
}

Result<std::vector<SnapshotRecord>> SnapshotRepository::latest(std::string_view agentId,
                                                               size_t limit) {
    std::string sql(kSelect);
    sql += "WHERE agent_id = ? ORDER BY seq DESC LIMIT ?";
    PINFOLD_ASSIGN_OR_RETURN(std::vector<DbRow> rows,
                             db_.query(sql, {std::string(agentId), static_cast<int64_t>(limit)}));
    std::vector<SnapshotRecord> records;
    records.reserve(rows.size());
    for (const DbRow& row : rows)
        records.push_back(FromRow(row));
    return records;
}

Result<std::optional<SnapshotRecord>> SnapshotRepository::findByCid(std::string_view agentId,
                                                                    std::string_view cid) {
    std::string sql(kSelect);
    sql += "WHERE agent_id = ? AND cid = ? ORDER BY seq DESC LIMIT 1";
    PINFOLD_ASSIGN_OR_RETURN(std::vector<DbRow> rows,
                             db_.query(sql, {std::string(agentId), std::string(cid)}));
    if (rows.empty())
        return std::optional<SnapshotRecord>();
    return std::optional<SnapshotRecord>(FromRow(rows[0]));
}

Status SnapshotRepository::deleteAll(std::string_view agentId) {
    return db_.exec("DELETE FROM snapshots WHERE agent_id = ?", {std::string(agentId)}).status();
}

}  // namespace pinfold::store
