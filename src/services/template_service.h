// TemplateService: agent templates (spec §12) — repositories holding manifest.json, README.md
// and workspace/, taken from a git URL at one commit, stored as the UnixFS DAG of their folder,
// reviewed (draft -> pending_review -> published | rejected; archived as a soft delete) and
// deployed as new agents (AgentService asks prepareDeployment).
//
// Who sees what: a workspace sees its own templates in every state but archived, and everyone's
// published ones; anything else is NotFound, as if it did not exist. Only the owner changes a
// template; only the operator (`pinfold templates publish|reject`) reviews it.
//
// Thread-safe: the store, block store and git fetches are.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "content/block_store.h"
#include "core/clock.h"
#include "core/result.h"
#include "services/manifest.h"
#include "services/template_git.h"
#include "store/db.h"
#include "store/template_repository.h"

namespace pinfold::services {

struct TemplateServiceOptions {
    size_t maxTemplatesPerWorkspace = 50;  // live ones (403 "Template limit reached")
};

// Where a template comes from: a git URL, a ref (bare branch or tag, refs/heads/..., or
// refs/tags/...; nullopt: the default branch) and the template's folder in the repository.
struct TemplateSource {
    std::string gitUrl;
    std::optional<std::string> ref;
    std::string path;  // relative, "" = the repository's root
};

// Fields a submission may set instead of the manifest's.
struct TemplateOverrides {
    std::optional<std::string> name;
    std::optional<std::string> slug;
    bool draft = false;  // keep it a draft instead of submitting it for review
};

struct TemplateValidation {
    std::vector<std::string> errors;  // empty when valid
    std::string manifestText;         // "" when manifest.json could not be read
    std::string readme;
    std::vector<std::string> files;
    std::string commitSha;
};

// A template as the API shows it: its row and its parsed manifest.
struct TemplateView {
    store::TemplateRecord record;
    Manifest manifest;
};

// The outcome of a submission: the template, or the reasons it is not valid (nothing stored).
struct TemplateSubmission {
    std::optional<TemplateView> view;
    std::vector<std::string> validationErrors;
};

struct TemplateQuery {
    std::optional<std::string> category;
    bool featuredOnly = false;
    bool mineOnly = false;  // the caller's own, in every state but archived
};

class TemplateService {
  public:
    TemplateService(store::Db& db, content::BlockStore& blocks, TemplateGit& git,
                    const Clock& clock, TemplateServiceOptions options = {});

    // Fetches and checks the source without storing anything.
    Result<TemplateValidation> validate(const TemplateSource& source);
    // Fetches, checks and stores a new template of `workspace`, pending review (or a draft).
    // Conflict "Template slug is already taken: <slug>"; Forbidden "Template limit reached".
    Result<TemplateSubmission> submit(const std::string& workspace, const std::string& userId,
                                      const TemplateSource& source,
                                      const TemplateOverrides& overrides);
    // Takes the template again from its repository (fields of `source` that are set replace
    // the stored ones) and submits it for review again, unless it is a draft.
    Result<TemplateSubmission> update(const std::string& workspace, const std::string& id,
                                      const std::optional<std::string>& gitUrl,
                                      const std::optional<std::string>& ref,
                                      const std::optional<std::string>& path);
    // Archives the caller's template (a soft delete); its slug becomes free.
    Result<TemplateView> archive(const std::string& workspace, const std::string& id);

    // The caller's own and everyone's published ones (mineOnly: the caller's own only).
    Result<std::vector<TemplateView>> list(const std::string& workspace, const TemplateQuery& q);
    // Published templates only, for the marketplace without credentials.
    Result<std::vector<TemplateView>> listPublished(const TemplateQuery& q);
    Result<TemplateView> getBySlug(const std::string& workspace, const std::string& slug);
    Result<TemplateView> getById(const std::string& workspace, const std::string& id);

    Result<std::vector<std::string>> branches(const std::string& gitUrl);
    Result<RemoteRefs> refs(const std::string& gitUrl);

    // The operator's review: pending_review -> published | rejected (with the reason).
    // Conflict when the template is not pending review.
    Result<TemplateView> review(const std::string& id, bool publish,
                                const std::optional<std::string>& note);

    // A template the caller may deploy (its own, or a published one), for a new agent.
    Result<TemplateView> forDeployment(const std::string& workspace, const std::string& id);

  private:
    struct Fetched {
        TemplateValidation validation;
        std::optional<Manifest> manifest;
        std::string cid;  // the template folder's CID, its blocks stored; "" when not valid
        // The source as checked: the URL without credentials, the bare ref, the clean path.
        std::string displayUrl;
        std::optional<std::string> ref;
        std::string path;
    };
    Result<Fetched> fetch(const TemplateSource& source, bool store);
    Result<TemplateView> visible(const std::string& workspace, store::TemplateRecord record);
    Result<TemplateView> owned(const std::string& workspace, const std::string& id);
    Status checkTemplateLimit(const std::string& workspace);

    store::Db& db_;
    content::BlockStore& blocks_;
    TemplateGit& git_;
    const Clock& clock_;
    const TemplateServiceOptions options_;

    std::mutex insertMutex_;  // serialises the template limit's count with the insert
};

// A template's slug from its name: lowercase ASCII letters and digits, runs of anything else
// as one hyphen, at most 64 characters; "template" when nothing is left.
std::string SlugFromName(const std::string& name);
// True for 1-64 lowercase ASCII letters, digits and single hyphens, not at either end.
bool IsTemplateSlug(const std::string& slug);

}  // namespace pinfold::services
