#include "services/template_service.h"

#include <filesystem>
#include <system_error>

#include "content/importer.h"
#include "core/text.h"
#include "crypto/random.h"
#include "services/template_folder.h"

namespace pinfold::services {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxSlugBytes = 64;
constexpr size_t kMaxPathBytes = 1024;

// A folder path inside the repository: relative, no "..", no empty parts; "" or "." = root.
Result<std::string> NormalizePath(const std::string& path) {
    if (path.empty() || path == "." || path == "/")
        return std::string();
    auto bad = [] {
        return Status::InvalidArgument(
            "Validation failed: path must be a relative folder inside the repository");
    };
    if (path.size() > kMaxPathBytes || path.front() == '/' || HasControlCharacter(path))
        return bad();
    std::string normal;
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = std::min(path.find('/', start), path.size());
        std::string part = path.substr(start, end - start);
        start = end + 1;
        if (part.empty() || part == ".") {
            if (end == path.size())
                break;
            continue;
        }
        if (part == ".." || part == ".git")
            return bad();
        normal += (normal.empty() ? "" : "/") + part;
    }
    return normal;
}

// The template's folder in a checkout, none of its parts a symlink (a repository could point
// `path` anywhere on the host otherwise).
Result<std::string> FolderInCheckout(const std::string& checkout, const std::string& path) {
    std::string dir = checkout;
    size_t start = 0;
    while (start < path.size()) {
        size_t end = std::min(path.find('/', start), path.size());
        dir += "/" + path.substr(start, end - start);
        start = end + 1;
        std::error_code ec;
        fs::file_status st = fs::symlink_status(dir, ec);
        if (ec || st.type() != fs::file_type::directory) {
            return Status::InvalidArgument("Validation failed: path " + path +
                                           " is not a folder in the repository");
        }
    }
    return dir;
}

bool IsLive(const store::TemplateRecord& t) {
    return t.status != store::kTemplateArchived;
}

}  // namespace

std::string SlugFromName(const std::string& name) {
    std::string slug;
    for (unsigned char c : name) {
        if (std::isalnum(c) && c < 0x80) {
            slug += static_cast<char>(std::tolower(c));
        } else if (!slug.empty() && slug.back() != '-') {
            slug += '-';
        }
        if (slug.size() >= kMaxSlugBytes)
            break;
    }
    while (!slug.empty() && slug.back() == '-')
        slug.pop_back();
    return slug.empty() ? "template" : slug;
}

