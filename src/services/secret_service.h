// SecretService: the secrets vault of each workspace (§4 of the spec) — create, list, update,
// delete, attach to agents — and the environment an agent's engine starts with.
//
// Values are sealed with AES-256-GCM under a key derived per workspace from the master key
// (HKDF, info "pinfold/secrets/v1/<workspace>"), with the secret's id as associated data, so a
// sealed value copied to another row or workspace does not open. A `secret`'s value never
// leaves this class except as an engine's environment; a `variable`'s value may be shown.
// No message this class returns contains a value.
//
// Every call takes the caller's workspace: another workspace's secret or agent is NotFound.
// Thread-safe as far as the Db is.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "runtime/supervisor.h"
#include "store/db.h"
#include "store/secret_repository.h"

namespace pinfold::services {

struct SecretServiceOptions {
    size_t secretLimit = 100;         // secrets per workspace (403 "Secret limit reached")
    size_t maxValueBytes = 64 << 10;  // one value
};

struct SecretInput {
    std::string name;
    std::string value;
    std::string type = "secret";  // or "variable"
};

struct SecretAgentRef {
    std::string agentId;
    std::string name;
};

// A secret as the vault listing shows it: `value` only for variables.
struct SecretView {
    store::SecretRecord record;
    std::optional<std::string> value;
    std::vector<SecretAgentRef> agents;
};

// A secret as an agent's detail shows it. synced: the engine last started with this value.
struct AgentSecretView {
    store::SecretRecord record;
    int64_t attachedAtMs = 0;
    bool synced = false;
};

// What an engine starts with: its secrets as environment, the values to mask in its logs, and
// the revision of each secret (recorded once the engine has started with them).
struct AgentEnvironment {
    std::map<std::string, std::string> env;
    std::vector<runtime::LogRedaction> redactions;
    std::vector<std::pair<std::string, int64_t>> revisions;  // secret id, revision
};

class SecretService {
  public:
    SecretService(store::Db& db, std::string masterKey, const Clock& clock,
                  SecretServiceOptions options);

    // InvalidArgument for a bad name, type or value; Conflict "Duplicate secret name";
    // Forbidden "Secret limit reached".
    Result<SecretView> create(const std::string& workspace, const SecretInput& input);
    Result<std::vector<SecretView>> list(const std::string& workspace);
    // A new value; agents that have it attached show synced:false until they restart.
    Result<SecretView> update(const std::string& workspace, const std::string& id,
                              const std::string& value);
    // Conflict when it is still attached to an agent.
    Status remove(const std::string& workspace, const std::string& id);

    // Attaches every id (already attached ones stay as they are) and returns how many were
    // attached now. NotFound for an unknown agent or secret, Conflict "Conflicting secrets: ..."
    // when the agent would hold two credentials of one provider.
    Result<size_t> attach(const std::string& workspace, const std::string& agentId,
                          const std::vector<std::string>& secretIds);
    // The checks of attach, without an agent: for creating an agent with secrets. Returns the
    // secrets' names (a template's required secrets are checked against them).
    Result<std::vector<std::string>> checkAttachable(const std::string& workspace,
                                                     const std::vector<std::string>& secretIds);
    // NotFound "Secret is not attached to this agent" when it is not.
    Status detach(const std::string& workspace, const std::string& agentId,
                  const std::string& secretId);
    Result<std::vector<AgentSecretView>> attachedTo(const std::string& agentId);

    // The agent's environment for its next start (opens every attached value).
    Result<AgentEnvironment> environmentFor(const std::string& agentId);
    // After a start with `environment`: those values are now the engine's (synced).
    Status recordStarted(const std::string& agentId, const AgentEnvironment& environment);
    // When an agent is deleted.
    Status detachAll(const std::string& agentId);

    size_t secretLimit() const { return options_.secretLimit; }

  private:
    std::string workspaceKey(const std::string& workspace) const;
    Result<std::string> seal(const std::string& workspace, const std::string& id,
                             const std::string& value) const;
    Result<std::string> open(const store::SecretRecord& record) const;
    Result<SecretView> view(const store::SecretRecord& record) const;
    Status checkNoProviderConflict(const std::vector<store::SecretRecord>& secrets) const;
    Result<std::vector<store::SecretRecord>> loadAll(const std::string& workspace,
                                                     const std::vector<std::string>& ids);

    store::Db& db_;
    const std::string masterKey_;
    const Clock& clock_;
    const SecretServiceOptions options_;
};

// Environment variable syntax, 1-128 characters, and not one the platform sets itself.
Status ValidateSecretName(const std::string& name);

}  // namespace pinfold::services
