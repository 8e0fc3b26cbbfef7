#include "services/skill_service.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <system_error>

#include "content/exporter.h"
#include "core/text.h"
#include "crypto/base64.h"
#include "crypto/random.h"
#include "sandbox/safe_files.h"
#include "sandbox/unique_fd.h"
#include "services/hub_json.h"
#include "services/tree_writer.h"

namespace pinfold::services {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr const char* kFirstVersion = "1.0.0";
constexpr const char* kSkillsInHome = "clawd/workspace/skills/";
constexpr size_t kMaxRefsPerAttach = 100;
constexpr size_t kMaxVersionLength = 64;
constexpr size_t kMaxEnvVarNameLength = 128;

// ---- semantic versions ----

struct SemverParts {
    std::string_view core[3];
    std::vector<std::string_view> prerelease;
};

std::vector<std::string_view> Split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    for (;;) {
        size_t end = text.find(separator, start);
        parts.push_back(text.substr(start, end - start));
        if (end == std::string_view::npos)
            return parts;
        start = end + 1;
    }
}

SemverParts ParseSemver(std::string_view text) {
    text = text.substr(0, text.find('+'));
    SemverParts parts;
    size_t dash = text.find('-');
    if (dash != std::string_view::npos) {
        parts.prerelease = Split(text.substr(dash + 1), '.');
        text = text.substr(0, dash);
    }
    std::vector<std::string_view> core = Split(text, '.');
    for (size_t i = 0; i < 3 && i < core.size(); ++i)
        parts.core[i] = core[i];
    return parts;
}

bool IsNumeric(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Numbers without leading zeros, of any length: the longer is larger, else compare as text.
int CompareNumbers(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return a.size() < b.size() ? -1 : 1;
    return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
}

int CompareIdentifiers(std::string_view a, std::string_view b) {
    bool numA = IsNumeric(a), numB = IsNumeric(b);
    if (numA && numB)
        return CompareNumbers(a, b);
    if (numA != numB)
        return numA ? -1 : 1;  // numeric identifiers have lower precedence
    return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
}

// ---- request fields ----

Status ValidateVersion(const std::string& version) {
    if (version.size() > kMaxVersionLength || !IsSemanticVersion(version)) {
        return Status::InvalidArgument(
            "Validation failed: version must be a semantic version like 1.2.3 (at most 64 "
            "characters)");
    }
    return Status::Ok();
}

bool IsEnvName(std::string_view name) {
    if (name.empty() || name.size() > kMaxEnvVarNameLength || (name[0] >= '0' && name[0] <= '9'))
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '_';
    });
}

Status ValidateSource(const SkillSource& source) {
    if (source.archiveBase64 && source.skillCid) {
        return Status::InvalidArgument(
            "Validation failed: give either archiveBase64 or skillCid, not both");
    }
    if (!source.archiveBase64 && !source.skillCid)
        return Status::InvalidArgument("Validation failed: skillCid or archiveBase64 is required");
    if (source.version)
        PINFOLD_TRY(ValidateVersion(*source.version));
    if (source.description) {
        auto length = Utf8Length(*source.description);
        if (!length || *length > kMaxSkillDescriptionLength) {
            return Status::InvalidArgument(
                "Validation failed: description must be UTF-8 of at most 1024 characters");
        }
    }
    for (size_t i = 0; i < source.envVars.size(); ++i) {
        if (!IsEnvName(source.envVars[i])) {
            return Status::InvalidArgument("Validation failed: envVars[" + std::to_string(i) +
                                           "] must be an environment variable name");
        }
    }
    return Status::Ok();
}

// SKILL.md's manifest with the request's overrides applied.
SkillManifest WithOverrides(SkillManifest manifest, const SkillSource& source) {
    if (source.description) {
        std::string trimmed(TrimAscii(*source.description));
        manifest.description =
            trimmed.empty() ? std::nullopt : std::optional<std::string>(std::move(trimmed));
    }
    for (const std::string& name : source.envVars) {
        bool known = std::any_of(manifest.envVars.begin(), manifest.envVars.end(),
                                 [&](const SkillEnvVar& v) { return v.name == name; });
        if (!known)
            manifest.envVars.push_back({name, std::nullopt});
    }
    return manifest;
}

