#include "store/skill_repository.h"

namespace pinfold::store {
namespace {

constexpr std::string_view kSkillColumns =
    "s.id, s.workspace, s.name, s.slug, s.description, s.env_vars, s.hub_skill_id, "
    "s.created_at_ms";
constexpr size_t kSkillColumnCount = 8;

SkillRecord SkillFromRow(const DbRow& row) {
    SkillRecord r;
    r.id = row.getText(0);
    r.workspace = row.getText(1);
    r.name = row.getText(2);
    r.slug = row.getOptText(3);
    r.description = row.getOptText(4);
    r.envVarsJson = row.getText(5);
    r.hubSkillId = row.getOptText(6);
    r.createdAtMs = row.getInt(7);
    return r;
}

// A version from four columns starting at `first`: skill_id, version, cid, created_at_ms.
SkillVersionRecord VersionFromRow(const DbRow& row, size_t first = 0) {
    return {row.getText(first), row.getText(first + 1), row.getText(first + 2),
            row.getInt(first + 3)};
}

Status NotFoundUnlessChanged(Result<int64_t> changed) {
    if (!changed.ok())
        return changed.status();
    return *changed == 0 ? Status::NotFound("Skill not found") : Status::Ok();
}

}  // namespace

Status SkillRepository::insert(const SkillRecord& s, const SkillVersionRecord& v) {
    return db_.transaction([&](Db& tx) -> Status {
        Result<int64_t> inserted = tx.exec(
            "INSERT INTO skills (id, workspace, name, slug, description, env_vars, hub_skill_id, "
            "created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            {s.id, s.workspace, s.name, Nullable(s.slug), Nullable(s.description), s.envVarsJson,
             Nullable(s.hubSkillId), s.createdAtMs});
        if (!inserted.ok() && inserted.status().IsConflict())
            return Status::Conflict("Skill " + s.name + " is already in the library");
        PINFOLD_TRY(inserted.status());
        return tx
            .exec(
                "INSERT INTO skill_versions (skill_id, version, cid, created_at_ms) "
                "VALUES (?, ?, ?, ?)",
                {v.skillId, v.version, v.cid, v.createdAtMs})
            .status();
    });
}

Result<SkillRecord> SkillRepository::get(std::string_view workspace, std::string_view id) {
    std::string sql = "SELECT " + std::string(kSkillColumns) +
                      " FROM skills s WHERE s.workspace = ? AND s.id = ?";
    PINFOLD_ASSIGN_OR_RETURN(std::vector<DbRow> rows,
                             db_.query(sql, {std::string(workspace), std::string(id)}));
    if (rows.empty())
        return Status::NotFound("Skill not found");
    return SkillFromRow(rows[0]);
}

namespace {

Result<std::optional<SkillRecord>> FindBy(Db& db, std::string_view column,
                                          std::string_view workspace, std::string_view value) {
    std::string sql = "SELECT " + std::string(kSkillColumns) +
                      " FROM skills s WHERE s.workspace = ? AND s." + std::string(column) + " = ?";
    PINFOLD_ASSIGN_OR_RETURN(std::vector<DbRow> rows,
                             db.query(sql, {std::string(workspace), std::string(value)}));
    if (rows.empty())
        return std::optional<SkillRecord>();
    return std::optional<SkillRecord>(SkillFromRow(rows[0]));
}

}  // namespace

Result<std::optional<SkillRecord>> SkillRepository::findByName(std::string_view workspace,
                                                               std::string_view name) {
    return FindBy(db_, "name", workspace, name);
}

Result<std::optional<SkillRecord>> SkillRepository::findBySlug(std::string_view workspace,
                                                               std::string_view slug) {
    return FindBy(db_, "slug", workspace, slug);
}

Result<std::optional<SkillRecord>> SkillRepository::findByHubSkillId(std::string_view workspace,
                                                                     std::string_view hubSkillId) {
    return FindBy(db_, "hub_skill_id", workspace, hubSkillId);
}

