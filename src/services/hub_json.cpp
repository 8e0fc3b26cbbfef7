#include "services/hub_json.h"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "core/text.h"

namespace pinfold::services {
namespace json = boost::json;
namespace {

constexpr size_t kMaxAuthorNameLength = 100;
constexpr size_t kMaxLongDescriptionLength = 20000;
constexpr size_t kMaxTags = 10;
constexpr size_t kMaxTagLength = 32;
constexpr size_t kMaxCategoryLength = 32;
constexpr size_t kMaxGuideSteps = 20;
constexpr size_t kMaxGuideStepLength = 1000;
constexpr size_t kMaxEnvDescriptionLength = 1000;

// Reads the fields of one JSON object, naming them in errors as "hub.json: <prefix><field>".
class FieldReader {
  public:
    FieldReader(const json::object& object, std::string prefix)
        : object_(object), prefix_("hub.json: " + std::move(prefix)) {}

    Status rejectUnknown(const std::set<std::string_view>& known) const {
        for (const auto& kv : object_) {
            if (!known.count(kv.key()))
                return Status::InvalidArgument(prefix_ + "unknown field \"" +
                                               ToValidUtf8(kv.key()) + "\"");
        }
        return Status::Ok();
    }

    // A string of 1..maxLength characters; nullopt when absent or null.
    Result<std::optional<std::string>> optionalText(std::string_view field,
                                                    size_t maxLength) const {
        const json::value* v = object_.if_contains(field);
        if (!v || v->is_null())
            return std::optional<std::string>();
        if (!v->is_string())
            return error(field, "must be a string");
        std::string text(v->as_string());
        std::optional<size_t> length = Utf8Length(text);
        if (text.empty() || !length || *length > maxLength)
            return error(field, "must be 1 to " + std::to_string(maxLength) + " characters");
        return std::optional<std::string>(std::move(text));
    }

    Result<std::string> requiredText(std::string_view field, size_t maxLength) const {
        PINFOLD_ASSIGN_OR_RETURN(std::optional<std::string> text, optionalText(field, maxLength));
        if (!text)
            return error(field, "is missing");
        return std::move(*text);
    }

    Result<std::optional<std::string>> optionalUrl(std::string_view field) const {
        Result<std::optional<std::string>> url = optionalText(field, 2000);
        if (!url.ok() || !url->has_value())
            return url;
        std::string_view text = **url;
        bool http = text.starts_with("https://") || text.starts_with("http://");
        if (!http || HasControlCharacter(text))
            return error(field, "must be an http(s) URL");
        return url;
    }

    Result<std::optional<bool>> optionalBool(std::string_view field) const {
        const json::value* v = object_.if_contains(field);
        if (!v || v->is_null())
            return std::optional<bool>();
        if (!v->is_bool())
            return error(field, "must be true or false");
        return std::optional<bool>(v->as_bool());
    }

    // An array of 0..maxItems strings, each 1..maxLength characters.
    Result<std::vector<std::string>> textList(std::string_view field, size_t maxItems,
                                              size_t maxLength) const {
        std::vector<std::string> items;
        const json::value* v = object_.if_contains(field);
        if (!v || v->is_null())
            return items;
        std::string what = "must be an array of at most " + std::to_string(maxItems) +
                           " strings of 1 to " + std::to_string(maxLength) + " characters";
        if (!v->is_array() || v->as_array().size() > maxItems)
            return error(field, what);
        for (const json::value& item : v->as_array()) {
            std::optional<size_t> length =
                item.is_string() ? Utf8Length(item.as_string()) : std::nullopt;
            if (!length || *length == 0 || *length > maxLength)
                return error(field, what);
            items.emplace_back(item.as_string());
        }
        return items;
    }

    const json::value* raw(std::string_view field) const { return object_.if_contains(field); }

    Status error(std::string_view field, const std::string& what) const {
        return Status::InvalidArgument(prefix_ + std::string(field) + " " + what);
    }

  private:
    const json::object& object_;
    std::string prefix_;
};

bool IsCategory(std::string_view s) {
    return !s.empty() && s.size() <= kMaxCategoryLength &&
           std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
           });
}

// Digits only, as an int; -1 when not all digits.
int Digits(std::string_view s) {
    int value = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return -1;
        value = value * 10 + (c - '0');
    }
    return value;
}