bool IsTemplateSlug(const std::string& slug) {
    if (slug.empty() || slug.size() > kMaxSlugBytes || slug.front() == '-' || slug.back() == '-')
        return false;
    for (size_t i = 0; i < slug.size(); ++i) {
        char c = slug[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        if (!ok || (c == '-' && slug[i - 1] == '-'))
            return false;
    }
    return true;
}

TemplateService::TemplateService(store::Db& db, content::BlockStore& blocks, TemplateGit& git,
                                 const Clock& clock, TemplateServiceOptions options)
    : db_(db), blocks_(blocks), git_(git), clock_(clock), options_(options) {}

Result<TemplateService::Fetched> TemplateService::fetch(const TemplateSource& source, bool store) {
    PINFOLD_ASSIGN_OR_RETURN(GitUrl url, git_.parseUrl(source.gitUrl));
    std::optional<std::string> ref;
    if (source.ref) {
        PINFOLD_ASSIGN_OR_RETURN(ref, TemplateGit::normalizeRef(*source.ref));
    }
    PINFOLD_ASSIGN_OR_RETURN(std::string path, NormalizePath(source.path));
    PINFOLD_ASSIGN_OR_RETURN(GitCheckout checkout, git_.fetch(url, ref));
    PINFOLD_ASSIGN_OR_RETURN(std::string dir, FolderInCheckout(checkout.dir(), path));
    PINFOLD_ASSIGN_OR_RETURN(TemplateFolderCheck check, ValidateTemplateFolder(dir));

    Fetched fetched;
    fetched.displayUrl = url.displayUrl;
    fetched.ref = ref;
    fetched.path = path;
    fetched.validation.errors = std::move(check.errors);
    fetched.validation.manifestText = std::move(check.manifestText);
    fetched.validation.readme = std::move(check.readme);
    fetched.validation.files = std::move(check.files);
    fetched.validation.commitSha = checkout.commitSha();
    fetched.manifest = std::move(check.manifest);
    if (store && fetched.validation.errors.empty()) {
        PINFOLD_ASSIGN_OR_RETURN(content::ImportResult imported,
                                 content::ImportFolder(dir, blocks_));
        fetched.cid = imported.root.ToString();
    }
    return fetched;
}

Result<TemplateValidation> TemplateService::validate(const TemplateSource& source) {
    PINFOLD_ASSIGN_OR_RETURN(Fetched fetched, fetch(source, false));
    return std::move(fetched.validation);
}

Result<TemplateSubmission> TemplateService::submit(const std::string& workspace,
                                                   const std::string& userId,
                                                   const TemplateSource& source,
                                                   const TemplateOverrides& overrides) {
    if (overrides.slug && !IsTemplateSlug(*overrides.slug)) {
        return Status::InvalidArgument(
            "Validation failed: slug must be 1-64 lowercase letters, digits and single hyphens");
    }
    if (overrides.name && (overrides.name->empty() || overrides.name->size() > 100))
        return Status::InvalidArgument("Validation failed: name must be 1-100 characters");
    // Checked before the fetch to spare it, and again with the insert (see below).
    PINFOLD_TRY(checkTemplateLimit(workspace));
    PINFOLD_ASSIGN_OR_RETURN(Fetched fetched, fetch(source, true));
    if (!fetched.validation.errors.empty())
        return TemplateSubmission{std::nullopt, std::move(fetched.validation.errors)};
    const Manifest& manifest = *fetched.manifest;
    store::TemplateRecord t;
    t.id = crypto::NewTemplateId();
    t.workspace = workspace;
    t.submittedBy = userId;
    t.name = overrides.name.value_or(manifest.agent.name);
    std::optional<std::string> manifestSlug =
        manifest.templateInfo ? manifest.templateInfo->slug : std::nullopt;
    t.slug = overrides.slug.value_or(manifestSlug.value_or(SlugFromName(t.name)));
    if (!IsTemplateSlug(t.slug)) {
        return TemplateSubmission{
            std::nullopt,
            {"template.slug must be 1-64 lowercase letters, digits and single hyphens"}};
    }
    t.category = manifest.templateInfo ? manifest.templateInfo->category : std::nullopt;
    t.status = overrides.draft ? store::kTemplateDraft : store::kTemplatePendingReview;
    t.gitUrl = fetched.displayUrl;
    t.gitRef = fetched.ref;
    t.gitPath = fetched.path;
    t.commitSha = fetched.validation.commitSha;
    t.snapshotCid = fetched.cid;
    t.manifestJson = fetched.validation.manifestText;
    t.readme = fetched.validation.readme;
    t.createdAtMs = t.updatedAtMs = clock_.nowMs();
    {
        // Fetches run in parallel; the count and the insert must not.
        std::lock_guard guard(insertMutex_);
        PINFOLD_TRY(checkTemplateLimit(workspace));
        PINFOLD_TRY(store::TemplateRepository(db_).insert(t));
    }
    return TemplateSubmission{TemplateView{std::move(t), manifest}, {}};
}

Status TemplateService::checkTemplateLimit(const std::string& workspace) {
    PINFOLD_ASSIGN_OR_RETURN(
        std::vector<store::TemplateRecord> mine,
        store::TemplateRepository(db_).list({workspace, false, std::nullopt, false}));
    if (mine.size() >= options_.maxTemplatesPerWorkspace)
        return Status::Forbidden("Template limit reached");
    return Status::Ok();
}

Result<TemplateSubmission> TemplateService::update(const std::string& workspace,
                                                   const std::string& id,
                                                   const std::optional<std::string>& gitUrl,
                                                   const std::optional<std::string>& ref,
                                                   const std::optional<std::string>& path) {
    PINFOLD_ASSIGN_OR_RETURN(TemplateView current, owned(workspace, id));
    store::TemplateRecord t = std::move(current.record);
    // The stored URL has no credentials: a private repository needs its URL given again.
    TemplateSource source{gitUrl.value_or(t.gitUrl), ref ? ref : t.gitRef,
                          path.value_or(t.gitPath)};
    PINFOLD_ASSIGN_OR_RETURN(Fetched fetched, fetch(source, true));
    if (!fetched.validation.errors.empty())
        return TemplateSubmission{std::nullopt, std::move(fetched.validation.errors)};
    t.gitUrl = fetched.displayUrl;
    t.gitRef = fetched.ref;
    t.gitPath = fetched.path;
    t.commitSha = fetched.validation.commitSha;
    t.snapshotCid = fetched.cid;
    t.manifestJson = fetched.validation.manifestText;
    t.readme = fetched.validation.readme;
    t.category =
        fetched.manifest->templateInfo ? fetched.manifest->templateInfo->category : std::nullopt;
    if (t.status != store::kTemplateDraft) {
        t.status = store::kTemplatePendingReview;
        t.reviewNote.reset();
    }
    t.updatedAtMs = clock_.nowMs();
    PINFOLD_TRY(store::TemplateRepository(db_).update(t));
    return TemplateSubmission{TemplateView{std::move(t), std::move(*fetched.manifest)}, {}};
}

Result<TemplateView> TemplateService::archive(const std::string& workspace, const std::string& id) {
    PINFOLD_ASSIGN_OR_RETURN(TemplateView view, owned(workspace, id));
    view.record.status = store::kTemplateArchived;
    view.record.updatedAtMs = clock_.nowMs();
    PINFOLD_TRY(store::TemplateRepository(db_).update(view.record));
    return view;
}

Result<TemplateView> TemplateService::visible(const std::string& workspace,
                                              store::TemplateRecord record) {
    bool mine = record.workspace == workspace;
    if (!IsLive(record) || (!mine && record.status != store::kTemplatePublished))
        return Status::NotFound("Template not found");
    ManifestCheck check = ValidateManifest(record.manifestJson);
    if (!check.manifest)
        return Status::Internal("Template " + record.id + " has an invalid stored manifest");
    return TemplateView{std::move(record), std::move(*check.manifest)};
}

Result<TemplateView> TemplateService::owned(const std::string& workspace, const std::string& id) {
    auto record = store::TemplateRepository(db_).get(id);
    if (!record.ok())
        return record.status();
    if (record->workspace != workspace)
        return Status::NotFound("Template not found");
    return visible(workspace, std::move(*record));
}

Result<std::vector<TemplateView>> TemplateService::list(const std::string& workspace,
                                                        const TemplateQuery& q) {
    store::TemplateRepository templates(db_);
    store::TemplateFilter filter{std::nullopt, false, q.category, q.featuredOnly};
    if (q.mineOnly)
        filter.workspace = workspace;
    PINFOLD_ASSIGN_OR_RETURN(std::vector<store::TemplateRecord> records, templates.list(filter));
    std::vector<TemplateView> views;
    for (auto& record : records) {
        if (record.workspace != workspace && record.status != store::kTemplatePublished)
            continue;
        PINFOLD_ASSIGN_OR_RETURN(TemplateView view, visible(workspace, std::move(record)));
        views.push_back(std::move(view));
    }
    return views;
}

Result<std::vector<TemplateView>> TemplateService::listPublished(const TemplateQuery& q) {
    store::TemplateFilter filter{std::nullopt, true, q.category, q.featuredOnly};
    PINFOLD_ASSIGN_OR_RETURN(std::vector<store::TemplateRecord> records,
                             store::TemplateRepository(db_).list(filter));
    std::vector<TemplateView> views;
    for (auto& record : records) {
        PINFOLD_ASSIGN_OR_RETURN(TemplateView view, visible("", std::move(record)));
        views.push_back(std::move(view));
    }
    return views;
}

Result<TemplateView> TemplateService::getBySlug(const std::string& workspace,
                                                const std::string& slug) {
    PINFOLD_ASSIGN_OR_RETURN(std::optional<store::TemplateRecord> record,
                             store::TemplateRepository(db_).findLiveBySlug(slug));
    if (!record)
        return Status::NotFound("Template not found");
    return visible(workspace, std::move(*record));
}

Result<TemplateView> TemplateService::getById(const std::string& workspace, const std::string& id) {
    auto record = store::TemplateRepository(db_).get(id);
    if (!record.ok())
        return record.status();
    return visible(workspace, std::move(*record));
}

Result<TemplateView> TemplateService::forDeployment(const std::string& workspace,
                                                    const std::string& id) {
    auto view = getById(workspace, id);
    if (!view.ok() && view.status().IsNotFound())
        return Status::NotFound("Template not found: " + id);
    return view;
}

Result<std::vector<std::string>> TemplateService::branches(const std::string& gitUrl) {
    PINFOLD_ASSIGN_OR_RETURN(RemoteRefs found, refs(gitUrl));
    return std::move(found.branches);
}

Result<RemoteRefs> TemplateService::refs(const std::string& gitUrl) {
    PINFOLD_ASSIGN_OR_RETURN(GitUrl url, git_.parseUrl(gitUrl));
    return git_.listRefs(url);
}

Result<TemplateView> TemplateService::review(const std::string& id, bool publish,
                                             const std::optional<std::string>& note) {
    PINFOLD_ASSIGN_OR_RETURN(store::TemplateRecord record, store::TemplateRepository(db_).get(id));
    if (record.status != store::kTemplatePendingReview) {
        return Status::Conflict("Template " + id + " is " + record.status + ", not pending_review");
    }
    record.status = publish ? store::kTemplatePublished : store::kTemplateRejected;
    record.reviewNote = publish ? std::nullopt : note;
    record.updatedAtMs = clock_.nowMs();
    PINFOLD_TRY(store::TemplateRepository(db_).update(record));
    const std::string owner = record.workspace;
    return visible(owner, std::move(record));
}

}  // namespace pinfold::services
