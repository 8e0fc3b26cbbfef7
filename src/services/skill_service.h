// SkillService: each workspace's skills library (§5 of the spec) — adding skills from an
// archive, a CID or the hub, versions, deletion — the skills attached to agents, whose files it
// copies into workspace/skills/<name>/ of the agent's repository, and the local ClawHub.
//
// A skill's identity is its folder's UnixFS CID, one per version; its blocks live in the
// BlockStore, so attaching a version writes its files from blocks. Skills are referred to by a
// ref: the skillId, the CID of any of its versions (CIDv0 or v1), or its hub slug (@owner/name,
// the '@' optional), always within the caller's workspace.
//
// Every call takes the caller's workspace: another workspace's skill or agent is NotFound.
// Thread-safe: the store and block store are; changes to one agent's skills are serialised.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "content/block_store.h"
#include "core/clock.h"
#include "core/result.h"
#include "services/data_layout.h"
#include "services/hub_catalog.h"
#include "services/skill_package.h"
#include "store/agent_repository.h"
#include "store/db.h"
#include "store/skill_repository.h"

namespace pinfold::services {

struct SkillServiceOptions {
    SkillArchiveLimits archiveLimits;  // uploads; also bounds a skill exported from blocks
    size_t maxAttachedSkills = 10;     // per agent (400 "skills exceeds maximum of 10")
};

// What a new skill or version is made of: exactly one of archiveBase64 (a tar or tar.gz) and
// skillCid (a CID some library holds or a hub listing's CID, or a hub slug), plus optional
// overrides. SKILL.md always names the skill (its folder in an agent is skills/<name>/), so a
// name given with the request is not one of them.
struct SkillSource {
    std::optional<std::string> archiveBase64;
    std::optional<std::string> skillCid;
    std::optional<std::string> description;  // replaces SKILL.md's
    std::vector<std::string> envVars;        // names added to .env.example's
    std::optional<std::string> version;      // default "1.0.0" for a new skill
};

struct SkillVersionView {
    std::string version;
    std::string cid;
    int64_t createdAtMs = 0;
};

// A library entry: its row, its variables, and its newest version by semantic version order.
struct SkillView {
    store::SkillRecord record;
    std::vector<SkillEnvVar> envVars;
    SkillVersionView latest;
};

// The outcome of adding a skill: the new entry, or (conflict set) the entry already in the
// library that stopped it, which the API's 409 body still carries.
struct LibraryAddition {
    SkillView skill;
    std::optional<std::string> conflict;
};

struct SkillVersions {
    SkillView skill;
    std::vector<SkillVersionView> versions;  // newest first
};

struct PublishedVersion {
    SkillView skill;
    SkillVersionView version;
};

// A skill attached to an agent, with the version its files are.
struct AgentSkillView {
    store::SkillRecord skill;
    store::AgentSkillRecord attachment;
};

struct SkillUpdateInfo {
    AgentSkillView current;
    SkillVersionView latest;
};

struct SkillUpdateOutcome {
    AgentSkillView skill;  // after the update
    std::string previousVersion;
};

struct HubSkillView {
    HubSkill skill;
    uint64_t installCount = 0;
};

class SkillService {
  public:
    SkillService(store::Db& db, content::BlockStore& blocks, const HubCatalog& hub,
                 const Clock& clock, DataLayout layout, SkillServiceOptions options = {});

    // ---- library ----

    // InvalidArgument for a bad archive, SKILL.md, field or version; TooLarge for an archive or
    // folder over the limits; NotFound "Skill CID not found: <cid>" for a CID no library holds
    // and the hub lacks; a name already in the library gives a conflict (see LibraryAddition).
    Result<LibraryAddition> add(const std::string& workspace, const SkillSource& source);
    // By name.
    Result<std::vector<SkillView>> list(const std::string& workspace);
    // Removes the entry the ref names (all its versions); returns it. NotFound "Skill not
    // found"; Conflict naming the agents that still have it attached.
    Result<SkillView> remove(const std::string& workspace, const std::string& ref);
    Result<SkillVersions> versions(const std::string& workspace, const std::string& ref);
    // source.version is required and must be newer than every version (Conflict otherwise), and
    // the new SKILL.md must keep the skill's name (InvalidArgument).
    Result<PublishedVersion> publish(const std::string& workspace, const std::string& ref,
                                     const SkillSource& source);

    // ---- agents ----

