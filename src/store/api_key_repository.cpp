#include "store/api_key_repository.h"

namespace pinfold::store {
namespace {

constexpr std::string_view kColumns =
    "SELECT id, workspace, name, created_at_ms, expires_at_ms, revoked_at_ms FROM api_keys ";

ApiKeyRecord FromRow(const DbRow& row) {
    return ApiKeyRecord{row.getText(0), row.getText(1),   row.getText(2),
                        row.getInt(3),  row.getOptInt(4), row.getOptInt(5)};
}

Status NotFound() {
    return Status::NotFound("API key not found");
}

}  // namespace

Status ApiKeyRepository::insert(const ApiKeyRecord& record) {
    Result<int64_t> inserted = db_.exec(
        "INSERT INTO api_keys (id, workspace, name, created_at_ms, expires_at_ms, revoked_at_ms) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        {record.id, record.workspace, record.name, record.createdAtMs, Nullable(record.expiresAtMs),
         Nullable(record.revokedAtMs)});
    if (inserted.status().IsConflict())
        return Status::Conflict("API key already exists");
    return inserted.status();
}

Result<ApiKeyRecord> ApiKeyRepository::get(std::string_view id) {
    PINFOLD_ASSIGN_OR_RETURN(std::vector<DbRow> rows,
                             db_.query(std::string(kColumns) + "WHERE id = ?", {std::string(id)}));
    if (rows.empty())
        return NotFound();
    return FromRow(rows[0]);
}

Status ApiKeyRepository::revoke(std::string_view id, int64_t nowMs) {
    PINFOLD_ASSIGN_OR_RETURN(
        int64_t changed,
        db_.exec("UPDATE api_keys SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL",
                 {nowMs, std::string(id)}));
    if (changed > 0)
        return Status::Ok();
    // Nothing changed: either there is no such key or it was revoked before.
    return get(id).status();
}

Result<std::vector<ApiKeyRecord>> ApiKeyRepository::list(std::string_view workspace) {
    PINFOLD_ASSIGN_OR_RETURN(
        std::vector<DbRow> rows,
        db_.query(std::string(kColumns) + "WHERE workspace = ? ORDER BY created_at_ms, id",
                  {std::string(workspace)}));
    std::vector<ApiKeyRecord> records;
    records.reserve(rows.size());
    for (const DbRow& row : rows)
        records.push_back(FromRow(row));
    return records;
}

}  // namespace pinfold::store