// Writing or removing a skill's folder failed on the agent's own files (a file or symlink where
// a folder should be, a folder it made unreadable): its workspace stands in the way, a Conflict
// naming the folder, not the bare NotFound or Forbidden of the file access, which would read as
// a missing agent or skill or as a key without rights. Our own failures stay Internal.
Status InSkillFolder(const std::string& action, const std::string& name, const Status& s) {
    if (s.ok() || s.code() == Status::Code::kInternal)
        return s;
    return Status::Conflict("Cannot " + action + " workspace/skills/" + name + "/: " + s.message());
}

std::string EnvVarsToJson(const std::vector<SkillEnvVar>& vars) {
    json::array out;
    for (const SkillEnvVar& v : vars) {
        json::value description = nullptr;
        if (v.description)
            description = json::string(*v.description);
        out.push_back(json::object{{"name", v.name}, {"description", description}});
    }
    return json::serialize(out);
}

Result<std::vector<SkillEnvVar>> EnvVarsFromJson(const store::SkillRecord& record) {
    Status damaged = Status::Internal("Skill " + record.name + " has damaged envVars");
    json::error_code ec;
    json::value parsed = json::parse(record.envVarsJson, ec);
    if (ec || !parsed.is_array())
        return damaged;
    std::vector<SkillEnvVar> vars;
    for (const json::value& item : parsed.as_array()) {
        const json::object* o = item.if_object();
        const json::value* name = o ? o->if_contains("name") : nullptr;
        if (!name || !name->is_string())
            return damaged;
        SkillEnvVar var{std::string(name->as_string()), std::nullopt};
        if (const json::value* d = o->if_contains("description"); d && d->is_string())
            var.description = std::string(d->as_string());
        vars.push_back(std::move(var));
    }
    return vars;
}

SkillManifest ManifestOf(const HubSkill& skill) {
    SkillManifest manifest{skill.name, skill.description, {}};
    for (const HubEnvVar& v : skill.envVars)
        manifest.envVars.push_back({v.name, v.description});
    return manifest;
}

// The newest of versions (not empty) by semantic version precedence.
const store::SkillVersionRecord& Newest(const std::vector<store::SkillVersionRecord>& versions) {
    return *std::max_element(versions.begin(), versions.end(), [](const auto& a, const auto& b) {
        return CompareSemanticVersions(a.version, b.version) < 0;
    });
}

SkillVersionView VersionView(const store::SkillVersionRecord& v) {
    return {v.version, v.cid, v.createdAtMs};
}

bool LooksLikeUuid(std::string_view s) {
    if (s.size() != 36)
        return false;
    for (size_t i = 0; i < s.size(); ++i) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        char c = s[i];
        bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        if (dash ? c != '-' : !hex)
            return false;
    }
    return true;
}

bool IsSlug(std::string_view ref) {
    return ref.starts_with('@') || ref.find('/') != std::string_view::npos;
}

std::string CanonicalSlug(std::string_view ref) {
    std::string slug = ref.starts_with('@') ? std::string(ref) : "@" + std::string(ref);
    std::transform(slug.begin(), slug.end(), slug.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return slug;
}

// A CID as the library stores it: CIDv1 in base32. nullopt when text is no CID.
std::optional<std::string> CanonicalCid(std::string_view text) {
    Result<content::Cid> cid = content::Cid::Parse(text);
    if (!cid.ok())
        return std::nullopt;
    if (cid->version() == 0)
        return content::Cid::FromDigest(1, content::kDagPbCodec, cid->digest()).ToString();
    return cid->ToString();
}

content::ExportLimits ExportLimitsOf(const SkillArchiveLimits& limits) {
    content::ExportLimits export_;
    export_.maxTotalBytes = limits.maxTotalBytes;
    export_.maxEntries = limits.maxEntries;
    return export_;
}

Status NoSymlinks(const std::string& path, const std::string&) {
    return Status::InvalidArgument("Validation failed: a skill folder must not hold symlinks (" +
                                   path + ")");
}

// A private folder under <data>/tmp, removed with everything in it when this goes.
class TempFolder {
  public:
    static Result<TempFolder> Create(const std::string& parent) {
        std::error_code ec;
        fs::create_directories(parent, ec);
        if (ec)
            return Status::Internal("Cannot create " + parent + ": " + ec.message());
        std::string pattern = parent + "/skill-XXXXXX";
        if (!::mkdtemp(pattern.data()))
            return Status::Internal(std::string("Cannot create a temporary folder: ") +
                                    std::strerror(errno));
        return TempFolder(std::move(pattern));
    }
    TempFolder(TempFolder&& other) noexcept : path_(std::exchange(other.path_, "")) {}
    TempFolder& operator=(TempFolder&&) = delete;
    ~TempFolder() {
        std::error_code ec;
        if (!path_.empty())
            fs::remove_all(path_, ec);
    }
    const std::string& path() const { return path_; }

  private:
    explicit TempFolder(std::string path) : path_(std::move(path)) {}
    std::string path_;
};

}  // namespace

