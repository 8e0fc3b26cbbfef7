#include "store/script_repository.h"

namespace pinfold::store {
Result<std::vector<ScriptRecord>> ScriptRepository::list(std::string_view agentId) {
    // "build" sorts before "start".
    PINFOLD_ASSIGN_OR_RETURN(
        std::vector<DbRow> rows,
        db_.query("SELECT agent_id, script, state, exit_code, started_at_ms, finished_at_ms, error "
                  "FROM agent_scripts WHERE agent_id = ? ORDER BY script",
                  {std::string(agentId)}));
    std::vector<ScriptRecord> records;
    records.reserve(rows.size());
    for (const DbRow& row : rows) {
        records.push_back({row.getText(0), row.getText(1), row.getText(2), row.getOptInt(3),
                           row.getOptInt(4), row.getOptInt(5), row.getOptText(6)});
    }
    return records;
}

Status ScriptRepository::put(const ScriptRecord& r) {
    // ON CONFLICT ... DO UPDATE is portable (SQLite >= 3.24, PostgreSQL >= 9.5).
    return db_
        .exec(
            "INSERT INTO agent_scripts (agent_id, script, state, exit_code, started_at_ms, "
            "finished_at_ms, error) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (agent_id, script) DO UPDATE SET state = excluded.state, "
            "exit_code = excluded.exit_code, started_at_ms = excluded.started_at_ms, "
            "finished_at_ms = excluded.finished_at_ms, error = excluded.error",
            {r.agentId, r.script, r.state, Nullable(r.exitCode), Nullable(r.startedAtMs),
             Nullable(r.finishedAtMs), Nullable(r.error)})
        .status();
}

Result<int64_t> ScriptRepository::requeueRunning(std::string_view error) {
    return db_.exec(
        "UPDATE agent_scripts SET state = 'pending', exit_code = NULL, started_at_ms = NULL, "
        "finished_at_ms = NULL, error = ? WHERE state = 'running'",
        {std::string(error)});
}

Status ScriptRepository::deleteAll(std::string_view agentId) {
    return db_.exec("DELETE FROM agent_scripts WHERE agent_id = ?", {std::string(agentId)})
        .status();
}

}  // namespace pinfold::store
