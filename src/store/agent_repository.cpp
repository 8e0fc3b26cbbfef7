#include "store/agent_repository.h"

#include <limits>

namespace pinfold::store {
namespace {

constexpr std::string_view kSelect =
    "SELECT id, workspace, name, description, vibe, emoji, engine, engine_version, "
    "gateway_token, host_uid, desired_running, created_at_ms, updated_at_ms, deleted_at_ms, "
    "last_sync_ms, snapshot_cid, file_manifest, snapshots_updated_at_ms "
    "FROM agents ";

AgentRecord FromRow(const DbRow& row) {
    AgentRecord r;
    r.id = row.getText(0);
    r.workspace = row.getText(1);
    r.name = row.getText(2);
    r.description = row.getOptText(3);
    r.vibe = row.getOptText(4);
    r.emoji = row.getOptText(5);
    r.engine = row.getText(6);
    r.engineVersion = row.getText(7);
    r.gatewayToken = row.getText(8);
    r.hostUid = static_cast<uint32_t>(row.getInt(9));
    r.desiredRunning = row.getInt(10) != 0;
    r.createdAtMs = row.getInt(11);
    r.updatedAtMs = row.getInt(12);
    r.deletedAtMs = row.getOptInt(13);
    r.lastSyncMs = row.getOptInt(14);
    r.snapshotCid = row.getOptText(15);
    r.fileManifest = row.getOptText(16);
    r.snapshotsUpdatedAtMs = row.getOptInt(17);
    return r;
}

Status NotFound() {
    return Status::NotFound("Agent not found");
}

// An UPDATE of a live agent that touched no row means there is no such live agent.
Status ChangedOneOrNotFound(const Result<int64_t>& changed) {
    if (!changed.ok())
        return changed.status();
    return *changed > 0 ? Status::Ok() : NotFound();
}

}  // namespace

Result<std::vector<AgentRecord>> AgentRepository::select(std::string_view where,
                                                         const std::vector<DbValue>& params) {
    std::string sql(kSelect);
    sql += where;
    PINFOLD_ASSIGN_OR_RETURN(std::vector<DbRow> rows, db_.query(sql, params));
    std::vector<AgentRecord> agents;
    agents.reserve(rows.size());
    for (const DbRow& row : rows)
        agents.push_back(FromRow(row));
    return agents;
}

Status AgentRepository::insert(const AgentRecord& r) {
    Result<int64_t> inserted = db_.exec(
        "INSERT INTO agents (id, workspace, name, description, vibe, emoji, engine, "
        "engine_version, gateway_token, host_uid, desired_running, created_at_ms, updated_at_ms, "
        "deleted_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {r.id, r.workspace, r.name, Nullable(r.description), Nullable(r.vibe), Nullable(r.emoji),
         r.engine, r.engineVersion, r.gatewayToken, static_cast<int64_t>(r.hostUid),
         static_cast<int64_t>(r.desiredRunning ? 1 : 0), r.createdAtMs, r.updatedAtMs,
         Nullable(r.deletedAtMs)});
    if (inserted.status().IsConflict()) {
        return Status::Conflict("Agent id, host uid or gateway token already in use");
    }
    return inserted.status();
}

Result<AgentRecord> AgentRepository::get(std::string_view id) {
    PINFOLD_ASSIGN_OR_RETURN(std::vector<AgentRecord> agents,
                             select("WHERE id = ? AND deleted_at_ms IS NULL", {std::string(id)}));
    if (agents.empty())
        return NotFound();
    return std::move(agents[0]);
}

Result<AgentRecord> AgentRepository::getInWorkspace(std::string_view workspace,
                                                    std::string_view id) {
    PINFOLD_ASSIGN_OR_RETURN(std::vector<AgentRecord> agents,
                             select("WHERE id = ? AND workspace = ? AND deleted_at_ms IS NULL",
                                    {std::string(id), std::string(workspace)}));
    if (agents.empty())
        return NotFound();
    return std::move(agents[0]);
}

Result<std::vector<AgentRecord>> AgentRepository::listByWorkspace(std::string_view workspace) {
    return select("WHERE workspace = ? AND deleted_at_ms IS NULL ORDER BY created_at_ms, id",
                  {std::string(workspace)});
}

Result<std::vector<AgentRecord>> AgentRepository::listLive() {
    return select("WHERE deleted_at_ms IS NULL ORDER BY created_at_ms, id", {});
}