int CompareSemanticVersions(std::string_view a, std::string_view b) {
    SemverParts pa = ParseSemver(a), pb = ParseSemver(b);
    for (int i = 0; i < 3; ++i) {
        if (int c = CompareNumbers(pa.core[i], pb.core[i]); c != 0)
            return c;
    }
    // A pre-release is older than its release; otherwise identifiers compare left to right.
    if (pa.prerelease.empty() != pb.prerelease.empty())
        return pa.prerelease.empty() ? 1 : -1;
    size_t common = std::min(pa.prerelease.size(), pb.prerelease.size());
    for (size_t i = 0; i < common; ++i) {
        if (int c = CompareIdentifiers(pa.prerelease[i], pb.prerelease[i]); c != 0)
            return c;
    }
    if (pa.prerelease.size() != pb.prerelease.size())
        return pa.prerelease.size() < pb.prerelease.size() ? -1 : 1;
    return 0;
}

SkillService::SkillService(store::Db& db, content::BlockStore& blocks, const HubCatalog& hub,
                           const Clock& clock, DataLayout layout, SkillServiceOptions options)
    : db_(db),
      blocks_(blocks),
      hub_(hub),
      clock_(clock),
      layout_(std::move(layout)),
      options_(options) {}

uint64_t SkillService::maxArchiveBytes() const {
    return options_.archiveLimits.maxTotalBytes + options_.archiveLimits.maxHeaderBytes;
}

std::shared_ptr<std::mutex> SkillService::agentLock(const std::string& agentId) {
    std::lock_guard<std::mutex> guard(locksMutex_);
    auto& lock = agentLocks_[agentId];
    if (!lock)
        lock = std::make_shared<std::mutex>();
    return lock;
}

// ---- loading a skill's content ----

Result<SkillService::Content> SkillService::load(const SkillSource& source,
                                                 const std::string& tempDir) {
    if (source.archiveBase64)
        return loadArchive(*source.archiveBase64, tempDir);
    return loadCid(*source.skillCid, tempDir);
}

Result<SkillService::Content> SkillService::loadArchive(const std::string& archiveBase64,
                                                        const std::string& tempDir) {
    std::string text = archiveBase64;
    // Line breaks as `base64` writes them are harmless here: the CID comes from the content.
    text.erase(
        std::remove_if(text.begin(), text.end(),
                       [](char c) { return c == '\n' || c == '\r' || c == ' ' || c == '\t'; }),
        text.end());
    if (text.empty())
        return Status::InvalidArgument("Validation failed: archiveBase64 is empty");
    if (text.size() / 4 * 3 > maxArchiveBytes() + 2) {
        return Status::TooLarge("Skill archive is larger than " +
                                std::to_string(maxArchiveBytes()) + " bytes");
    }
    std::optional<std::string> archive = crypto::Base64Decode(text);
    if (!archive)
        return Status::InvalidArgument("Validation failed: archiveBase64 must be base64");
    if (archive->size() > maxArchiveBytes()) {
        return Status::TooLarge("Skill archive is larger than " +
                                std::to_string(maxArchiveBytes()) + " bytes");
    }
    const std::string dir = tempDir + "/skill";
    if (::mkdir(dir.c_str(), 0700) != 0)
        return Status::Internal(std::string("Cannot create ") + dir + ": " + std::strerror(errno));
    PINFOLD_TRY(ExtractSkillArchive(*archive, dir, options_.archiveLimits));
    PINFOLD_ASSIGN_OR_RETURN(ImportedSkill imported, ImportSkillFolder(dir, blocks_));
    return Content{std::move(imported.manifest), std::move(imported.skillCid), nullptr};
}

