#include "services/agent_service.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "core/text.h"
#include "crypto/constant_time.h"
#include "crypto/random.h"
#include "sandbox/agent_home.h"
#include "sandbox/safe_files.h"
#include "services/tree_writer.h"
#include "store/snapshot_repository.h"

namespace pinfold::services {
namespace {

constexpr const char* kDefaultEngine = "openclaw";
constexpr auto kStopGrace = std::chrono::milliseconds(10000);

Status CheckLength(const std::optional<std::string>& value, const char* field, size_t max) {
    if (!value)
        return Status::Ok();
    auto length = Utf8Length(*value);
    if (!length)
        return Status::InvalidArgument(std::string("Validation failed: ") + field +
                                       " must be valid UTF-8");
    if (*length > max) {
        return Status::InvalidArgument(std::string("Validation failed: ") + field +
                                       " must be at most " + std::to_string(max) + " characters");
    }
    return Status::Ok();
}

}  // namespace

Status ValidateAgentFields(const CreateAgentInput& input) {
    auto nameLength = Utf8Length(input.name);
    if (!nameLength)
        return Status::InvalidArgument("Validation failed: name must be valid UTF-8");
    if (TrimAscii(input.name).empty()) {
        return Status::InvalidArgument("Validation failed: name is required");
    }
    if (*nameLength > 100) {
        return Status::InvalidArgument("Validation failed: name must be at most 100 characters");
    }
    // The hosted API bans some characters without saying which; control characters are the ones
    // that break logs, headers and IDENTITY.md, so those are what we refuse (docs/api.md).
    if (HasControlCharacter(input.name)) {
        return Status::InvalidArgument(
            "Validation failed: name must not contain control characters");
    }
    PINFOLD_TRY(CheckLength(input.description, "description", 10000));
    PINFOLD_TRY(CheckLength(input.vibe, "vibe", 200));
    PINFOLD_TRY(CheckLength(input.emoji, "emoji", 32));
    if (input.vibe && HasControlCharacter(*input.vibe)) {
        return Status::InvalidArgument(
            "Validation failed: vibe must not contain control characters");
    }
    if (input.emoji && HasControlCharacter(*input.emoji)) {
        return Status::InvalidArgument(
            "Validation failed: emoji must not contain control characters");
    }
    return Status::Ok();
}

std::string RenderIdentityMarkdown(const store::AgentRecord& agent) {
    std::string md = "# IDENTITY.md - Who Am I?\n\n";
    md += "- **Name:** " + agent.name + "\n";
    if (agent.vibe)
        md += "- **Vibe:** " + *agent.vibe + "\n";
    if (agent.emoji)
        md += "- **Emoji:** " + *agent.emoji + "\n";
    if (agent.description && !agent.description->empty()) {
        md += "\n" + *agent.description + "\n";
    }
    return md;
}

AgentService::AgentService(store::Db& db, runtime::Supervisor& supervisor,
                           const runtime::EngineRegistry& engines, SecretService& secrets,
                           SkillService& skills, TemplateService& templates,
                           const content::BlockSource& blocks, const Clock& clock,
                           DataLayout layout, AgentServiceOptions options)
    : db_(db),
      supervisor_(supervisor),
      engines_(engines),
      secrets_(secrets),
      skills_(skills),
      templates_(templates),
      blocks_(blocks),
      clock_(clock),
      layout_(std::move(layout)),
      options_(options) {}

std::shared_ptr<std::mutex> AgentService::agentLock(const std::string& agentId) {
    std::lock_guard<std::mutex> guard(locksMutex_);
    auto& lock = agentLocks_[agentId];
    if (!lock)
        lock = std::make_shared<std::mutex>();
    return lock;
}

Result<store::AgentRecord> AgentService::load(const std::string& workspace,
                                              const std::string& agentId) {
    store::AgentRepository agents(db_);
    auto agent = agents.get(agentId);
    if (!agent.ok())
        return agent.status();
    if (agent->workspace != workspace)
        return Status::NotFound("Agent not found");
    return agent;
}

Result<AgentService::Launch> AgentService::prepareLaunch(const store::AgentRecord& agent) const {
    const runtime::EngineDefinition* engine = engines_.find(agent.engine);
    if (!engine) {
        return Status::Conflict("Engine " + agent.engine + " is not configured on this server");
    }
    PINFOLD_ASSIGN_OR_RETURN(AgentEnvironment environment, secrets_.environmentFor(agent.id));
    runtime::AgentLaunchSpec spec;
    spec.agentId = agent.id;
    spec.hostUid = agent.hostUid;
    spec.homeDir = layout_.agentHome(agent.id);
    spec.logFile = layout_.agentLog(agent.id);
    spec.engine = *engine;
    spec.engineVersion = agent.engineVersion;
    spec.gatewayToken = agent.gatewayToken;
    // Secret names never collide with these: the platform's names are reserved.
    spec.env = environment.env;
    spec.env["GATEWAY_TOKEN"] = agent.gatewayToken;
    spec.env["PINFOLD_AGENT_ID"] = agent.id;
    spec.redact = environment.redactions;
    spec.memoryLimitBytes = options_.memoryLimitBytes;
    spec.pidsLimit = options_.pidsLimit;
    return Launch{std::move(spec), std::move(environment)};
}

Status AgentService::recordLaunched(const Launch& launch) {
    return secrets_.recordStarted(launch.spec.agentId, launch.environment);
}

Status AgentService::writeIdentity(const store::AgentRecord& agent) {
    std::string home = layout_.agentHome(agent.id);
    PINFOLD_TRY(sandbox::PrepareAgentHome(home, agent.hostUid));
    auto written =
        sandbox::WriteFileInRoot(home, "clawd/workspace/IDENTITY.md", agent.hostUid,
                                 RenderIdentityMarkdown(agent), sandbox::WriteMode::kCreateParents);
    return written.ok() ? Status::Ok() : written.status();
}

Result<TemplateView> AgentService::applyTemplate(const std::string& workspace,
                                                 CreateAgentInput& input) {
    PINFOLD_ASSIGN_OR_RETURN(TemplateView view,
                             templates_.forDeployment(workspace, *input.templateId));
    const Manifest& m = view.manifest;
    if (TrimAscii(input.name).empty())
        input.name = m.agent.name;
    if (!input.description)
        input.description = m.agent.description;
    if (!input.vibe)
        input.vibe = m.agent.vibe;
    if (!input.emoji)
        input.emoji = m.agent.emoji;
    if (!input.engine)
        input.engine = m.engine;

    std::vector<std::string> names;
    if (!input.secretIds.empty()) {
        PINFOLD_ASSIGN_OR_RETURN(names, secrets_.checkAttachable(workspace, input.secretIds));
    }
    std::string missing;
    for (const ManifestSecret& secret : m.secrets) {
        if (secret.required && std::find(names.begin(), names.end(), secret.name) == names.end())
            missing += (missing.empty() ? "" : ", ") + secret.name;
    }
    if (!missing.empty()) {
        return Status::InvalidArgument("Validation failed: the template needs these secrets: " +
                                       missing + " (create them and pass their ids in secretIds)");
    }

    PINFOLD_TRY(addTemplateSkills(workspace, m));
    for (const ManifestSkill& skill : m.skills) {
        if (std::find(input.skillCids.begin(), input.skillCids.end(), skill.ref) ==
            input.skillCids.end())
            input.skillCids.push_back(skill.ref);
    }
    return view;
}

Status AgentService::addTemplateSkills(const std::string& workspace, const Manifest& manifest) {
    for (const ManifestSkill& skill : manifest.skills) {
        if (!skills_.checkAttachable(workspace, {skill.ref}).IsNotFound())
            continue;
        Result<LibraryAddition> added =
            skill.isCid ? skills_.add(workspace, SkillSource{.skillCid = skill.ref})
                        : skills_.install(workspace, skill.ref);
        if (!added.ok() && added.status().IsNotFound()) {
            return Status::InvalidArgument("Validation failed: the template's skill " + skill.ref +
                                           " is neither in your library nor in the hub");
        }
        PINFOLD_TRY(added.status());
        if (added->conflict)
            return Status::Conflict(*added->conflict);
    }
    return Status::Ok();
}

Status AgentService::writeTemplate(const store::AgentRecord& agent, const TemplateView& view) {
    PINFOLD_ASSIGN_OR_RETURN(content::Cid root, content::Cid::Parse(view.record.snapshotCid));
    PINFOLD_ASSIGN_OR_RETURN(
        std::unique_ptr<sandbox::AgentFileAccess> files,
        sandbox::AgentFileAccess::Open(layout_.agentHome(agent.id), agent.hostUid));
    return WriteTreeFromBlocks(*files, "clawd/", root, blocks_, {});
}

Result<AgentView> AgentService::create(const std::string& workspace,
                                       const CreateAgentInput& request) {
    CreateAgentInput input = request;
    std::optional<TemplateView> fromTemplate;
    if (input.templateId) {
        PINFOLD_ASSIGN_OR_RETURN(fromTemplate, applyTemplate(workspace, input));
    }
    PINFOLD_TRY(ValidateAgentFields(input));
    std::string engineId = input.engine.value_or(kDefaultEngine);
    const runtime::EngineDefinition* engine = engines_.find(engineId);
    if (!engine)
        return Status::InvalidArgument("Unknown engine: " + engineId);
    if (!input.secretIds.empty())
        PINFOLD_TRY(secrets_.checkAttachable(workspace, input.secretIds).status());
    if (!input.skillCids.empty())
        PINFOLD_TRY(skills_.checkAttachable(workspace, input.skillCids));

    store::AgentRecord agent;
    {
        std::lock_guard<std::mutex> guard(createMutex_);
        store::AgentRepository agents(db_);
        PINFOLD_ASSIGN_OR_RETURN(int64_t live, agents.countLive(workspace));
        if (static_cast<size_t>(live) >= options_.agentLimit) {
            return Status::Forbidden("Agent limit reached");
        }
        // Ids are never reused, not even those of deleted agents.
        std::string id;
        for (int attempt = 0; attempt < 20 && id.empty(); ++attempt) {
            std::string candidate = crypto::NewAgentId();
            PINFOLD_ASSIGN_OR_RETURN(bool used, agents.idEverUsed(candidate));
            if (!used)
                id = candidate;
        }
        if (id.empty())
            return Status::Internal("Could not allocate an agent id");
        PINFOLD_ASSIGN_OR_RETURN(uint32_t uid, agents.nextHostUid(options_.firstHostUid));

        int64_t now = clock_.nowMs();
        agent.id = id;
        agent.workspace = workspace;
        agent.name = std::string(TrimAscii(input.name));
        agent.description = input.description;
        agent.vibe = input.vibe;
        agent.emoji = input.emoji;
        agent.engine = engine->id;
        agent.engineVersion = engine->versions.empty() ? "" : engine->versions.front();
        agent.gatewayToken = crypto::NewUuidV4();
        agent.hostUid = uid;
        agent.desiredRunning = true;
        agent.createdAtMs = now;
        agent.updatedAtMs = now;
        PINFOLD_TRY(agents.insert(agent));
    }
    if (!input.secretIds.empty())
        PINFOLD_TRY(secrets_.attach(workspace, agent.id, input.secretIds).status());

    Status identity = writeIdentity(agent);
    if (identity.ok() && fromTemplate)
        identity = writeTemplate(agent, *fromTemplate);
    if (!identity.ok()) {
        supervisor_.appendLog(agent.id,
                              {clock_.nowMs(), "ERROR", "supervisor",
                               "Could not prepare the agent's home: " + identity.message()});
        return Status::Internal("Could not prepare the agent's home: " + identity.message());
    }
    // Into the prepared home, so the engine finds the skills' files at its first start.
    if (!input.skillCids.empty())
        PINFOLD_TRY(skills_.attach(workspace, agent.id, input.skillCids).status());
    PINFOLD_ASSIGN_OR_RETURN(Launch launch, prepareLaunch(agent));
    PINFOLD_TRY(supervisor_.start(launch.spec));
    PINFOLD_TRY(recordLaunched(launch));
    return AgentView{agent, supervisor_.status(agent.id), {}, {}};
}

Result<std::vector<AgentView>> AgentService::list(const std::string& workspace) {
    store::AgentRepository agents(db_);
    PINFOLD_ASSIGN_OR_RETURN(std::vector<store::AgentRecord> records,
                             agents.listByWorkspace(workspace));
    std::vector<AgentView> views;
    views.reserve(records.size());
    for (auto& record : records) {
        runtime::ProcessStatus process = supervisor_.status(record.id);
        views.push_back({std::move(record), std::move(process), {}, {}});
    }
    return views;
}

Result<AgentView> AgentService::get(const std::string& workspace, const std::string& agentId) {
    PINFOLD_ASSIGN_OR_RETURN(store::AgentRecord agent, load(workspace, agentId));
    runtime::ProcessStatus process = supervisor_.status(agent.id);
    PINFOLD_ASSIGN_OR_RETURN(std::vector<AgentSecretView> secrets, secrets_.attachedTo(agent.id));
    PINFOLD_ASSIGN_OR_RETURN(std::vector<AgentSkillView> skills, skills_.attachedTo(agent.id));
    PINFOLD_ASSIGN_OR_RETURN(AgentScriptsView scripts,
                             LoadAgentScripts(db_, agent.id, process.state));
    return AgentView{std::move(agent), std::move(process), std::move(secrets), std::move(skills),
                     std::move(scripts)};
}

Status AgentService::remove(const std::string& workspace, const std::string& agentId) {
    auto lock = agentLock(agentId);
    std::lock_guard<std::mutex> guard(*lock);
    PINFOLD_ASSIGN_OR_RETURN(store::AgentRecord agent, load(workspace, agentId));
    store::AgentRepository agents(db_);
    // Mark first: once the row says deleted, a crash half-way leaves nothing that would restart.
    PINFOLD_TRY(agents.markDeleted(agent.id, clock_.nowMs()));
    PINFOLD_TRY(supervisor_.remove(agent.id));
    // The snapshot list goes with the agent; blocks stay, shared by content with other agents.
    PINFOLD_TRY(store::SnapshotRepository(db_).deleteAll(agent.id));
    PINFOLD_TRY(secrets_.detachAll(agent.id));
    PINFOLD_TRY(skills_.detachAll(agent.id));
    std::error_code ec;
    std::filesystem::remove_all(layout_.agentDir(agent.id), ec);
    if (ec)
        return Status::Internal("Agent deleted, but its files remain: " + ec.message());
    return Status::Ok();
}

Result<RestartOutcome> AgentService::restart(const std::string& workspace,
                                             const std::string& agentId,
                                             const std::optional<std::string>& version) {
    auto lock = agentLock(agentId);
    std::lock_guard<std::mutex> guard(*lock);
    PINFOLD_ASSIGN_OR_RETURN(store::AgentRecord agent, load(workspace, agentId));
    store::AgentRepository agents(db_);
    if (version) {
        const runtime::EngineDefinition* engine = engines_.find(agent.engine);
        bool known = false;
        if (engine) {
            for (const auto& v : engine->versions)
                known = known || v == *version;
        }
        if (!known)
            return Status::InvalidArgument("Invalid version");
        PINFOLD_TRY(agents.setEngineVersion(agent.id, *version, clock_.nowMs()));
        agent.engineVersion = *version;
    }
    if (!agent.desiredRunning) {
        PINFOLD_TRY(agents.setDesiredRunning(agent.id, true, clock_.nowMs()));
    }
    PINFOLD_ASSIGN_OR_RETURN(Launch launch, prepareLaunch(agent));
    PINFOLD_ASSIGN_OR_RETURN(std::optional<int> previous, supervisor_.restart(launch.spec));
    PINFOLD_TRY(recordLaunched(launch));
    return RestartOutcome{previous};
}

Result<std::vector<runtime::LogLine>> AgentService::logs(const std::string& workspace,
                                                         const std::string& agentId, size_t lines) {
    PINFOLD_ASSIGN_OR_RETURN(store::AgentRecord agent, load(workspace, agentId));
    return supervisor_.lastLogLines(agent.id, lines);
}

Result<std::string> AgentService::gatewayToken(const std::string& workspace,
                                               const std::string& agentId) {
    PINFOLD_ASSIGN_OR_RETURN(store::AgentRecord agent, load(workspace, agentId));
    return agent.gatewayToken;
}

Result<std::string> AgentService::rotateGatewayToken(const std::string& workspace,
                                                     const std::string& agentId) {
    auto lock = agentLock(agentId);
    std::lock_guard<std::mutex> guard(*lock);
    PINFOLD_ASSIGN_OR_RETURN(store::AgentRecord agent, load(workspace, agentId));
    agent.gatewayToken = crypto::NewUuidV4();
    store::AgentRepository agents(db_);
    PINFOLD_TRY(agents.setGatewayToken(agent.id, agent.gatewayToken, clock_.nowMs()));
    if (agent.desiredRunning) {
        // The engine reads its token at start, so it must restart to accept only the new one.
        PINFOLD_ASSIGN_OR_RETURN(Launch launch, prepareLaunch(agent));
        auto restarted = supervisor_.restart(launch.spec);
        if (!restarted.ok())
            return restarted.status();
        PINFOLD_TRY(recordLaunched(launch));
    }
    return agent.gatewayToken;
}

Result<store::AgentRecord> AgentService::findByGatewayToken(const std::string& agentId,
                                                            const std::string& token) {
    store::AgentRepository agents(db_);
    auto agent = agents.get(agentId);
    if (!agent.ok()) {
        if (agent.status().IsNotFound())
            return Status::Unauthorized("Invalid gateway token");
        return agent.status();
    }
    if (!crypto::ConstantTimeEqual(agent->gatewayToken, token)) {
        return Status::Unauthorized("Invalid gateway token");
    }
    return agent;
}

Result<int> AgentService::connectEngine(const std::string& agentId) {
    store::AgentRepository agents(db_);
    PINFOLD_ASSIGN_OR_RETURN(store::AgentRecord agent, agents.get(agentId));
    const runtime::EngineDefinition* engine = engines_.find(agent.engine);
    if (!engine)
        return Status::Conflict("Engine " + agent.engine + " is not configured");
    if (supervisor_.status(agent.id).state != runtime::ProcessState::kRunning) {
        return Status::Conflict("Agent is not running");
    }
    return supervisor_.connect(agent.id, engine->port);
}

Result<size_t> AgentService::reconcile() {
    store::AgentRepository agents(db_);
    PINFOLD_ASSIGN_OR_RETURN(std::vector<store::AgentRecord> live, agents.listLive());
    size_t started = 0;
    for (const auto& agent : live) {
        auto launch = prepareLaunch(agent);
        if (!launch.ok()) {
            supervisor_.appendLog(
                agent.id, {clock_.nowMs(), "ERROR", "supervisor", launch.status().message()});
            continue;
        }
        if (!agent.desiredRunning) {
            supervisor_.track(launch->spec);  // its saved logs stay readable
            continue;
        }
        if (supervisor_.start(launch->spec).ok() && recordLaunched(*launch).ok())
            ++started;
    }
    return started;
}

}  // namespace pinfold::services
