#include "store/secret_repository.h"

namespace pinfold::store {
namespace {

constexpr std::string_view kColumns =
    "s.id, s.workspace, s.name, s.type, s.value_sealed, s.revision, s.created_at_ms, "
    "s.updated_at_ms";

SecretRecord FromRow(const DbRow& row) {
    SecretRecord r;
    r.id = row.getText(0);
    r.workspace = row.getText(1);
    r.name = row.getText(2);
    r.type = row.getText(3);
    r.valueSealed = row.getText(4);
    r.revision = row.getInt(5);
    r.createdAtMs = row.getInt(6);
    r.updatedAtMs = row.getInt(7);
    return r;
}

Status NotFoundUnlessChanged(Result<int64_t> changed) {
    if (!changed.ok())
        return changed.status();
    return *changed == 0 ? Status::NotFound("Secret not found") : Status::Ok();
}

}  // namespace

Status SecretRepository::insert(const SecretRecord& r) {
    Result<int64_t> inserted = db_.exec(
        "INSERT INTO secrets (id, workspace, name, type, value_sealed, revision, created_at_ms, "
        "updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        {r.id, r.workspace, r.name, r.type, r.valueSealed, r.revision, r.createdAtMs,
         r.updatedAtMs});
    if (!inserted.ok() && inserted.status().IsConflict())
        return Status::Conflict("Duplicate secret name");
    return inserted.status();
}

Result<SecretRecord> SecretRepository::get(std::string_view workspace, std::string_view id) {
    std::string sql =
        "SELECT " + std::string(kColumns) + " FROM secrets s WHERE s.workspace = ? AND s.id = ?";
    PINFOLD_ASSIGN_OR_RETURN(std::vector<DbRow> rows,
                             db_.query(sql, {std::string(workspace), std::string(id)}));
    if (rows.empty())
        return Status::NotFound("Secret not found");
    return FromRow(rows[0]);
}

Result<std::vector<SecretRecord>> SecretRepository::list(std::string_view workspace) {
    std::string sql =
        "SELECT " + std::string(kColumns) + " FROM secrets s WHERE s.workspace = ? ORDER BY s.name";
    PINFOLD_ASSIGN_OR_RETURN(std::vector<DbRow> rows, db_.query(sql, {std::string(workspace)}));
    std::vector<SecretRecord> records;
    records.reserve(rows.size());
    for (const DbRow& row : rows)
        records.push_back(FromRow(row));
    return records;
}

Result<int64_t> SecretRepository::count(std::string_view workspace) {
    PINFOLD_ASSIGN_OR_RETURN(
        std::vector<DbRow> rows,
        db_.query("SELECT COUNT(*) FROM secrets WHERE workspace = ?", {std::string(workspace)}));
    return rows.empty() ? 0 : rows[0].getInt(0);
}

Status SecretRepository::updateValue(std::string_view workspace, std::string_view id,
                                     std::string_view valueSealed, int64_t nowMs) {
    return NotFoundUnlessChanged(
        db_.exec("UPDATE secrets SET value_sealed = ?, revision = revision + 1, "
                 "updated_at_ms = ? WHERE workspace = ? AND id = ?",
                 {std::string(valueSealed), nowMs, std::string(workspace), std::string(id)}));
}

Status SecretRepository::remove(std::string_view workspace, std::string_view id) {
    return NotFoundUnlessChanged(db_.exec("DELETE FROM secrets WHERE workspace = ? AND id = ?",
                                          {std::string(workspace), std::string(id)}));
}

Result<bool> SecretRepository::attach(std::string_view agentId, std::string_view secretId,
                                      int64_t nowMs) {
    bool added = false;
    PINFOLD_TRY(db_.transaction([&](Db& tx) -> Status {
        PINFOLD_ASSIGN_OR_RETURN(
            std::vector<DbRow> rows,
            tx.query("SELECT 1 FROM agent_secrets WHERE agent_id = ? AND secret_id = ?",
                     {std::string(agentId), std::string(secretId)}));
        if (!rows.empty())
            return Status::Ok();
        added = true;
        return tx
            .exec(
                "INSERT INTO agent_secrets (agent_id, secret_id, attached_at_ms) "
                "VALUES (?, ?, ?)",
                {std::string(agentId), std::string(secretId), nowMs})
            .status();
    }));
    return added;
}

Result<bool> SecretRepository::detach(std::string_view agentId, std::string_view secretId) {
    PINFOLD_ASSIGN_OR_RETURN(
        int64_t removed, db_.exec("DELETE FROM agent_secrets WHERE agent_id = ? AND secret_id = ?",
                                  {std::string(agentId), std::string(secretId)}));
    return removed > 0;
}

Status SecretRepository::detachAll(std::string_view agentId) {
    return db_.exec("DELETE FROM agent_secrets WHERE agent_id = ?", {std::string(agentId)})
        .status();
}

Result<std::vector<AttachedSecret>> SecretRepository::attachedTo(std::string_view agentId) {
    std::string sql = "SELECT " + std::string(kColumns) +
                      ", a.attached_at_ms, a.applied_revision FROM agent_secrets a "
                      "JOIN secrets s ON s.id = a.secret_id WHERE a.agent_id = ? ORDER BY s.name";
    PINFOLD_ASSIGN_OR_RETURN(std::vector<DbRow> rows, db_.query(sql, {std::string(agentId)}));
    std::vector<AttachedSecret> attached;
    attached.reserve(rows.size());
    for (const DbRow& row : rows)
        attached.push_back({FromRow(row), row.getInt(8), row.getOptInt(9)});
    return attached;
}

Result<std::vector<SecretAttachment>> SecretRepository::attachments(std::string_view workspace) {
    PINFOLD_ASSIGN_OR_RETURN(
        std::vector<DbRow> rows,
        db_.query("SELECT a.secret_id, g.id, g.name FROM agent_secrets a "
                  "JOIN secrets s ON s.id = a.secret_id "
                  "JOIN agents g ON g.id = a.agent_id AND g.deleted_at_ms IS NULL "
                  "WHERE s.workspace = ? ORDER BY g.id",
                  {std::string(workspace)}));
    std::vector<SecretAttachment> attachments;
    attachments.reserve(rows.size());
    for (const DbRow& row : rows)
        attachments.push_back({row.getText(0), row.getText(1), row.getText(2)});
    return attachments;
}

Status SecretRepository::markApplied(std::string_view agentId, std::string_view secretId,
                                     int64_t revision) {
    return db_
        .exec("UPDATE agent_secrets SET applied_revision = ? WHERE agent_id = ? AND secret_id = ?",
              {revision, std::string(agentId), std::string(secretId)})
        .status();
}

}  // namespace pinfold::store