Result<std::optional<std::pair<SkillRecord, SkillVersionRecord>>> SkillRepository::findByCid(
    std::string_view workspace, std::string_view cid) {
    using Found = std::optional<std::pair<SkillRecord, SkillVersionRecord>>;
    std::string sql = "SELECT " + std::string(kSkillColumns) +
                      ", v.skill_id, v.version, v.cid, v.created_at_ms FROM skill_versions v "
                      "JOIN skills s ON s.id = v.skill_id WHERE s.workspace = ? AND v.cid = ? "
                      "ORDER BY v.created_at_ms DESC";
    PINFOLD_ASSIGN_OR_RETURN(std::vector<DbRow> rows,
                             db_.query(sql, {std::string(workspace), std::string(cid)}));
    if (rows.empty())
        return Found();
    return Found(std::make_pair(SkillFromRow(rows[0]), VersionFromRow(rows[0], kSkillColumnCount)));
}

Result<bool> SkillRepository::cidInAnyLibrary(std::string_view cid) {
    PINFOLD_ASSIGN_OR_RETURN(
        std::vector<DbRow> rows,
        db_.query("SELECT 1 FROM skill_versions WHERE cid = ? LIMIT 1", {std::string(cid)}));
    return !rows.empty();
}

Result<std::vector<SkillRecord>> SkillRepository::list(std::string_view workspace) {
    std::string sql = "SELECT " + std::string(kSkillColumns) +
                      " FROM skills s WHERE s.workspace = ? ORDER BY s.name";
    PINFOLD_ASSIGN_OR_RETURN(std::vector<DbRow> rows, db_.query(sql, {std::string(workspace)}));
    std::vector<SkillRecord> records;
    records.reserve(rows.size());
    for (const DbRow& row : rows)
        records.push_back(SkillFromRow(row));
    return records;
}

Status SkillRepository::updateDetails(std::string_view workspace, std::string_view id,
                                      const std::optional<std::string>& description,
                                      std::string_view envVarsJson) {
    return NotFoundUnlessChanged(
        db_.exec("UPDATE skills SET description = ?, env_vars = ? WHERE workspace = ? AND id = ?",
                 {Nullable(description), std::string(envVarsJson), std::string(workspace),
                  std::string(id)}));
}

Status SkillRepository::remove(std::string_view workspace, std::string_view id) {
    return db_.transaction([&](Db& tx) -> Status {
        PINFOLD_TRY(
            NotFoundUnlessChanged(tx.exec("DELETE FROM skills WHERE workspace = ? AND id = ?",
                                          {std::string(workspace), std::string(id)})));
        return tx.exec("DELETE FROM skill_versions WHERE skill_id = ?", {std::string(id)}).status();
    });
}

Status SkillRepository::addVersion(const SkillVersionRecord& v) {
    Result<int64_t> inserted = db_.exec(
        "INSERT INTO skill_versions (skill_id, version, cid, created_at_ms) VALUES (?, ?, ?, ?)",
        {v.skillId, v.version, v.cid, v.createdAtMs});
    if (!inserted.ok() && inserted.status().IsConflict())
        return Status::Conflict("Version " + v.version + " already exists");
    return inserted.status();
}

Result<std::vector<SkillVersionRecord>> SkillRepository::versions(std::string_view skillId) {
    PINFOLD_ASSIGN_OR_RETURN(
        std::vector<DbRow> rows,
        db_.query("SELECT skill_id, version, cid, created_at_ms FROM skill_versions "
                  "WHERE skill_id = ? ORDER BY created_at_ms, version",
                  {std::string(skillId)}));
    std::vector<SkillVersionRecord> versions;
    versions.reserve(rows.size());
    for (const DbRow& row : rows)
        versions.push_back(VersionFromRow(row));
    return versions;
}