bool IsAlnumOrHyphen(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

// Dot-separated identifiers of [0-9A-Za-z-]; numeric ones without leading zeros when strict.
bool IsIdentifierList(std::string_view s, bool noLeadingZeros) {
    size_t start = 0;
    while (true) {
        size_t end = std::min(s.find('.', start), s.size());
        std::string_view id = s.substr(start, end - start);
        if (id.empty() || !std::all_of(id.begin(), id.end(), IsAlnumOrHyphen))
            return false;
        bool numeric =
            std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (noLeadingZeros && numeric && id.size() > 1 && id[0] == '0')
            return false;
        if (end == s.size())
            return true;
        start = end + 1;
    }
}

// One environment variable of .env.example with hub.json's guide, if any.
Result<HubEnvVar> GuidedEnvVar(const SkillEnvVar& declared, const json::object* guide,
                               size_t index) {
    HubEnvVar var{declared.name, declared.description, std::nullopt, {}, true};
    if (!guide)
        return var;
    FieldReader f(*guide, "envVars[" + std::to_string(index) + "].");
    PINFOLD_TRY(f.rejectUnknown({"name", "description", "guideUrl", "guideSteps", "required"}));
    PINFOLD_ASSIGN_OR_RETURN(std::optional<std::string> description,
                             f.optionalText("description", kMaxEnvDescriptionLength));
    if (description)
        var.description = std::move(description);
    PINFOLD_ASSIGN_OR_RETURN(var.guideUrl, f.optionalUrl("guideUrl"));
    PINFOLD_ASSIGN_OR_RETURN(var.guideSteps,
                             f.textList("guideSteps", kMaxGuideSteps, kMaxGuideStepLength));
    PINFOLD_ASSIGN_OR_RETURN(std::optional<bool> required, f.optionalBool("required"));
    var.required = required.value_or(true);
    return var;
}

// hub.json's envVars by name, checked against the variables .env.example declares.
Result<std::vector<HubEnvVar>> EnvVars(const FieldReader& top, const SkillManifest& manifest) {
    std::vector<std::pair<std::string, const json::object*>> guides;
    const json::value* list = top.raw("envVars");
    if (list && !list->is_null() && !list->is_array())
        return top.error("envVars", "must be an array");
    for (size_t i = 0; list && list->is_array() && i < list->as_array().size(); ++i) {
        const json::value& item = list->as_array()[i];
        std::string at = "envVars[" + std::to_string(i) + "]";
        if (!item.is_object())
            return top.error(at, "must be an object");
        const json::value* name = item.as_object().if_contains("name");
        if (!name || !name->is_string())
            return top.error(at + ".name", "must be a string");
        std::string varName(name->as_string());
        auto declared = [&](const SkillEnvVar& v) { return v.name == varName; };
        if (std::none_of(manifest.envVars.begin(), manifest.envVars.end(), declared))
            return top.error(at + ".name",
                             "\"" + ToValidUtf8(varName) + "\" is not in .env.example");
        auto sameName = [&](const auto& g) { return g.first == varName; };
        if (std::any_of(guides.begin(), guides.end(), sameName))
            return top.error(at + ".name", "\"" + varName + "\" is listed twice");
        guides.emplace_back(varName, &item.as_object());
    }
    std::vector<HubEnvVar> vars;
    for (const SkillEnvVar& declared : manifest.envVars) {
        const json::object* guide = nullptr;
        size_t index = 0;
        for (size_t i = 0; i < guides.size(); ++i) {
            if (guides[i].first == declared.name) {
                guide = guides[i].second;
                index = i;
            }
        }
        PINFOLD_ASSIGN_OR_RETURN(HubEnvVar var, GuidedEnvVar(declared, guide, index));
        vars.push_back(std::move(var));
    }
    return vars;
}

Status ReadTimes(const FieldReader& f, HubSkill& skill) {
    const std::string how = "must be an RFC 3339 UTC time like 2026-07-01T00:00:00Z";
    PINFOLD_ASSIGN_OR_RETURN(std::string created, f.requiredText("createdAt", 40));
    std::optional<int64_t> createdMs = ParseUtcTimestamp(created);
    if (!createdMs)
        return f.error("createdAt", how);
    PINFOLD_ASSIGN_OR_RETURN(std::optional<std::string> updated, f.optionalText("updatedAt", 40));
    std::optional<int64_t> updatedMs = updated ? ParseUtcTimestamp(*updated) : createdMs;
    if (!updatedMs)
        return f.error("updatedAt", how);
    if (*updatedMs < *createdMs)
        return f.error("updatedAt", "must not be before createdAt");
    skill.createdAtMs = *createdMs;
    skill.updatedAtMs = *updatedMs;
    return Status::Ok();
}

Status ReadListingFields(const FieldReader& f, HubSkill& skill) {
    PINFOLD_ASSIGN_OR_RETURN(skill.category, f.requiredText("category", kMaxCategoryLength));
    if (!IsCategory(skill.category))
        return f.error("category", "must use lowercase letters, digits and hyphens");
    PINFOLD_ASSIGN_OR_RETURN(skill.version, f.requiredText("version", 100));
    if (!IsSemanticVersion(skill.version))
        return f.error("version", "must be a semantic version like 1.0.0");
    PINFOLD_TRY(ReadTimes(f, skill));
    PINFOLD_ASSIGN_OR_RETURN(skill.authorName, f.requiredText("authorName", kMaxAuthorNameLength));
    PINFOLD_ASSIGN_OR_RETURN(skill.authorUrl, f.optionalUrl("authorUrl"));
    PINFOLD_ASSIGN_OR_RETURN(skill.authorLogoUrl, f.optionalUrl("authorLogoUrl"));
    PINFOLD_ASSIGN_OR_RETURN(skill.readmeUrl, f.optionalUrl("readmeUrl"));
    PINFOLD_ASSIGN_OR_RETURN(skill.longDescription,
                             f.optionalText("longDescription", kMaxLongDescriptionLength));
    PINFOLD_ASSIGN_OR_RETURN(skill.tags, f.textList("tags", kMaxTags, kMaxTagLength));
    PINFOLD_ASSIGN_OR_RETURN(std::optional<bool> featured, f.optionalBool("featured"));
    skill.featured = featured.value_or(false);
    return Status::Ok();
}

}  // namespace