Result<SkillService::Content> SkillService::loadCid(const std::string& cidText,
                                                    const std::string& tempDir) {
    if (IsSlug(cidText)) {
        Result<HubSkill> listing = hub_.find(CanonicalSlug(cidText));
        if (!listing.ok())
            return Status::NotFound("Skill not found: " + cidText);
        const HubSkill* skill = nullptr;
        for (const HubSkill& s : hub_.skills()) {
            if (s.hubSkillId == listing->hubSkillId)
                skill = &s;
        }
        return Content{ManifestOf(*listing), listing->skillCid, skill};
    }
    std::optional<std::string> cid = CanonicalCid(cidText);
    if (!cid) {
        return Status::InvalidArgument(
            "Validation failed: skillCid must be a CID or a hub slug (@owner/name)");
    }
    // Skill folders are public content, like on IPFS: one that any library holds, or a hub
    // listing, may be added by CID. Other blocks (workspace snapshots) are never reachable here.
    PINFOLD_ASSIGN_OR_RETURN(bool known, store::SkillRepository(db_).cidInAnyLibrary(*cid));
    known = known || std::any_of(hub_.skills().begin(), hub_.skills().end(),
                                 [&](const HubSkill& s) { return s.skillCid == *cid; });
    PINFOLD_ASSIGN_OR_RETURN(content::Cid root, content::Cid::Parse(*cid));
    if (!known || !blocks_.has(root))
        return Status::NotFound("Skill CID not found: " + cidText);

    const std::string dir = tempDir + "/skill";
    if (::mkdir(dir.c_str(), 0700) != 0)
        return Status::Internal(std::string("Cannot create ") + dir + ": " + std::strerror(errno));
    sandbox::UniqueFd current;
    content::ExportVisitor visitor;
    visitor.directory = [&](const std::string& path) -> Status {
        std::string full = dir + "/" + path;
        if (::mkdir(full.c_str(), 0700) != 0)
            return Status::Internal("Cannot create " + full + ": " + std::strerror(errno));
        return Status::Ok();
    };
    visitor.symlink = NoSymlinks;
    visitor.beginFile = [&](const std::string& path) -> Status {
        std::string full = dir + "/" + path;
        current.reset(
            ::open(full.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!current)
            return Status::Internal("Cannot create " + full + ": " + std::strerror(errno));
        return Status::Ok();
    };
    visitor.fileData = [&](std::string_view chunk) {
        return WriteAllToFd(current.get(), chunk, "a skill file");
    };
    visitor.endFile = [&]() -> Status {
        current.reset();
        return Status::Ok();
    };
    PINFOLD_TRY(
        content::ExportTree(root, blocks_, visitor, ExportLimitsOf(options_.archiveLimits)));
    PINFOLD_ASSIGN_OR_RETURN(SkillManifest manifest, ReadSkillFolder(dir));
    return Content{std::move(manifest), *cid, nullptr};
}

// ---- library ----

Result<SkillView> SkillService::view(const store::SkillRecord& record) {
    PINFOLD_ASSIGN_OR_RETURN(std::vector<store::SkillVersionRecord> versions,
                             store::SkillRepository(db_).versions(record.id));
    if (versions.empty())
        return Status::Internal("Skill " + record.name + " has no version");
    PINFOLD_ASSIGN_OR_RETURN(std::vector<SkillEnvVar> envVars, EnvVarsFromJson(record));
    return SkillView{record, std::move(envVars), VersionView(Newest(versions))};
}

Result<std::optional<SkillService::Resolved>> SkillService::resolve(store::Db& db,
                                                                    const std::string& workspace,
                                                                    const std::string& ref) {
    using Found = std::optional<Resolved>;
    store::SkillRepository skills(db);
    std::optional<store::SkillRecord> skill;
    if (IsSlug(ref)) {
        PINFOLD_ASSIGN_OR_RETURN(skill, skills.findBySlug(workspace, CanonicalSlug(ref)));
    } else if (LooksLikeUuid(ref)) {
        auto found = skills.get(workspace, ref);
        if (!found.ok() && !found.status().IsNotFound())
            return found.status();
        if (found.ok())
            skill = std::move(*found);
    } else if (std::optional<std::string> cid = CanonicalCid(ref)) {
        PINFOLD_ASSIGN_OR_RETURN(auto byCid, skills.findByCid(workspace, *cid));
        if (!byCid)
            return Found();
        return Found(Resolved{std::move(byCid->first), std::move(byCid->second)});
    }
    if (!skill)
        return Found();
    PINFOLD_ASSIGN_OR_RETURN(std::vector<store::SkillVersionRecord> versions,
                             skills.versions(skill->id));
    if (versions.empty())
        return Status::Internal("Skill " + skill->name + " has no version");
    store::SkillVersionRecord newest = Newest(versions);
    return Found(Resolved{std::move(*skill), std::move(newest)});
}

Result<SkillService::Resolved> SkillService::resolveOrNotFound(const std::string& workspace,
                                                               const std::string& ref,
                                                               bool namedInMessage) {
    PINFOLD_ASSIGN_OR_RETURN(std::optional<Resolved> found, resolve(db_, workspace, ref));
    if (!found)
        return Status::NotFound(namedInMessage ? "Skill not found: " + ref : "Skill not found");
    return std::move(*found);
}

Result<LibraryAddition> SkillService::add(const std::string& workspace, const SkillSource& source) {
    PINFOLD_TRY(ValidateSource(source));
    PINFOLD_ASSIGN_OR_RETURN(TempFolder temp, TempFolder::Create(layout_.root + "/tmp"));
    PINFOLD_ASSIGN_OR_RETURN(Content content, load(source, temp.path()));
    SkillManifest manifest = WithOverrides(std::move(content.manifest), source);

    store::SkillRecord record;
    record.id = crypto::NewUuidV4();
    record.workspace = workspace;
    record.name = manifest.name;
    record.description = manifest.description;
    record.envVarsJson = EnvVarsToJson(manifest.envVars);
    record.createdAtMs = clock_.nowMs();
    std::string version = source.version.value_or(kFirstVersion);
    if (content.hub) {
        record.slug = content.hub->slug;
        record.hubSkillId = content.hub->hubSkillId;
        version = source.version.value_or(content.hub->version);
    }
    store::SkillRepository skills(db_);
    Status inserted = skills.insert(record, {record.id, version, content.cid, record.createdAtMs});
    if (inserted.IsConflict()) {
        PINFOLD_ASSIGN_OR_RETURN(std::optional<store::SkillRecord> existing,
                                 skills.findByName(workspace, record.name));
        if (existing) {
            PINFOLD_ASSIGN_OR_RETURN(SkillView existingView, view(*existing));
            return LibraryAddition{std::move(existingView), inserted.message()};
        }
    }
    PINFOLD_TRY(inserted);
    PINFOLD_ASSIGN_OR_RETURN(SkillView added, view(record));
    return LibraryAddition{std::move(added), std::nullopt};
}

Result<std::vector<SkillView>> SkillService::list(const std::string& workspace) {
    store::SkillRepository skills(db_);
    PINFOLD_ASSIGN_OR_RETURN(std::vector<store::SkillRecord> records, skills.list(workspace));
    PINFOLD_ASSIGN_OR_RETURN(std::vector<store::SkillVersionRecord> versions,
                             skills.versionsInWorkspace(workspace));
    std::map<std::string, std::vector<store::SkillVersionRecord>> bySkill;
    for (auto& v : versions)
        bySkill[v.skillId].push_back(std::move(v));
    std::vector<SkillView> views;
    views.reserve(records.size());
    for (auto& record : records) {
        auto it = bySkill.find(record.id);
        if (it == bySkill.end())
            return Status::Internal("Skill " + record.name + " has no version");
        PINFOLD_ASSIGN_OR_RETURN(std::vector<SkillEnvVar> envVars, EnvVarsFromJson(record));
        SkillVersionView latest = VersionView(Newest(it->second));
        views.push_back({std::move(record), std::move(envVars), std::move(latest)});
    }
    return views;
}

Result<SkillView> SkillService::remove(const std::string& workspace, const std::string& ref) {
    PINFOLD_ASSIGN_OR_RETURN(Resolved resolved, resolveOrNotFound(workspace, ref, false));
    PINFOLD_ASSIGN_OR_RETURN(SkillView removed, view(resolved.skill));
    // The attachment check and the removal in one transaction, so no attach slips in between.
    PINFOLD_TRY(db_.transaction([&](store::Db& tx) -> Status {
        store::SkillRepository skills(tx);
        PINFOLD_ASSIGN_OR_RETURN(std::vector<std::string> agents,
                                 skills.agentsWith(resolved.skill.id));
        if (!agents.empty()) {
            std::string names;
            for (const std::string& a : agents)
                names += (names.empty() ? "" : ", ") + a;
            return Status::Conflict("Skill " + resolved.skill.name +
                                    " is still attached to agents: " + names + "; detach it first");
        }
        return skills.remove(workspace, resolved.skill.id);
    }));
    return removed;
}

Result<SkillVersions> SkillService::versions(const std::string& workspace, const std::string& ref) {
    PINFOLD_ASSIGN_OR_RETURN(Resolved resolved, resolveOrNotFound(workspace, ref, false));
    PINFOLD_ASSIGN_OR_RETURN(std::vector<store::SkillVersionRecord> records,
                             store::SkillRepository(db_).versions(resolved.skill.id));
    std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) {
        return CompareSemanticVersions(a.version, b.version) > 0;
    });
    SkillVersions out;
    PINFOLD_ASSIGN_OR_RETURN(out.skill, view(resolved.skill));
    for (const auto& r : records)
        out.versions.push_back(VersionView(r));
    return out;
}

