#include "store/template_repository.h"

namespace pinfold::store {
namespace {

constexpr std::string_view kSelect =
    "SELECT id, workspace, submitted_by, slug, name, category, status, review_note, git_url, "
    "git_ref, git_path, commit_sha, snapshot_cid, manifest_json, readme, featured, "
    "created_at_ms, updated_at_ms FROM templates ";

TemplateRecord FromRow(const DbRow& row) {
    TemplateRecord t;
    t.id = row.getText(0);
    t.workspace = row.getText(1);
    t.submittedBy = row.getText(2);
    t.slug = row.getText(3);
    t.name = row.getText(4);
    t.category = row.getOptText(5);
    t.status = row.getText(6);
    t.reviewNote = row.getOptText(7);
    t.gitUrl = row.getText(8);
    t.gitRef = row.getOptText(9);
    t.gitPath = row.getText(10);
    t.commitSha = row.getText(11);
    t.snapshotCid = row.getText(12);
    t.manifestJson = row.getText(13);
    t.readme = row.getText(14);
    t.featured = row.getInt(15) != 0;
    t.createdAtMs = row.getInt(16);
    t.updatedAtMs = row.getInt(17);
    return t;
}

Status SlugConflictOr(Result<int64_t> changed, const TemplateRecord& t) {
    if (!changed.ok() && changed.status().IsConflict())
        return Status::Conflict("Template slug is already taken: " + t.slug);
    if (!changed.ok())
        return changed.status();
    return *changed == 0 ? Status::NotFound("Template not found") : Status::Ok();
}

}  // namespace

Status TemplateRepository::insert(const TemplateRecord& t) {
    return SlugConflictOr(
        db_.exec("INSERT INTO templates (id, workspace, submitted_by, slug, name, category, "
                 "status, review_note, git_url, git_ref, git_path, commit_sha, snapshot_cid, "
                 "manifest_json, readme, featured, created_at_ms, updated_at_ms) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 {t.id, t.workspace, t.submittedBy, t.slug, t.name, Nullable(t.category), t.status,
                  Nullable(t.reviewNote), t.gitUrl, Nullable(t.gitRef), t.gitPath, t.commitSha,
                  t.snapshotCid, t.manifestJson, t.readme, int64_t{t.featured ? 1 : 0},
                  t.createdAtMs, t.updatedAtMs}),
        t);
}

Result<TemplateRecord> TemplateRepository::get(const std::string& id) {
    PINFOLD_ASSIGN_OR_RETURN(std::vector<DbRow> rows,
                             db_.query(std::string(kSelect) + "WHERE id = ?", {id}));
    if (rows.empty())
        return Status::NotFound("Template not found");
    return FromRow(rows[0]);
}

Result<std::optional<TemplateRecord>> TemplateRepository::findLiveBySlug(const std::string& slug) {
    PINFOLD_ASSIGN_OR_RETURN(std::vector<DbRow> rows,
                             db_.query(std::string(kSelect) + "WHERE slug = ? AND status <> ?",
                                       {slug, kTemplateArchived}));
    if (rows.empty())
        return std::optional<TemplateRecord>();
    return std::optional<TemplateRecord>(FromRow(rows[0]));
}

Result<std::vector<TemplateRecord>> TemplateRepository::list(const TemplateFilter& filter) {
    std::string sql = std::string(kSelect) + "WHERE status <> ?";
    std::vector<DbValue> params = {kTemplateArchived};
    if (filter.workspace) {
        sql += " AND workspace = ?";
        params.push_back(*filter.workspace);
    }
    if (filter.publishedOnly) {
        sql += " AND status = ?";
        params.push_back(kTemplatePublished);
    }
    if (filter.category) {
        sql += " AND category = ?";
        params.push_back(*filter.category);
    }
    if (filter.featuredOnly)
        sql += " AND featured <> 0";
    sql += " ORDER BY featured DESC, name, id";
    PINFOLD_ASSIGN_OR_RETURN(std::vector<DbRow> rows, db_.query(sql, params));
    std::vector<TemplateRecord> records;
    records.reserve(rows.size());
    for (const DbRow& row : rows)
        records.push_back(FromRow(row));
    return records;
}

Status TemplateRepository::update(const TemplateRecord& t) {
    return SlugConflictOr(
        db_.exec("UPDATE templates SET slug = ?, name = ?, category = ?, status = ?, "
                 "review_note = ?, git_url = ?, git_ref = ?, git_path = ?, commit_sha = ?, "
                 "snapshot_cid = ?, manifest_json = ?, readme = ?, featured = ?, "
                 "updated_at_ms = ? WHERE id = ?",
                 {t.slug, t.name, Nullable(t.category), t.status, Nullable(t.reviewNote), t.gitUrl,
                  Nullable(t.gitRef), t.gitPath, t.commitSha, t.snapshotCid, t.manifestJson,
                  t.readme, int64_t{t.featured ? 1 : 0}, t.updatedAtMs, t.id}),
        t);
}

}  // namespace pinfold::store