    // Attaches the skills the refs name (a CID: that version; a skillId or slug: the newest),
    // writing each one's files to the agent's workspace/skills/<name>/, and returns how many
    // the request named. A skill already attached moves to the named version. NotFound for the
    // agent or "Skill not found: <ref>"; InvalidArgument "Validation failed: skills exceeds
    // maximum of 10" when the agent would hold more; Conflict "Cannot write
    // workspace/skills/<name>/: <reason>" when the agent's own files stand in the way (a file or
    // symlink where the folder goes, a folder it may not change).
    Result<size_t> attach(const std::string& workspace, const std::string& agentId,
                          const std::vector<std::string>& refs);
    // The checks of attach without an agent: for creating an agent with skills.
    Status checkAttachable(const std::string& workspace, const std::vector<std::string>& refs);
    // Detaches and removes the skill's folder; returns it. NotFound "Skill is not attached to
    // this agent"; Conflict "Cannot remove workspace/skills/<name>/: <reason>" as for attach.
    Result<AgentSkillView> detach(const std::string& workspace, const std::string& agentId,
                                  const std::string& ref);
    Result<std::vector<AgentSkillView>> attachedTo(const std::string& workspace,
                                                   const std::string& agentId);
    // For an agent already checked to be the caller's (the agent detail).
    Result<std::vector<AgentSkillView>> attachedTo(const std::string& agentId);
    // Attached skills whose library has a newer version.
    Result<std::vector<SkillUpdateInfo>> updates(const std::string& workspace,
                                                 const std::string& agentId);
    // Rewrites the skill's folder with `version` (default: the newest). Conflict "Skill <name>
    // is already at version <v>" or as for attach; NotFound "Skill <name> has no version <v>".
    Result<SkillUpdateOutcome> update(const std::string& workspace, const std::string& agentId,
                                      const std::string& ref,
                                      const std::optional<std::string>& version);
    // When an agent is deleted (its files go with its home).
    Status detachAll(const std::string& agentId);

    // ---- hub ----

    Result<HubPage> hubList(const HubQuery& query);
    // NotFound "Skill not found".
    Result<HubSkillView> hubFind(const std::string& idOrSlug);
    // Adds the listing to the library (its slug, hub.json's version and its CID); a second
    // install gives a conflict "Skill is already installed" (see LibraryAddition).
    Result<LibraryAddition> install(const std::string& workspace, const std::string& idOrSlug);

    size_t maxAttachedSkills() const { return options_.maxAttachedSkills; }
    // The largest archive accepted, decoded (file bytes plus tar headers).
    uint64_t maxArchiveBytes() const;

  private:
    // A skill folder checked and imported: from an archive, from blocks, or from the hub.
    struct Content {
        SkillManifest manifest;
        std::string cid;
        const HubSkill* hub = nullptr;  // set when the source was a hub slug
    };
    // A ref resolved in a workspace: the skill and the version it names (the newest for a
    // skillId or slug).
    struct Resolved {
        store::SkillRecord skill;
        store::SkillVersionRecord version;
    };

    Result<Content> load(const SkillSource& source, const std::string& tempDir);
    Result<Content> loadArchive(const std::string& archiveBase64, const std::string& tempDir);
    Result<Content> loadCid(const std::string& cidText, const std::string& tempDir);
    Result<std::optional<Resolved>> resolve(store::Db& db, const std::string& workspace,
                                            const std::string& ref);
    Result<Resolved> resolveOrNotFound(const std::string& workspace, const std::string& ref,
                                       bool namedInMessage);
    Result<SkillView> view(const store::SkillRecord& record);
    // The attachment of the skill `ref` names to the agent; NotFound "Skill is not attached to
    // this agent".
    Result<store::AttachedSkill> findAttached(const std::string& workspace,
                                              const std::string& agentId, const std::string& ref);
    Result<store::AgentRecord> loadAgent(const std::string& workspace, const std::string& agentId);
    Result<std::vector<Resolved>> resolveForAttach(const std::string& workspace,
                                                   const std::vector<std::string>& refs,
                                                   const std::string& agentId);
    Status writeFiles(const store::AgentRecord& agent, const std::string& name,
                      const std::string& cid);
    Status removeFiles(const store::AgentRecord& agent, const std::string& name);
    std::shared_ptr<std::mutex> agentLock(const std::string& agentId);

    store::Db& db_;
    content::BlockStore& blocks_;
    const HubCatalog& hub_;
    const Clock& clock_;
    const DataLayout layout_;
    const SkillServiceOptions options_;

    std::mutex locksMutex_;  // guards agentLocks_
    std::map<std::string, std::shared_ptr<std::mutex>> agentLocks_;
};

// Semantic version precedence (semver.org 2.0.0 §11): negative, zero or positive as a is older
// than, as old as, or newer than b. Build metadata is ignored; both must be IsSemanticVersion.
int CompareSemanticVersions(std::string_view a, std::string_view b);

}  // namespace pinfold::services