Result<PublishedVersion> SkillService::publish(const std::string& workspace, const std::string& ref,
                                               const SkillSource& source) {
    if (!source.version)
        return Status::InvalidArgument("Validation failed: version is required");
    PINFOLD_TRY(ValidateSource(source));
    PINFOLD_ASSIGN_OR_RETURN(Resolved resolved, resolveOrNotFound(workspace, ref, false));
    const store::SkillRecord& skill = resolved.skill;
    PINFOLD_ASSIGN_OR_RETURN(TempFolder temp, TempFolder::Create(layout_.root + "/tmp"));
    PINFOLD_ASSIGN_OR_RETURN(Content content, load(source, temp.path()));
    if (content.manifest.name != skill.name) {
        return Status::InvalidArgument("Validation failed: SKILL.md names the skill " +
                                       content.manifest.name + ", not " + skill.name);
    }
    SkillManifest manifest = WithOverrides(std::move(content.manifest), source);
    store::SkillVersionRecord version{skill.id, *source.version, content.cid, clock_.nowMs()};
    PINFOLD_TRY(db_.transaction([&](store::Db& tx) -> Status {
        store::SkillRepository skills(tx);
        PINFOLD_ASSIGN_OR_RETURN(std::vector<store::SkillVersionRecord> existing,
                                 skills.versions(skill.id));
        for (const auto& v : existing) {
            if (v.cid == version.cid) {
                return Status::Conflict("Skill " + skill.name +
                                        " already has this content as version " + v.version);
            }
        }
        if (!existing.empty()) {
            const store::SkillVersionRecord& newest = Newest(existing);
            if (CompareSemanticVersions(version.version, newest.version) <= 0) {
                return Status::Conflict("Version " + version.version + " is not newer than " +
                                        newest.version);
            }
        }
        PINFOLD_TRY(skills.addVersion(version));
        return skills.updateDetails(workspace, skill.id, manifest.description,
                                    EnvVarsToJson(manifest.envVars));
    }));
    PINFOLD_ASSIGN_OR_RETURN(store::SkillRecord updated,
                             store::SkillRepository(db_).get(workspace, skill.id));
    PINFOLD_ASSIGN_OR_RETURN(SkillView v, view(updated));
    return PublishedVersion{std::move(v), VersionView(version)};
}

