#include "store/workspace_repository.h"

namespace pinfold::store {

Result<std::string> WorkspaceRepository::ensure(std::string_view name,
                                                std::string_view candidateUserId, int64_t nowMs) {
    // ON CONFLICT (name) DO NOTHING is portable (SQLite >= 3.24, PostgreSQL >= 9.5) and leaves an
    // existing workspace's user id alone; a clash on user_id still reports Conflict.
    PINFOLD_TRY(db_.exec("INSERT INTO workspaces (name, user_id, created_at_ms) VALUES (?, ?, ?) "
                         "ON CONFLICT (name) DO NOTHING",
                         {std::string(name), std::string(candidateUserId), nowMs})
                    .status());
    return userIdOf(name);
}

Result<std::string> WorkspaceRepository::userIdOf(std::string_view name) {
    PINFOLD_ASSIGN_OR_RETURN(
        std::vector<DbRow> rows,
        db_.query("SELECT user_id FROM workspaces WHERE name = ?", {std::string(name)}));
    if (rows.empty())
        return Status::NotFound("Workspace not found");
    return rows[0].getText(0);
}

}  // namespace pinfold::store
