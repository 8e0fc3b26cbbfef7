// The skills library as stored: one row per skill of a workspace, one per version of it (its
// folder's CID), and one per skill attached to an agent (which version its files are).
//
// Library reads and changes take the workspace, so another workspace's skill is NotFound exactly
// like one that does not exist. Attachments are keyed by agent; callers check that the agent is
// the caller's. Thread-safe as far as the Db is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "store/db.h"

namespace pinfold::store {

struct SkillRecord {
    std::string id;  // skillId, a UUID
    std::string workspace;
    std::string name;                        // SKILL.md's name, unique in the workspace
    std::optional<std::string> slug;         // "@owner/name" when installed from the hub
    std::optional<std::string> description;  // the newest version's
    std::string envVarsJson = "[]";          // the newest version's [{name, description}]
    std::optional<std::string> hubSkillId;   // when installed from the hub
    int64_t createdAtMs = 0;

    bool operator==(const SkillRecord&) const = default;
};

struct SkillVersionRecord {
    std::string skillId;
    std::string version;  // a semantic version, unique per skill
    std::string cid;      // the skill folder's CIDv1
    int64_t createdAtMs = 0;

    bool operator==(const SkillVersionRecord&) const = default;
};

struct AgentSkillRecord {
    std::string agentId;
    std::string skillId;
    std::string version;  // the version whose files the agent has
    std::string cid;
    int64_t attachedAtMs = 0;

    bool operator==(const AgentSkillRecord&) const = default;
};

// An attachment with its skill (for an agent's listing).
struct AttachedSkill {
    SkillRecord skill;
    AgentSkillRecord attachment;
};

class SkillRepository {
  public:
    explicit SkillRepository(Db& db) : db_(db) {}

    // The skill with its first version, both or neither. Conflict "Skill <name> is already in
    // the library" when the workspace has a skill of that name.
    Status insert(const SkillRecord& skill, const SkillVersionRecord& firstVersion);
    // NotFound "Skill not found".
    Result<SkillRecord> get(std::string_view workspace, std::string_view id);
    // nullopt when the workspace has none.
    Result<std::optional<SkillRecord>> findByName(std::string_view workspace,
                                                  std::string_view name);
    Result<std::optional<SkillRecord>> findBySlug(std::string_view workspace,
                                                  std::string_view slug);
    Result<std::optional<SkillRecord>> findByHubSkillId(std::string_view workspace,
                                                        std::string_view hubSkillId);
    // The workspace's skill having a version with this CID, and that version.
    Result<std::optional<std::pair<SkillRecord, SkillVersionRecord>>> findByCid(
        std::string_view workspace, std::string_view cid);
    // True when some workspace's library has a version with this CID.
    Result<bool> cidInAnyLibrary(std::string_view cid);
    // The workspace's skills, by name.
    Result<std::vector<SkillRecord>> list(std::string_view workspace);
    // The newest version's description and variables. NotFound "Skill not found".
    Status updateDetails(std::string_view workspace, std::string_view id,
                         const std::optional<std::string>& description,
                         std::string_view envVarsJson);
    // The skill and its versions. NotFound "Skill not found". Callers check attachments first.
    Status remove(std::string_view workspace, std::string_view id);

    // Conflict "Version <version> already exists" when the skill has it.
    Status addVersion(const SkillVersionRecord& version);
    // The skill's versions, oldest first (semantic version order is the caller's).
    Result<std::vector<SkillVersionRecord>> versions(std::string_view skillId);
    // Every version of the workspace's skills, oldest first.
    Result<std::vector<SkillVersionRecord>> versionsInWorkspace(std::string_view workspace);

    // How many libraries, across workspaces, hold each hub skill: (hubSkillId, count).
    Result<std::vector<std::pair<std::string, int64_t>>> hubInstallCounts();

    // Attaches, or for a skill already attached moves it to record's version (its attachedAtMs
    // stays the first attachment's).
    Status attach(const AgentSkillRecord& record);
    // False when it was not attached.
    Result<bool> detach(std::string_view agentId, std::string_view skillId);
    Status detachAll(std::string_view agentId);
    // The agent's skills, by name.
    Result<std::vector<AttachedSkill>> attachedTo(std::string_view agentId);
    // Live agents that have the skill attached, by id.
    Result<std::vector<std::string>> agentsWith(std::string_view skillId);

  private:
    Db& db_;
};

}  // namespace pinfold::store
