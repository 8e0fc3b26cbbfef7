// HubCatalog: the local ClawHub, a read-only catalog of skills loaded once from a folder the
// operator owns (`--hub-dir`; the repository's starter catalog is `hub/`).
//
// Layout, one listing per folder two levels down:
//
//   <hub-dir>/<owner>/<name>/hub.json   the listing's metadata (see hub_json.h)
//   <hub-dir>/<owner>/<name>/skill/     the skill folder itself (SKILL.md, .env.example, ...)
//
// gives the slug "@<owner>/<name>". Owner and name are 1-64 lowercase letters, digits, '-' or
// '_'. Plain files at the top two levels (a README.md) and names starting with '.' are ignored.
// Every listing is checked when loading and one bad listing fails the whole load, naming its
// folder: the operator owns this folder and should hear about a typo at start, not find the
// skill silently missing.
//
// Ids: hubSkillId is a UUID (version 8) made from the SHA-256 of the slug, so it stays the same
// across restarts and servers. skillCid is the skill folder's CID; loading puts its blocks in
// the sink, so an install only has to record it.
//
// Install counts live in the caller's database, not here: list() takes them per hubSkillId.
//
// Thread-safety: immutable after Load; const methods may run concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "content/blocks.h"
#include "core/result.h"

namespace pinfold::services {

struct HubEnvVar {
    std::string name;
    std::optional<std::string> description;
    std::optional<std::string> guideUrl;
    std::vector<std::string> guideSteps;  // empty: none
    bool required = true;
};

struct HubSkill {
    std::string hubSkillId;                  // "3f2c1a9e-0b7d-8c61-9e2f-5a8b7c6d4e3f"
    std::string slug;                        // "@pinfold/platform"
    std::string skillCid;                    // CIDv1 of skill/
    std::string name;                        // from SKILL.md
    std::optional<std::string> description;  // from SKILL.md
    std::optional<std::string> longDescription;
    std::string authorName;
    std::optional<std::string> authorUrl;
    std::optional<std::string> authorLogoUrl;
    std::optional<std::string> readmeUrl;
    std::string category;
    std::vector<std::string> tags;
    std::vector<HubEnvVar> envVars;  // .env.example's variables, with hub.json's guides
    bool featured = false;
    std::string version;  // semver
    int64_t createdAtMs = 0;
    int64_t updatedAtMs = 0;
    std::string skillDir;  // absolute path of skill/, for reading its files
};

enum class HubSort { kPopular, kNewest, kName };

// "popular", "newest" or "name"; anything else is InvalidArgument
// "sort must be popular, newest or name".
Result<HubSort> ParseHubSort(std::string_view text);

inline constexpr size_t kDefaultHubPageSize = 50;
inline constexpr size_t kMaxHubPageSize = 100;

struct HubQuery {
    std::optional<std::string> category;  // exact match
    // popular: most installs first; newest: latest createdAt first; name: A-Z ignoring case.
    // Ties go by name, then slug, so every order is total and pages never overlap.
    HubSort sort = HubSort::kPopular;
    bool featuredOnly = false;
    std::optional<std::string> cursor;   // nextCursor of the previous page
    size_t limit = kDefaultHubPageSize;  // 1..kMaxHubPageSize
};

// Installs per hubSkillId; ids not in the map count 0.
using HubInstallCounts = std::unordered_map<std::string, uint64_t>;

struct HubListEntry {
    HubSkill skill;
    uint64_t installCount = 0;
};

struct HubPage {
    std::vector<HubListEntry> skills;
    std::optional<std::string> nextCursor;  // nullopt on the last page
};

class HubCatalog {
  public:
    // An empty catalog, for a server without a hub folder.
    HubCatalog() = default;

    // Reads every listing under dir, checks it (hub.json, ReadSkillFolder) and imports its skill
    // folder into sink. InvalidArgument "Hub entry <owner>/<name>: <what is wrong>" for a bad
    // listing, "Cannot read hub folder <dir>: <reason>" when dir cannot be listed; the
    // importer's error when a skill folder cannot be read.
    static Result<HubCatalog> Load(const std::string& dir, content::BlockSink& sink);

    // One page of the listings matching the query. The cursor is opaque (it encodes an offset
    // into the query's order); a malformed one is InvalidArgument "Invalid cursor", one past the
    // end gives an empty last page. InvalidArgument "limit must be between 1 and 100".
    Result<HubPage> list(const HubQuery& query, const HubInstallCounts& installs = {}) const;

    // By hubSkillId or slug; the slug's '@' may be left out ("pinfold/platform").
    // NotFound "Skill not found".
    Result<HubSkill> find(std::string_view idOrSlug) const;

    // Every listing, in slug order.
    const std::vector<HubSkill>& skills() const { return skills_; }

  private:
    explicit HubCatalog(std::vector<HubSkill> skills) : skills_(std::move(skills)) {}

    std::vector<HubSkill> skills_;
};

// The hubSkillId of a slug: SHA-256 of "pinfold-hub:" + slug, first 16 bytes, as a version 8
// (RFC 9562 custom) UUID in lowercase.
std::string HubSkillIdForSlug(std::string_view slug);

}  // namespace pinfold::services