// ---- agents ----

Result<store::AgentRecord> SkillService::loadAgent(const std::string& workspace,
                                                   const std::string& agentId) {
    auto agent = store::AgentRepository(db_).get(agentId);
    if (!agent.ok())
        return agent.status();
    if (agent->workspace != workspace)
        return Status::NotFound("Agent not found");
    return agent;
}

Result<std::vector<SkillService::Resolved>> SkillService::resolveForAttach(
    const std::string& workspace, const std::vector<std::string>& refs,
    const std::string& agentId) {
    if (refs.empty())
        return Status::InvalidArgument("Validation failed: skillCids must not be empty");
    if (refs.size() > kMaxRefsPerAttach) {
        return Status::InvalidArgument("Validation failed: skillCids must have at most " +
                                       std::to_string(kMaxRefsPerAttach) + " entries");
    }
    std::vector<Resolved> resolved;
    for (const std::string& ref : refs) {
        PINFOLD_ASSIGN_OR_RETURN(Resolved r, resolveOrNotFound(workspace, ref, true));
        auto same = std::find_if(resolved.begin(), resolved.end(),
                                 [&](const Resolved& o) { return o.skill.id == r.skill.id; });
        if (same == resolved.end()) {
            resolved.push_back(std::move(r));
        } else if (same->version.version != r.version.version) {
            return Status::InvalidArgument("Validation failed: skillCids names two versions of " +
                                           r.skill.name);
        }
    }
    std::set<std::string> after;
    if (!agentId.empty()) {
        PINFOLD_ASSIGN_OR_RETURN(std::vector<store::AttachedSkill> current,
                                 store::SkillRepository(db_).attachedTo(agentId));
        for (const auto& a : current)
            after.insert(a.skill.id);
    }
    for (const Resolved& r : resolved)
        after.insert(r.skill.id);
    if (after.size() > options_.maxAttachedSkills) {
        return Status::InvalidArgument("Validation failed: skills exceeds maximum of " +
                                       std::to_string(options_.maxAttachedSkills));
    }
    return resolved;
}

