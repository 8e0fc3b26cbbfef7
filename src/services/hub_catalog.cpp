#include "services/hub_catalog.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "crypto/base64.h"
#include "crypto/hash.h"
#include "services/hub_json.h"
#include "services/skill_package.h"

namespace pinfold::services {
namespace fs = std::filesystem;
namespace {

constexpr uint64_t kMaxHubJsonBytes = 256 << 10;
constexpr size_t kMaxHubFolderName = 64;

bool IsHubFolderName(std::string_view s) {
    return !s.empty() && s.size() <= kMaxHubFolderName &&
           std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
           });
}

std::string Lowercase(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// The status with "Hub entry <where>: " in front; a failure of ours stays Internal.
Status InEntry(const std::string& where, const Status& s) {
    std::string message = "Hub entry " + where + ": " + s.message();
    if (s.code() == Status::Code::kInternal)
        return Status::Internal(std::move(message));
    return Status::InvalidArgument(std::move(message));
}

// Names of the folders in dir (symlinks to folders included), sorted; hidden names skipped.
Result<std::vector<std::string>> FolderNames(const std::string& dir) {
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    std::vector<std::string> names;
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
        std::string name = it->path().filename().string();
        std::error_code typeError;
        if (!name.starts_with(".") && it->is_directory(typeError))
            names.push_back(std::move(name));
    }
    if (ec)
        return Status::InvalidArgument("Cannot read hub folder " + dir + ": " + ec.message());
    std::sort(names.begin(), names.end());
    return names;
}

Result<std::string> ReadHubJson(const std::string& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        return Status::InvalidArgument("hub.json is missing");
    if (fs::file_size(path, ec) > kMaxHubJsonBytes)
        return Status::InvalidArgument("hub.json is larger than 262144 bytes");
    std::ifstream in(path, std::ios::binary);
    std::string text(std::istreambuf_iterator<char>(in), {});
    if (!in.good() && !in.eof())
        return Status::Internal("Cannot read hub.json");
    return text;
}

Result<HubSkill> LoadListing(const std::string& folder, const std::string& slug,
                             content::BlockSink& sink) {
    const std::string skillDir = folder + "/skill";
    std::error_code ec;
    if (!fs::is_directory(skillDir, ec))
        return Status::InvalidArgument("skill/ is missing");
    PINFOLD_ASSIGN_OR_RETURN(ImportedSkill imported, ImportSkillFolder(skillDir, sink));
    PINFOLD_ASSIGN_OR_RETURN(std::string hubJson, ReadHubJson(folder + "/hub.json"));
    PINFOLD_ASSIGN_OR_RETURN(HubSkill skill, ParseHubJson(hubJson, imported.manifest));
    skill.slug = slug;
    skill.hubSkillId = HubSkillIdForSlug(slug);
    skill.skillCid = std::move(imported.skillCid);
    skill.skillDir = fs::absolute(skillDir, ec).lexically_normal().string();
    return skill;
}

Result<std::vector<HubSkill>> LoadOwner(const std::string& dir, const std::string& owner,
                                        content::BlockSink& sink) {
    const std::string folderRule = "folder names must be 1-64 lowercase letters, digits, - or _";
    if (!IsHubFolderName(owner))
        return InEntry(owner, Status::InvalidArgument(folderRule));
    PINFOLD_ASSIGN_OR_RETURN(std::vector<std::string> names, FolderNames(dir + "/" + owner));
    std::vector<HubSkill> skills;
    for (const std::string& name : names) {
        const std::string where = owner + "/" + name;
        if (!IsHubFolderName(name))
            return InEntry(where, Status::InvalidArgument(folderRule));
        Result<HubSkill> skill = LoadListing(dir + "/" + where, "@" + where, sink);
        if (!skill.ok())
            return InEntry(where, skill.status());
        skills.push_back(std::move(*skill));
    }
    return skills;
}

std::string EncodeCursor(size_t offset) {
    return crypto::Base64UrlEncode("o" + std::to_string(offset));
}