Result<int64_t> AgentRepository::countLive(std::string_view workspace) {
    PINFOLD_ASSIGN_OR_RETURN(
        std::vector<DbRow> rows,
        db_.query("SELECT COUNT(*) FROM agents WHERE workspace = ? AND deleted_at_ms IS NULL",
                  {std::string(workspace)}));
    return rows.empty() ? 0 : rows[0].getInt(0);
}

Result<bool> AgentRepository::idEverUsed(std::string_view id) {
    PINFOLD_ASSIGN_OR_RETURN(std::vector<DbRow> rows,
                             db_.query("SELECT 1 FROM agents WHERE id = ?", {std::string(id)}));
    return !rows.empty();
}

Result<uint32_t> AgentRepository::nextHostUid(uint32_t firstUid) {
    PINFOLD_ASSIGN_OR_RETURN(std::vector<DbRow> rows,
                             db_.query("SELECT MAX(host_uid) FROM agents"));
    if (rows.empty() || rows[0].isNull(0))
        return firstUid;
    int64_t highest = rows[0].getInt(0);
    if (highest < static_cast<int64_t>(firstUid))
        return firstUid;
    if (highest >= static_cast<int64_t>(std::numeric_limits<uint32_t>::max())) {
        return Status::Unavailable("No host uid left");
    }
    return static_cast<uint32_t>(highest + 1);
}

Status AgentRepository::setDesiredRunning(std::string_view id, bool desiredRunning, int64_t nowMs) {
    return ChangedOneOrNotFound(
        db_.exec("UPDATE agents SET desired_running = ?, updated_at_ms = ? "
                 "WHERE id = ? AND deleted_at_ms IS NULL",
                 {static_cast<int64_t>(desiredRunning ? 1 : 0), nowMs, std::string(id)}));
}

Status AgentRepository::setGatewayToken(std::string_view id, std::string_view token,
                                        int64_t nowMs) {
    Result<int64_t> changed = db_.exec(
        "UPDATE agents SET gateway_token = ?, updated_at_ms = ? "
        "WHERE id = ? AND deleted_at_ms IS NULL",
        {std::string(token), nowMs, std::string(id)});
    if (changed.status().IsConflict())
        return Status::Conflict("Gateway token already in use");
    return ChangedOneOrNotFound(changed);
}

Status AgentRepository::setEngineVersion(std::string_view id, std::string_view version,
                                         int64_t nowMs) {
    return ChangedOneOrNotFound(
        db_.exec("UPDATE agents SET engine_version = ?, updated_at_ms = ? "
                 "WHERE id = ? AND deleted_at_ms IS NULL",
                 {std::string(version), nowMs, std::string(id)}));
}

Status AgentRepository::setLastSync(std::string_view id, int64_t nowMs) {
    return ChangedOneOrNotFound(
        db_.exec("UPDATE agents SET last_sync_ms = ? WHERE id = ? AND deleted_at_ms IS NULL",
                 {nowMs, std::string(id)}));
}

Status AgentRepository::setLatestSnapshot(std::string_view id, std::string_view cid,
                                          std::string_view fileManifest, int64_t nowMs) {
    return ChangedOneOrNotFound(
        db_.exec("UPDATE agents SET snapshot_cid = ?, file_manifest = ?, last_sync_ms = ?, "
                 "snapshots_updated_at_ms = ? WHERE id = ? AND deleted_at_ms IS NULL",
                 {std::string(cid), std::string(fileManifest), nowMs, nowMs, std::string(id)}));
}

Status AgentRepository::markDeleted(std::string_view id, int64_t nowMs) {
    return ChangedOneOrNotFound(
        db_.exec("UPDATE agents SET deleted_at_ms = ?, desired_running = 0, updated_at_ms = ? "
                 "WHERE id = ? AND deleted_at_ms IS NULL",
                 {nowMs, nowMs, std::string(id)}));
}

Result<std::optional<AgentRecord>> AgentRepository::findByGatewayToken(std::string_view token) {
    PINFOLD_ASSIGN_OR_RETURN(
        std::vector<AgentRecord> agents,
        select("WHERE gateway_token = ? AND deleted_at_ms IS NULL", {std::string(token)}));
    if (agents.empty())
        return std::optional<AgentRecord>();
    return std::optional<AgentRecord>(std::move(agents[0]));
}

}  // namespace pinfold::store