Status SkillService::checkAttachable(const std::string& workspace,
                                     const std::vector<std::string>& refs) {
    return resolveForAttach(workspace, refs, "").status();
}

Status SkillService::writeFiles(const store::AgentRecord& agent, const std::string& name,
                                const std::string& cid) {
    PINFOLD_ASSIGN_OR_RETURN(content::Cid root, content::Cid::Parse(cid));
    PINFOLD_ASSIGN_OR_RETURN(
        std::unique_ptr<sandbox::AgentFileAccess> files,
        sandbox::AgentFileAccess::Open(layout_.agentHome(agent.id), agent.hostUid));
    const std::string folder = kSkillsInHome + name;
    PINFOLD_TRY(files->removeTree(folder));
    TreeWriteOptions write;
    write.limits = ExportLimitsOf(options_.archiveLimits);
    write.symlinks = TreeSymlinks::kRefuse;
    write.what = "a skill folder";
    return WriteTreeFromBlocks(*files, folder + "/", root, blocks_, write);
}

Status SkillService::removeFiles(const store::AgentRecord& agent, const std::string& name) {
    PINFOLD_ASSIGN_OR_RETURN(
        std::unique_ptr<sandbox::AgentFileAccess> files,
        sandbox::AgentFileAccess::Open(layout_.agentHome(agent.id), agent.hostUid));
    return files->removeTree(kSkillsInHome + name);
}

Result<size_t> SkillService::attach(const std::string& workspace, const std::string& agentId,
                                    const std::vector<std::string>& refs) {
    PINFOLD_ASSIGN_OR_RETURN(store::AgentRecord agent, loadAgent(workspace, agentId));
    auto lock = agentLock(agentId);
    std::lock_guard<std::mutex> guard(*lock);
    PINFOLD_ASSIGN_OR_RETURN(std::vector<Resolved> resolved,
                             resolveForAttach(workspace, refs, agentId));
    int64_t now = clock_.nowMs();
    store::SkillRepository skills(db_);
    for (const Resolved& r : resolved) {
        PINFOLD_TRY(
            InSkillFolder("write", r.skill.name, writeFiles(agent, r.skill.name, r.version.cid)));
        PINFOLD_TRY(skills.attach({agent.id, r.skill.id, r.version.version, r.version.cid, now}));
    }
    return resolved.size();
}

Result<store::AttachedSkill> SkillService::findAttached(const std::string& workspace,
                                                        const std::string& agentId,
                                                        const std::string& ref) {
    PINFOLD_ASSIGN_OR_RETURN(Resolved resolved, resolveOrNotFound(workspace, ref, false));
    PINFOLD_ASSIGN_OR_RETURN(std::vector<store::AttachedSkill> attached,
                             store::SkillRepository(db_).attachedTo(agentId));
    for (auto& a : attached) {
        if (a.skill.id == resolved.skill.id)
            return std::move(a);
    }
    return Status::NotFound("Skill is not attached to this agent");
}

Result<AgentSkillView> SkillService::detach(const std::string& workspace,
                                            const std::string& agentId, const std::string& ref) {
    PINFOLD_ASSIGN_OR_RETURN(store::AgentRecord agent, loadAgent(workspace, agentId));
    auto lock = agentLock(agentId);
    std::lock_guard<std::mutex> guard(*lock);
    PINFOLD_ASSIGN_OR_RETURN(store::AttachedSkill found, findAttached(workspace, agent.id, ref));
    PINFOLD_TRY(InSkillFolder("remove", found.skill.name, removeFiles(agent, found.skill.name)));
    PINFOLD_TRY(store::SkillRepository(db_).detach(agent.id, found.skill.id).status());
    return AgentSkillView{std::move(found.skill), std::move(found.attachment)};
}

Result<std::vector<AgentSkillView>> SkillService::attachedTo(const std::string& agentId) {
    PINFOLD_ASSIGN_OR_RETURN(std::vector<store::AttachedSkill> attached,
                             store::SkillRepository(db_).attachedTo(agentId));
    std::vector<AgentSkillView> views;
    views.reserve(attached.size());
    for (auto& a : attached)
        views.push_back({std::move(a.skill), std::move(a.attachment)});
    return views;
}

Result<std::vector<AgentSkillView>> SkillService::attachedTo(const std::string& workspace,
                                                             const std::string& agentId) {
    PINFOLD_TRY(loadAgent(workspace, agentId).status());
    return attachedTo(agentId);
}