Result<std::vector<SkillVersionRecord>> SkillRepository::versionsInWorkspace(
    std::string_view workspace) {
    PINFOLD_ASSIGN_OR_RETURN(
        std::vector<DbRow> rows,
        db_.query("SELECT v.skill_id, v.version, v.cid, v.created_at_ms FROM skill_versions v "
                  "JOIN skills s ON s.id = v.skill_id WHERE s.workspace = ? "
                  "ORDER BY v.created_at_ms, v.version",
                  {std::string(workspace)}));
    std::vector<SkillVersionRecord> versions;
    versions.reserve(rows.size());
    for (const DbRow& row : rows)
        versions.push_back(VersionFromRow(row));
    return versions;
}

Result<std::vector<std::pair<std::string, int64_t>>> SkillRepository::hubInstallCounts() {
    PINFOLD_ASSIGN_OR_RETURN(std::vector<DbRow> rows,
                             db_.query("SELECT hub_skill_id, COUNT(*) FROM skills "
                                       "WHERE hub_skill_id IS NOT NULL GROUP BY hub_skill_id "
                                       "ORDER BY hub_skill_id"));
    std::vector<std::pair<std::string, int64_t>> counts;
    counts.reserve(rows.size());
    for (const DbRow& row : rows)
        counts.emplace_back(row.getText(0), row.getInt(1));
    return counts;
}

Status SkillRepository::attach(const AgentSkillRecord& r) {
    return db_.transaction([&](Db& tx) -> Status {
        PINFOLD_ASSIGN_OR_RETURN(
            int64_t moved,
            tx.exec("UPDATE agent_skills SET version = ?, cid = ? WHERE agent_id = ? AND "
                    "skill_id = ?",
                    {r.version, r.cid, r.agentId, r.skillId}));
        if (moved > 0)
            return Status::Ok();
        return tx
            .exec(
                "INSERT INTO agent_skills (agent_id, skill_id, version, cid, attached_at_ms) "
                "VALUES (?, ?, ?, ?, ?)",
                {r.agentId, r.skillId, r.version, r.cid, r.attachedAtMs})
            .status();
    });
}

Result<bool> SkillRepository::detach(std::string_view agentId, std::string_view skillId) {
    PINFOLD_ASSIGN_OR_RETURN(
        int64_t removed, db_.exec("DELETE FROM agent_skills WHERE agent_id = ? AND skill_id = ?",
                                  {std::string(agentId), std::string(skillId)}));
    return removed > 0;
}

Status SkillRepository::detachAll(std::string_view agentId) {
    return db_.exec("DELETE FROM agent_skills WHERE agent_id = ?", {std::string(agentId)}).status();
}

Result<std::vector<AttachedSkill>> SkillRepository::attachedTo(std::string_view agentId) {
    std::string sql = "SELECT " + std::string(kSkillColumns) +
                      ", a.agent_id, a.skill_id, a.version, a.cid, a.attached_at_ms "
                      "FROM agent_skills a JOIN skills s ON s.id = a.skill_id "
                      "WHERE a.agent_id = ? ORDER BY s.name";
    PINFOLD_ASSIGN_OR_RETURN(std::vector<DbRow> rows, db_.query(sql, {std::string(agentId)}));
    std::vector<AttachedSkill> attached;
    attached.reserve(rows.size());
    for (const DbRow& row : rows) {
        const size_t a = kSkillColumnCount;
        attached.push_back({SkillFromRow(row),
                            {row.getText(a), row.getText(a + 1), row.getText(a + 2),
                             row.getText(a + 3), row.getInt(a + 4)}});
    }
    return attached;
}

Result<std::vector<std::string>> SkillRepository::agentsWith(std::string_view skillId) {
    PINFOLD_ASSIGN_OR_RETURN(
        std::vector<DbRow> rows,
        db_.query("SELECT g.id FROM agent_skills a "
                  "JOIN agents g ON g.id = a.agent_id AND g.deleted_at_ms IS NULL "
                  "WHERE a.skill_id = ? ORDER BY g.id",
                  {std::string(skillId)}));
    std::vector<std::string> agents;
    agents.reserve(rows.size());
    for (const DbRow& row : rows)
        agents.push_back(row.getText(0));
    return agents;
}

}  // namespace pinfold::store