// The offset a cursor encodes: "o" and digits without leading zeros, at most 9 of them.
Result<size_t> DecodeCursor(const std::optional<std::string>& cursor) {
    if (!cursor)
        return size_t{0};
    std::optional<std::string> text = crypto::Base64UrlDecode(*cursor);
    Status invalid = Status::InvalidArgument("Invalid cursor");
    if (!text || text->size() < 2 || text->size() > 10 || (*text)[0] != 'o')
        return invalid;
    std::string_view digits = std::string_view(*text).substr(1);
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        (digits.size() > 1 && digits[0] == '0')) {
        return invalid;
    }
    return static_cast<size_t>(std::stoul(std::string(digits)));
}

// Strict weak order of the query's sort, ties by name (ignoring case), then slug.
bool ComesBefore(HubSort sort, const HubListEntry& a, const HubListEntry& b) {
    if (sort == HubSort::kPopular && a.installCount != b.installCount)
        return a.installCount > b.installCount;
    if (sort == HubSort::kNewest && a.skill.createdAtMs != b.skill.createdAtMs)
        return a.skill.createdAtMs > b.skill.createdAtMs;
    std::string nameA = Lowercase(a.skill.name), nameB = Lowercase(b.skill.name);
    if (nameA != nameB)
        return nameA < nameB;
    return a.skill.slug < b.skill.slug;
}

}  // namespace

Result<HubSort> ParseHubSort(std::string_view text) {
    if (text == "popular")
        return HubSort::kPopular;
    if (text == "newest")
        return HubSort::kNewest;
    if (text == "name")
        return HubSort::kName;
    return Status::InvalidArgument("sort must be popular, newest or name");
}

std::string HubSkillIdForSlug(std::string_view slug) {
    std::string bytes = crypto::Sha256("pinfold-hub:" + std::string(slug)).substr(0, 16);
    bytes[6] = static_cast<char>((bytes[6] & 0x0F) | 0x80);  // version 8
    bytes[8] = static_cast<char>((bytes[8] & 0x3F) | 0x80);  // RFC 9562 variant
    std::string hex = crypto::ToHex(bytes);
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
           hex.substr(16, 4) + "-" + hex.substr(20);
}

Result<HubCatalog> HubCatalog::Load(const std::string& dir, content::BlockSink& sink) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return Status::InvalidArgument("Cannot read hub folder " + dir + ": not a folder");
    PINFOLD_ASSIGN_OR_RETURN(std::vector<std::string> owners, FolderNames(dir));
    std::vector<HubSkill> skills;
    for (const std::string& owner : owners) {
        PINFOLD_ASSIGN_OR_RETURN(std::vector<HubSkill> owned, LoadOwner(dir, owner, sink));
        std::move(owned.begin(), owned.end(), std::back_inserter(skills));
    }
    std::sort(skills.begin(), skills.end(),
              [](const HubSkill& a, const HubSkill& b) { return a.slug < b.slug; });
    return HubCatalog(std::move(skills));
}

Result<HubPage> HubCatalog::list(const HubQuery& query, const HubInstallCounts& installs) const {
    if (query.limit < 1 || query.limit > kMaxHubPageSize)
        return Status::InvalidArgument("limit must be between 1 and 100");
    PINFOLD_ASSIGN_OR_RETURN(size_t offset, DecodeCursor(query.cursor));
    std::vector<HubListEntry> matches;
    for (const HubSkill& skill : skills_) {
        if ((query.category && skill.category != *query.category) ||
            (query.featuredOnly && !skill.featured)) {
            continue;
        }
        auto count = installs.find(skill.hubSkillId);
        matches.push_back({skill, count == installs.end() ? 0 : count->second});
    }
    std::sort(matches.begin(), matches.end(), [&](const HubListEntry& a, const HubListEntry& b) {
        return ComesBefore(query.sort, a, b);
    });
    HubPage page;
    const size_t end = std::min(matches.size(), offset + query.limit);
    for (size_t i = offset; i < end; ++i)
        page.skills.push_back(std::move(matches[i]));
    if (end < matches.size())
        page.nextCursor = EncodeCursor(end);
    return page;
}

Result<HubSkill> HubCatalog::find(std::string_view idOrSlug) const {
    const std::string wanted = Lowercase(idOrSlug);
    for (const HubSkill& skill : skills_) {
        if (skill.hubSkillId == wanted || skill.slug == wanted || skill.slug == "@" + wanted)
            return skill;
    }
    return Status::NotFound("Skill not found");
}

}  // namespace pinfold::services
