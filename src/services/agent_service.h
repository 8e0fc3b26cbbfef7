// AgentService: the agents of each workspace — create, list, read, restart, delete, gateway
// tokens — and keeping the supervisor in step with what the store says should run.
//
// Every read or change takes the caller's workspace: an agent of another workspace is NotFound,
// exactly like one that does not exist, so ids never leak across workspaces.
// Thread-safe: the store and supervisor are; per-agent changes are serialised by agentLocks_.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "runtime/engine_registry.h"
#include "runtime/supervisor.h"
#include "services/data_layout.h"
#include "services/script_service.h"
#include "services/secret_service.h"
#include "services/skill_service.h"
#include "services/template_service.h"
#include "store/agent_repository.h"
#include "store/db.h"

namespace pinfold::services {

struct AgentServiceOptions {
    size_t agentLimit = 10;          // live agents per workspace (403 "Agent limit reached")
    uint32_t firstHostUid = 200000;  // agents get host uids from here up, never reused
    uint64_t memoryLimitBytes = 0;   // per agent; 0 = none
    uint32_t pidsLimit = 0;          // per agent; 0 = none
};

struct CreateAgentInput {
    std::string name;
    std::optional<std::string> description;
    std::optional<std::string> vibe;
    std::optional<std::string> emoji;
    std::optional<std::string> engine;   // default "openclaw"
    std::vector<std::string> secretIds;  // attached before the first start
    std::vector<std::string> skillCids;  // skill refs (CIDs, slugs, ids), attached likewise
    // A template to deploy: its repository becomes the agent's, its skills are attached, its
    // required secrets must be among secretIds, and its agent fields fill those not given.
    std::optional<std::string> templateId;
};

// An agent as the API shows it: the stored record plus what its process is doing now, and
// (from get only) its secrets, skills and lifecycle scripts.
struct AgentView {
    store::AgentRecord record;
    runtime::ProcessStatus process;
    std::vector<AgentSecretView> secrets;
    std::vector<AgentSkillView> skills;
    AgentScriptsView scripts{};
};

struct RestartOutcome {
    std::optional<int> previousProcessId;
};

class AgentService {
  public:
    AgentService(store::Db& db, runtime::Supervisor& supervisor,
                 const runtime::EngineRegistry& engines, SecretService& secrets,
                 SkillService& skills, TemplateService& templates,
                 const content::BlockSource& blocks, const Clock& clock, DataLayout layout,
                 AgentServiceOptions options);

    Result<AgentView> create(const std::string& workspace, const CreateAgentInput& input);
    Result<std::vector<AgentView>> list(const std::string& workspace);
    Result<AgentView> get(const std::string& workspace, const std::string& agentId);
    Status remove(const std::string& workspace, const std::string& agentId);
    // version: optional engine version to switch to (InvalidArgument "Invalid version").
    Result<RestartOutcome> restart(const std::string& workspace, const std::string& agentId,
                                   const std::optional<std::string>& version);
    Result<std::vector<runtime::LogLine>> logs(const std::string& workspace,
                                               const std::string& agentId, size_t lines);
    Result<std::string> gatewayToken(const std::string& workspace, const std::string& agentId);
    // A new token; the old one stops working at once and a running engine restarts with it.
    Result<std::string> rotateGatewayToken(const std::string& workspace,
                                           const std::string& agentId);

    // The live agent whose gateway token this is (compared in constant time), or NotFound.
    Result<store::AgentRecord> findByGatewayToken(const std::string& agentId,
                                                  const std::string& token);

    const runtime::EngineRegistry& engines() const { return engines_; }
    size_t agentLimit() const { return options_.agentLimit; }

    // A connected socket to the agent's engine port inside its network namespace, for the
    // agent-host proxy. Conflict when the agent is not running.
    Result<int> connectEngine(const std::string& agentId);

    // On server start: start every agent that should be running. Returns how many were started.
    Result<size_t> reconcile();

  private:
    // What the supervisor needs to (re)start an agent, and the secrets it starts with.
    struct Launch {
        runtime::AgentLaunchSpec spec;
        AgentEnvironment environment;
    };
    Result<Launch> prepareLaunch(const store::AgentRecord& agent) const;
    // After the supervisor took `launch`: its secret values are now the engine's.
    Status recordLaunched(const Launch& launch);

    Result<store::AgentRecord> load(const std::string& workspace, const std::string& agentId);
    Status writeIdentity(const store::AgentRecord& agent);
    // Fills `input` from the template's manifest and puts the template's skills in the
    // workspace's library; returns the template.
    Result<TemplateView> applyTemplate(const std::string& workspace, CreateAgentInput& input);
    // A template names hub skills by slug and others by CID: what the workspace's library
    // lacks is added to it (it stays there if the agent is not created after all).
    Status addTemplateSkills(const std::string& workspace, const Manifest& manifest);
    // The template's repository into the new agent's home (clawd/).
    Status writeTemplate(const store::AgentRecord& agent, const TemplateView& view);
    std::shared_ptr<std::mutex> agentLock(const std::string& agentId);

    store::Db& db_;
    runtime::Supervisor& supervisor_;
    const runtime::EngineRegistry& engines_;
    SecretService& secrets_;
    SkillService& skills_;
    TemplateService& templates_;
    const content::BlockSource& blocks_;
    const Clock& clock_;
    const DataLayout layout_;
    const AgentServiceOptions options_;

    std::mutex createMutex_;  // serialises the limit check with the insert, and uid allocation
    std::mutex locksMutex_;   // guards agentLocks_
    std::map<std::string, std::shared_ptr<std::mutex>> agentLocks_;
};

// Field rules shared by create and (later) update; InvalidArgument "Validation failed: ...".
Status ValidateAgentFields(const CreateAgentInput& input);

// The workspace/IDENTITY.md an agent starts with.
std::string RenderIdentityMarkdown(const store::AgentRecord& agent);

}  // namespace pinfold::services
