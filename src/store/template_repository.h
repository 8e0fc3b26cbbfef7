// Templates as stored: one row per template a workspace submitted from a git repository.
//
// A slug names at most one template that is not archived (across workspaces: the marketplace
// looks templates up by slug). Reads by id or slug do not filter by workspace or status: who
// may see what is the service's rule. Thread-safe as far as the Db is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/db.h"

namespace pinfold::store {

// The review states of spec §12, plus archived (a soft delete).
inline constexpr const char* kTemplateDraft = "draft";
inline constexpr const char* kTemplatePendingReview = "pending_review";
inline constexpr const char* kTemplatePublished = "published";
inline constexpr const char* kTemplateRejected = "rejected";
inline constexpr const char* kTemplateArchived = "archived";

struct TemplateRecord {
    std::string id;  // "t" + 7 characters
    std::string workspace;
    std::string submittedBy;  // the submitter's userId
    std::string slug;
    std::string name;
    std::optional<std::string> category;
    std::string status = kTemplatePendingReview;
    std::optional<std::string> reviewNote;  // why it was rejected
    std::string gitUrl;                     // without credentials
    std::optional<std::string> gitRef;      // nullopt: the repository's default branch
    std::string gitPath;                    // the template's folder in the repository; "" = root
    std::string commitSha;
    std::string snapshotCid;  // the template folder's UnixFS CID (block store)
    std::string manifestJson;
    std::string readme;
    bool featured = false;
    int64_t createdAtMs = 0;
    int64_t updatedAtMs = 0;

    bool operator==(const TemplateRecord&) const = default;
};

struct TemplateFilter {
    std::optional<std::string> workspace;  // only this workspace's (any status but archived)
    bool publishedOnly = false;
    std::optional<std::string> category;
    bool featuredOnly = false;
};

class TemplateRepository {
  public:
    explicit TemplateRepository(Db& db) : db_(db) {}

    // Conflict "Template slug is already taken: <slug>" when a live template has the slug.
    Status insert(const TemplateRecord& t);
    // NotFound "Template not found".
    Result<TemplateRecord> get(const std::string& id);
    // The live (not archived) template with this slug.
    Result<std::optional<TemplateRecord>> findLiveBySlug(const std::string& slug);
    // Featured first, then by name; archived ones never.
    Result<std::vector<TemplateRecord>> list(const TemplateFilter& filter);
    // Rewrites every field but id, workspace, submittedBy and createdAtMs. Conflict as insert.
    Status update(const TemplateRecord& t);

  private:
    Db& db_;
};

}  // namespace pinfold::store