std::optional<int64_t> ParseUtcTimestamp(std::string_view text) {
    using namespace std::chrono;
    if (text.size() < 20 || text.back() != 'Z' || text[4] != '-' || text[7] != '-' ||
        text[10] != 'T' || text[13] != ':' || text[16] != ':') {
        return std::nullopt;
    }
    int y = Digits(text.substr(0, 4)), mo = Digits(text.substr(5, 2)),
        d = Digits(text.substr(8, 2));
    int h = Digits(text.substr(11, 2)), mi = Digits(text.substr(14, 2));
    int s = Digits(text.substr(17, 2));
    year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (y < 0 || mo < 0 || d < 0 || !date.ok() || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 ||
        s > 59) {
        return std::nullopt;
    }
    std::string_view fraction = text.substr(19, text.size() - 20);
    int64_t millis = 0;
    if (!fraction.empty()) {
        std::string_view digits = fraction.substr(1);
        if (fraction[0] != '.' || digits.empty() || digits.size() > 9 || Digits(digits) < 0)
            return std::nullopt;
        millis = Digits((std::string(digits) + "00").substr(0, 3));
    }
    int64_t days = sys_days(date).time_since_epoch().count();
    return ((days * 24 + h) * 60 + mi) * 60000 + s * 1000 + millis;
}

bool IsSemanticVersion(std::string_view text) {
    size_t plus = text.find('+');
    if (plus != std::string_view::npos && !IsIdentifierList(text.substr(plus + 1), false))
        return false;
    std::string_view versionPart = text.substr(0, plus);
    size_t dash = versionPart.find('-');
    if (dash != std::string_view::npos && !IsIdentifierList(versionPart.substr(dash + 1), true))
        return false;
    std::string_view core = versionPart.substr(0, dash);
    int parts = 0;
    size_t start = 0;
    while (true) {
        size_t end = std::min(core.find('.', start), core.size());
        std::string_view number = core.substr(start, end - start);
        if (number.empty() || number.size() > 9 || Digits(number) < 0 ||
            (number.size() > 1 && number[0] == '0')) {
            return false;
        }
        ++parts;
        if (end == core.size())
            return parts == 3;
        start = end + 1;
    }
}

Result<HubSkill> ParseHubJson(std::string_view text, const SkillManifest& manifest) {
    boost::system::error_code ec;
    json::value root = json::parse(text, ec);
    if (ec)
        return Status::InvalidArgument("hub.json: not valid JSON (" + ec.message() + ")");
    if (!root.is_object())
        return Status::InvalidArgument("hub.json: must be a JSON object");
    FieldReader f(root.as_object(), "");
    PINFOLD_TRY(f.rejectUnknown({"category", "version", "createdAt", "updatedAt", "authorName",
                                 "authorUrl", "authorLogoUrl", "readmeUrl", "longDescription",
                                 "tags", "featured", "envVars"}));
    HubSkill skill;
    skill.name = manifest.name;
    skill.description = manifest.description;
    PINFOLD_TRY(ReadListingFields(f, skill));
    PINFOLD_ASSIGN_OR_RETURN(skill.envVars, EnvVars(f, manifest));
    return skill;
}

}  // namespace pinfold::services