Result<std::vector<SkillUpdateInfo>> SkillService::updates(const std::string& workspace,
                                                           const std::string& agentId) {
    PINFOLD_ASSIGN_OR_RETURN(std::vector<AgentSkillView> attached, attachedTo(workspace, agentId));
    store::SkillRepository skills(db_);
    std::vector<SkillUpdateInfo> updates;
    for (auto& a : attached) {
        PINFOLD_ASSIGN_OR_RETURN(std::vector<store::SkillVersionRecord> versions,
                                 skills.versions(a.skill.id));
        if (versions.empty())
            continue;
        const store::SkillVersionRecord& newest = Newest(versions);
        if (CompareSemanticVersions(newest.version, a.attachment.version) > 0)
            updates.push_back({std::move(a), VersionView(newest)});
    }
    return updates;
}

Result<SkillUpdateOutcome> SkillService::update(const std::string& workspace,
                                                const std::string& agentId, const std::string& ref,
                                                const std::optional<std::string>& version) {
    PINFOLD_ASSIGN_OR_RETURN(store::AgentRecord agent, loadAgent(workspace, agentId));
    auto lock = agentLock(agentId);
    std::lock_guard<std::mutex> guard(*lock);
    PINFOLD_ASSIGN_OR_RETURN(store::AttachedSkill found, findAttached(workspace, agent.id, ref));
    const store::SkillRecord& skill = found.skill;
    store::SkillRepository skills(db_);
    PINFOLD_ASSIGN_OR_RETURN(std::vector<store::SkillVersionRecord> versions,
                             skills.versions(skill.id));
    if (versions.empty())
        return Status::Internal("Skill " + skill.name + " has no version");
    store::SkillVersionRecord target = Newest(versions);
    if (version) {
        auto wanted = std::find_if(versions.begin(), versions.end(),
                                   [&](const auto& v) { return v.version == *version; });
        if (wanted == versions.end()) {
            return Status::NotFound("Skill " + skill.name + " has no version " + *version);
        }
        target = *wanted;
    }
    const std::string previous = found.attachment.version;
    if (target.version == previous) {
        return Status::Conflict("Skill " + skill.name + " is already at version " + previous);
    }
    PINFOLD_TRY(InSkillFolder("write", skill.name, writeFiles(agent, skill.name, target.cid)));
    store::AgentSkillRecord moved = found.attachment;
    moved.version = target.version;
    moved.cid = target.cid;
    PINFOLD_TRY(skills.attach(moved));
    return SkillUpdateOutcome{{std::move(found.skill), std::move(moved)}, previous};
}

Status SkillService::detachAll(const std::string& agentId) {
    return store::SkillRepository(db_).detachAll(agentId);
}

// ---- hub ----

Result<HubPage> SkillService::hubList(const HubQuery& query) {
    PINFOLD_ASSIGN_OR_RETURN(auto counts, store::SkillRepository(db_).hubInstallCounts());
    HubInstallCounts installs;
    for (const auto& [id, count] : counts)
        installs[id] = static_cast<uint64_t>(count);
    return hub_.list(query, installs);
}

Result<HubSkillView> SkillService::hubFind(const std::string& idOrSlug) {
    PINFOLD_ASSIGN_OR_RETURN(HubSkill skill, hub_.find(idOrSlug));
    PINFOLD_ASSIGN_OR_RETURN(auto counts, store::SkillRepository(db_).hubInstallCounts());
    uint64_t installs = 0;
    for (const auto& [id, count] : counts) {
        if (id == skill.hubSkillId)
            installs = static_cast<uint64_t>(count);
    }
    return HubSkillView{std::move(skill), installs};
}

Result<LibraryAddition> SkillService::install(const std::string& workspace,
                                              const std::string& idOrSlug) {
    PINFOLD_ASSIGN_OR_RETURN(HubSkill listing, hub_.find(idOrSlug));
    store::SkillRepository skills(db_);
    PINFOLD_ASSIGN_OR_RETURN(std::optional<store::SkillRecord> installed,
                             skills.findByHubSkillId(workspace, listing.hubSkillId));
    if (installed) {
        PINFOLD_ASSIGN_OR_RETURN(SkillView existing, view(*installed));
        return LibraryAddition{std::move(existing), "Skill is already installed"};
    }
    SkillSource source;
    source.skillCid = listing.slug;
    return add(workspace, source);
}

}  // namespace pinfold::services
