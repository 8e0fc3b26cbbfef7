// Lifecycle scripts as stored: one row per agent and script ("build", "start") holding its last
// state, as the API shows it, and the times and outcome of its last run. Rows are replaced whole;
// an agent's rows go with its deletion (deleteAll).
// Thread-safe as far as the Db is; ScriptService serialises the writes of one agent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/db.h"

namespace pinfold::store {

struct ScriptRecord {
    std::string agentId;
    std::string script;  // "build" | "start"
    std::string state;   // "Not configured" | "pending" | "running" | "success" | "failed"
    std::optional<int64_t> exitCode;
    std::optional<int64_t> startedAtMs;
    std::optional<int64_t> finishedAtMs;
    std::optional<std::string> error;  // why it failed, waits or is not configured

    bool operator==(const ScriptRecord&) const = default;
};

class ScriptRepository {
  public:
    explicit ScriptRepository(Db& db) : db_(db) {}

    // The agent's rows, build before start; empty before its first boot.
    Result<std::vector<ScriptRecord>> list(std::string_view agentId);
    // Inserts the row or replaces the one of the same agent and script.
    Status put(const ScriptRecord& record);
    // Every row still `running` (its run ended with the server that ran it) becomes `pending`,
    // not started, with this error. Returns how many changed.
    Result<int64_t> requeueRunning(std::string_view error);
    Status deleteAll(std::string_view agentId);

  private:
    Db& db_;
};

}  // namespace pinfold::store
