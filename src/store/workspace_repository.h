// Workspaces: the tenant an API key acts for, and the stable user id the API shows for it.
//
// A workspace row is created the first time a workspace is seen (when its first key is minted,
// or its first request arrives) and never changes. Thread-safe as far as the Db is.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "store/db.h"

namespace pinfold::store {

class WorkspaceRepository {
  public:
    explicit WorkspaceRepository(Db& db) : db_(db) {}

    // The user id of workspace `name`, creating the workspace with candidateUserId (a fresh
    // UUIDv4 from the caller: store does not generate ids) if it does not exist yet. Safe to race:
    // every caller gets the same, first-stored user id.
    Result<std::string> ensure(std::string_view name, std::string_view candidateUserId,
                               int64_t nowMs);

    // NotFound "Workspace not found".
    Result<std::string> userIdOf(std::string_view name);

  private:
    Db& db_;
};

}  // namespace pinfold::store
