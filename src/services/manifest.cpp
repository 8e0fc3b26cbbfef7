#include "services/manifest.h"

#include <boost/json.hpp>
#include <cmath>
#include <limits>
#include <map>

#include "content/cid.h"
#include "core/text.h"

namespace pinfold::services {

namespace {

namespace json = boost::json;

std::string FieldPath(const std::string& parent, std::string_view key) {
    return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string ItemPath(const std::string& parent, size_t index) {
    return parent + "[" + std::to_string(index) + "]";
}

// JSON numbers that hold a whole value: 5173, 5173.0; not 51.5, 1e400 or strings.
std::optional<int64_t> AsInteger(const json::value& v) {
    if (v.is_int64())
        return v.get_int64();
    if (v.is_uint64()) {
        if (v.get_uint64() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            return std::nullopt;
        return static_cast<int64_t>(v.get_uint64());
    }
    if (v.is_double()) {
        double d = v.get_double();
        // 2^63 is exactly representable; anything from there up does not fit.
        if (std::isfinite(d) && d == std::trunc(d) && d >= -9.2233720368547758e18 &&
            d < 9.2233720368547758e18)
            return static_cast<int64_t>(d);
    }
    return std::nullopt;
}

bool IsOneOf(std::string_view value, std::initializer_list<std::string_view> allowed) {
    for (std::string_view a : allowed) {
        if (value == a)
            return true;
    }
    return false;
}

bool IsAsciiAlpha(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

bool IsAsciiDigit(char c) {
    return c >= '0' && c <= '9';
}

bool IsEnvVarName(std::string_view s) {
    if (s.empty() || IsAsciiDigit(s[0]))
        return false;
    for (char c : s) {
        if (!IsAsciiAlpha(c) && !IsAsciiDigit(c) && c != '_')
            return false;
    }
    return true;
}

// ClawHub slugs: `@owner/name`, or `owner/name` as the hub's own links write them.
bool IsHubSlug(std::string_view s) {
    if (s.starts_with('@'))
        s.remove_prefix(1);
    size_t slash = s.find('/');
    if (slash == std::string_view::npos)
        return false;
    auto isSegment = [](std::string_view segment) {
        if (segment.empty() || segment.size() > 100 || segment[0] == '.')
            return false;
        for (char c : segment) {
            if (!IsAsciiAlpha(c) && !IsAsciiDigit(c) && c != '-' && c != '_' && c != '.')
                return false;
        }
        return true;
    };
    return isSegment(s.substr(0, slash)) && isSegment(s.substr(slash + 1));
}

bool IsCid(std::string_view s) {
    return content::Cid::Parse(s).ok();
}

// "<provider>/<model>": both parts present, no spaces or control characters.
bool IsModelId(std::string_view s) {
    size_t slash = s.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == s.size())
        return false;
    for (char c : s) {
        if (c == ' ' || static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
            return false;
    }
    return true;
}

// IANA names as files under zoneinfo are spelled: `UTC`, `Europe/Berlin`, `Etc/GMT+5`. Only the
// spelling is checked; whether the zone exists is the engine's tz database's business.
bool IsTimeZoneName(std::string_view s) {
    if (s.empty() || s.size() > 64 || s.front() == '/' || s.back() == '/')
        return false;
    for (char c : s) {
        if (!IsAsciiAlpha(c) && !IsAsciiDigit(c) && c != '_' && c != '-' && c != '+' && c != '/')
            return false;
    }
    return true;
}

bool IsTemplateSlugText(std::string_view s) {
    for (char c : s) {
        if (!(c >= 'a' && c <= 'z') && !IsAsciiDigit(c) && c != '-')
            return false;
    }
    return true;
}

bool IsHttpUrl(std::string_view s) {
    return (s.starts_with("https://") && s.size() > 8) ||
           (s.starts_with("http://") && s.size() > 7);
}

// "1.00", "25", "0.5": digits, at most 6 decimals (USDC's precision), more than zero.
bool IsPositiveDecimal(std::string_view s) {
    size_t dot = s.find('.');
    std::string_view whole = s.substr(0, dot);
    std::string_view fraction = dot == std::string_view::npos ? "" : s.substr(dot + 1);
    if (whole.empty() || whole.size() > 12 || fraction.size() > 6)
        return false;
    if (dot != std::string_view::npos && fraction.empty())
        return false;
    bool nonZero = false;
    for (std::string_view part : {whole, fraction}) {
        for (char c : part) {
            if (!IsAsciiDigit(c))
                return false;
            nonZero = nonZero || c != '0';
        }
    }
    return nonZero;
}

// Reads one manifest into a Manifest, collecting errors as it goes; each read* handles one
// top-level field and carries on after an error so that the caller sees every problem at once.
class ManifestReader {
  public:
    Manifest read(const json::object& root) {
        Manifest m;
        readVersion(root);
        readEngine(root, m);
        readAgent(root, m.agent);
        readModel(root, m);
        readSecrets(root, m.secrets);
        readSkills(root, m.skills);
        readTasks(root, m.tasks);
        readScripts(root, m.scripts);
        readRoutes(root, m.routes);
        readChannels(root, m);
        readTemplate(root, m);
        return m;
    }

    std::vector<std::string> takeErrors() {
        if (errorCount_ > errors_.size()) {
            errors_.push_back("and " + std::to_string(errorCount_ - errors_.size()) +
                              " more errors");
        }
        return std::move(errors_);
    }

  private:
    void fail(const std::string& path, std::string_view problem) {
        ++errorCount_;
        if (errors_.size() < kMaxManifestErrors)
            errors_.push_back(path + " " + std::string(problem));
    }

    // The value under `key`, or nullptr when it is absent or null.
    static const json::value* find(const json::object& o, std::string_view key) {
        const json::value* v = o.if_contains(key);
        return v && !v->is_null() ? v : nullptr;
    }

    const json::object* objectAt(const json::object& o, std::string_view key,
                                 const std::string& path) {
        const json::value* v = find(o, key);
        if (v && !v->is_object())
            fail(path, "must be an object");
        return v ? v->if_object() : nullptr;
    }

    const json::array* arrayAt(const json::object& o, std::string_view key,
                               const std::string& path) {
        const json::value* v = find(o, key);
        if (v && !v->is_array())
            fail(path, "must be an array");
        return v ? v->if_array() : nullptr;
    }

    std::optional<std::string> optString(const json::object& o, std::string_view key,
                                         const std::string& parent) {
        const json::value* v = find(o, key);
        if (!v)
            return std::nullopt;
        if (!v->is_string()) {
            fail(FieldPath(parent, key), "must be a string");
            return std::nullopt;
        }
        return std::string(v->get_string());
    }

    std::optional<std::string> reqString(const json::object& o, std::string_view key,
                                         const std::string& parent) {
        if (!find(o, key))
            fail(FieldPath(parent, key), "is required");
        return optString(o, key, parent);
    }

    std::optional<bool> optBool(const json::object& o, std::string_view key,
                                const std::string& parent) {
        const json::value* v = find(o, key);
        if (!v)
            return std::nullopt;
        if (!v->is_bool()) {
            fail(FieldPath(parent, key), "must be a boolean");
            return std::nullopt;
        }
        return v->get_bool();
    }

    std::optional<int64_t> optInteger(const json::object& o, std::string_view key,
                                      const std::string& parent) {
        const json::value* v = find(o, key);
        if (!v)
            return std::nullopt;
        std::optional<int64_t> n = AsInteger(*v);
        if (!n)
            fail(FieldPath(parent, key), "must be an integer");
        return n;
    }

    // Checks a length in characters (code points); JSON text is UTF-8 by the time it is parsed.
    bool checkMaxChars(const std::optional<std::string>& value, const std::string& path,
                       size_t max) {
        if (value && Utf8Length(*value).value_or(0) > max) {
            fail(path, "must be at most " + std::to_string(max) + " characters");
            return false;
        }
        return true;
    }

    void checkNoControl(const std::optional<std::string>& value, const std::string& path) {
        if (value && HasControlCharacter(*value))
            fail(path, "must not contain control characters");
    }

    void readVersion(const json::object& root) {
        const json::value* v = find(root, "version");
        if (!v)
            fail("version", "is required");
        else if (AsInteger(*v) != 1)
            fail("version", "must be 1");
    }

    void readEngine(const json::object& root, Manifest& m) {
        std::optional<std::string> engine = optString(root, "engine", "");
        if (!engine)
            return;
        if (IsOneOf(*engine, {"openclaw", "hermes"}))
            m.engine = *engine;
        else
            fail("engine", "must be openclaw or hermes");
    }

    void readAgent(const json::object& root, ManifestAgent& agent) {
        if (!find(root, "agent")) {
            fail("agent", "is required");
            return;
        }
        const json::object* o = objectAt(root, "agent", "agent");
        if (!o)
            return;
        std::optional<std::string> name = reqString(*o, "name", "agent");
        if (name) {
            size_t length = Utf8Length(*name).value_or(0);
            if (TrimAscii(*name).empty() || length > 100)
                fail("agent.name", "must be 1-100 characters");
            checkNoControl(name, "agent.name");
            agent.name = *name;
        }
        agent.description = optString(*o, "description", "agent");
        checkMaxChars(agent.description, "agent.description", 10000);
        agent.vibe = optString(*o, "vibe", "agent");
        if (checkMaxChars(agent.vibe, "agent.vibe", 200))
            checkNoControl(agent.vibe, "agent.vibe");
        agent.emoji = optString(*o, "emoji", "agent");
        if (checkMaxChars(agent.emoji, "agent.emoji", 32))
            checkNoControl(agent.emoji, "agent.emoji");
    }

    void readModel(const json::object& root, Manifest& m) {
        const json::value* v = find(root, "model");
        if (!v)
            return;
        std::optional<std::string> model;
        std::string path = "model";
        if (v->is_string()) {
            model = std::string(v->get_string());
        } else if (v->is_object()) {
            path = "model.primary";
            model = reqString(v->get_object(), "primary", "model");
        } else {
            fail("model", "must be a string or an object");
        }
        if (!model)
            return;
        if (IsModelId(*model))
            m.model = *model;
        else
            fail(path, "must have the form provider/model");
    }

    void readSecrets(const json::object& root, std::vector<ManifestSecret>& secrets) {
        const json::array* items = arrayAt(root, "secrets", "secrets");
        if (!items)
            return;
        for (size_t i = 0; i < items->size(); ++i) {
            std::string path = ItemPath("secrets", i);
            const json::object* o = (*items)[i].if_object();
            if (!o) {
                fail(path, "must be an object");
                continue;
            }
            ManifestSecret secret;
            std::optional<std::string> name = reqString(*o, "name", path);
            if (name && !IsEnvVarName(*name))
                fail(path + ".name", "must be an environment variable name like MY_API_KEY");
            secret.name = name.value_or("");
            secret.description = optString(*o, "description", path);
            secret.required = optBool(*o, "required", path).value_or(true);
            secrets.push_back(std::move(secret));
        }
    }

    void readSkills(const json::object& root, std::vector<ManifestSkill>& skills) {
        const json::array* items = arrayAt(root, "skills", "skills");
        if (!items)
            return;
        if (items->size() > kMaxManifestSkills) {
            fail("skills", "must have at most " + std::to_string(kMaxManifestSkills) + " entries");
            return;
        }
        for (size_t i = 0; i < items->size(); ++i) {
            std::string path = ItemPath("skills", i);
            const json::value& item = (*items)[i];
            ManifestSkill skill;
            if (item.is_string()) {
                skill.ref = std::string(item.get_string());
                skill.isCid = IsCid(skill.ref);
                if (!skill.isCid && !IsHubSlug(skill.ref)) {
                    fail(path, "must be a ClawHub slug like @owner/name or a CID");
                    continue;
                }
                skill.name = skill.ref;
            } else if (item.is_object()) {
                const json::object& o = item.get_object();
                bool hasSlug = find(o, "clawhub_slug") != nullptr;
                bool hasCid = find(o, "cid") != nullptr;
                if (hasSlug && hasCid) {
                    fail(path, "must have either clawhub_slug or cid, not both");
                    continue;
                }
                if (!hasSlug && !hasCid) {
                    fail(path, "must have clawhub_slug or cid");
                    continue;
                }
                std::optional<std::string> name = optString(o, "name", path);
                std::optional<std::string> ref =
                    optString(o, hasSlug ? "clawhub_slug" : "cid", path);
                if (!ref)
                    continue;
                if (hasSlug && !IsHubSlug(*ref)) {
                    fail(path + ".clawhub_slug", "must be a ClawHub slug like @owner/name");
                    continue;
                }
                if (hasCid && !IsCid(*ref)) {
                    fail(path + ".cid", "must be a valid CID");
                    continue;
                }
                skill.ref = *ref;
                skill.isCid = hasCid;
                skill.name = name && !name->empty() ? *name : skill.ref;
            } else {
                fail(path, "must be a string or an object");
                continue;
            }
            skills.push_back(std::move(skill));
        }
    }

    void readSchedule(const json::object& o, const std::string& path, TaskSchedule& schedule) {
        std::optional<std::string> kind = reqString(o, "kind", path);
        if (!kind)
            return;
        schedule.kind = *kind;
        if (*kind == "cron") {
            std::optional<std::string> expr = reqString(o, "expr", path);
            if (expr) {
                std::string problem = CronExpressionProblem(*expr);
                if (!problem.empty())
                    fail(path + ".expr", problem);
                schedule.expr = *expr;
            }
            schedule.tz = optString(o, "tz", path);
            if (schedule.tz && !IsTimeZoneName(*schedule.tz))
                fail(path + ".tz", "must be an IANA time zone name like Europe/Berlin");
        } else if (*kind == "every") {
            if (!find(o, "everyMs"))
                fail(path + ".everyMs", "is required");
            schedule.everyMs = optInteger(o, "everyMs", path);
            if (schedule.everyMs && *schedule.everyMs < kMinTaskIntervalMs)
                fail(path, "runs more often than once a minute");
        } else if (*kind == "at") {
            std::optional<std::string> at = reqString(o, "at", path);
            if (at && !IsIsoDateTime(*at))
                fail(path + ".at", "must be an ISO-8601 date and time like 2026-07-01T09:00:00Z");
            schedule.at = at.value_or("");
        } else {
            fail(path + ".kind", "must be cron, every or at");
            return;
        }
        schedule.staggerMs = optInteger(o, "staggerMs", path);
        if (schedule.staggerMs && *schedule.staggerMs < 0)
            fail(path + ".staggerMs", "must not be negative");
    }

    void readPayload(const json::object& o, const std::string& path, TaskPayload& payload) {
        // The engine and its clients disagree on which kind takes `text` and which `message`
        // (spec §7), so either key serves either kind.
        std::optional<std::string> kind = optString(o, "kind", path);
        if (kind && !IsOneOf(*kind, {"agentTurn", "systemEvent"}))
            fail(path + ".kind", "must be agentTurn or systemEvent");
        else if (kind)
            payload.kind = *kind;
        std::optional<std::string> text = optString(o, "text", path);
        if (!text)
            text = optString(o, "message", path);
        if (!text || text->empty())
            fail(path + ".text", "is required");
        else
            payload.text = *text;
        payload.model = optString(o, "model", path);
        payload.thinking = optString(o, "thinking", path);
        payload.timeoutSeconds = optInteger(o, "timeoutSeconds", path);
        if (payload.timeoutSeconds && *payload.timeoutSeconds < 1)
            fail(path + ".timeoutSeconds", "must be at least 1");
    }

    void readDelivery(const json::object& o, const std::string& path, ManifestTask& task) {
        const json::object* delivery = objectAt(o, "delivery", path + ".delivery");
        if (!delivery)
            return;
        std::string deliveryPath = path + ".delivery";
        std::optional<std::string> mode = optString(*delivery, "mode", deliveryPath);
        if (mode && !IsOneOf(*mode, {"none", "announce", "webhook"}))
            fail(deliveryPath + ".mode", "must be none, announce or webhook");
        optString(*delivery, "channel", deliveryPath);
        optString(*delivery, "to", deliveryPath);
        optBool(*delivery, "bestEffort", deliveryPath);
        task.deliveryJson = json::serialize(*delivery);
    }

    void readTask(const json::object& o, const std::string& path, ManifestTask& task) {
        std::optional<std::string> name = reqString(o, "name", path);
        if (name && TrimAscii(*name).empty())
            fail(path + ".name", "must not be empty");
        task.name = name.value_or("");
        task.description = optString(o, "description", path);

        // Real templates use the legacy form: `schedule` is a cron string and `prompt` the text.
        const json::value* schedule = find(o, "schedule");
        bool legacy = schedule && schedule->is_string();
        if (!schedule) {
            fail(path + ".schedule", "is required");
        } else if (legacy) {
            task.schedule.kind = "cron";
            task.schedule.expr = std::string(schedule->get_string());
            std::string problem = CronExpressionProblem(task.schedule.expr);
            if (!problem.empty())
                fail(path + ".schedule", problem);
        } else if (schedule->is_object()) {
            readSchedule(schedule->get_object(), path + ".schedule", task.schedule);
        } else {
            fail(path + ".schedule", "must be a string or an object");
        }

        if (find(o, "payload")) {
            if (const json::object* payload = objectAt(o, "payload", path + ".payload"))
                readPayload(*payload, path + ".payload", task.payload);
        } else if (find(o, "prompt")) {
            std::optional<std::string> prompt = optString(o, "prompt", path);
            if (prompt && prompt->empty())
                fail(path + ".prompt", "must not be empty");
            task.payload.text = prompt.value_or("");
        } else {
            fail(path + (legacy ? ".prompt" : ".payload"), "is required");
        }

        task.sessionTarget = optString(o, "sessionTarget", path);
        if (task.sessionTarget && !IsOneOf(*task.sessionTarget, {"main", "isolated"}))
            fail(path + ".sessionTarget", "must be main or isolated");
        task.wakeMode = optString(o, "wakeMode", path);
        if (task.wakeMode && !IsOneOf(*task.wakeMode, {"now", "next-heartbeat"}))
            fail(path + ".wakeMode", "must be now or next-heartbeat");
        readDelivery(o, path, task);
        task.enabled = optBool(o, "enabled", path).value_or(true);
    }

    void readTasks(const json::object& root, std::vector<ManifestTask>& tasks) {
        const json::array* items = arrayAt(root, "tasks", "tasks");
        if (!items)
            return;
        if (items->size() > kMaxManifestTasks) {
            fail("tasks", "must have at most " + std::to_string(kMaxManifestTasks) + " entries");
            return;
        }
        for (size_t i = 0; i < items->size(); ++i) {
            std::string path = ItemPath("tasks", i);
            const json::object* o = (*items)[i].if_object();
            if (!o) {
                fail(path, "must be an object");
                continue;
            }
            ManifestTask task;
            readTask(*o, path, task);
            tasks.push_back(std::move(task));
        }
    }

    void readScripts(const json::object& root, ManifestScripts& scripts) {
        const json::object* o = objectAt(root, "scripts", "scripts");
        if (!o)
            return;
        scripts.build = optString(*o, "build", "scripts").value_or("");
        scripts.start = optString(*o, "start", "scripts").value_or("");
    }

    void readRoutes(const json::object& root, std::vector<ManifestRoute>& routes) {
        const json::array* items = arrayAt(root, "routes", "routes");
        if (!items)
            return;
        if (items->size() > kMaxManifestRoutes) {
            fail("routes", "must have at most " + std::to_string(kMaxManifestRoutes) + " entries");
            return;
        }
        std::map<std::string, size_t> pathOwners;
        for (size_t i = 0; i < items->size(); ++i) {
            std::string path = ItemPath("routes", i);
            const json::object* o = (*items)[i].if_object();
            if (!o) {
                fail(path, "must be an object");
                continue;
            }
            ManifestRoute route;
            if (!find(*o, "port"))
                fail(path + ".port", "is required");
            std::optional<int64_t> port = optInteger(*o, "port", path);
            if (port && (*port < 1025 || *port > 65535 || *port == kGatewayPort))
                fail(path + ".port", "must be 1025-65535 and not 18789");
            else if (port)
                route.port = static_cast<int>(*port);
            std::optional<std::string> prefix = reqString(*o, "path", path);
            if (prefix && !prefix->starts_with('/')) {
                fail(path + ".path", "must start with /");
            } else if (prefix) {
                auto [owner, inserted] = pathOwners.emplace(*prefix, i);
                if (!inserted)
                    fail(path + ".path", "is already used by " + ItemPath("routes", owner->second));
                route.path = *prefix;
            }
            route.isProtected = optBool(*o, "protected", path).value_or(false);
            routes.push_back(std::move(route));
        }
    }

    void readChannel(const json::object& o, const std::string& path) {
        optString(o, "botToken", path);
        optString(o, "appToken", path);
        optBool(o, "enabled", path);
        std::optional<std::string> dmPolicy = optString(o, "dmPolicy", path);
        if (dmPolicy && !IsOneOf(*dmPolicy, {"open", "pairing", "closed"}))
            fail(path + ".dmPolicy", "must be open, pairing or closed");
        const json::array* allowFrom = arrayAt(o, "allowFrom", path + ".allowFrom");
        if (!allowFrom)
            return;
        for (size_t i = 0; i < allowFrom->size(); ++i) {
            const json::value& id = (*allowFrom)[i];
            if (!id.is_string() && !id.is_int64() && !id.is_uint64())
                fail(ItemPath(path + ".allowFrom", i), "must be a string or an integer");
        }
    }

    // A channel name the server does not know is an error, unlike other unknown keys: a
    // misspelt channel would otherwise never connect, and nothing would say why.
    void readChannels(const json::object& root, Manifest& m) {
        const json::object* channels = objectAt(root, "channels", "channels");
        if (!channels)
            return;
        for (const auto& [key, value] : *channels) {
            std::string path = "channels." + std::string(key);
            if (!IsOneOf(key, {"telegram", "slack", "discord", "whatsapp"})) {
                fail(path, "is not a supported channel (telegram, slack, discord, whatsapp)");
                continue;
            }
            if (value.is_null())
                continue;
            if (!value.is_object())
                fail(path, "must be an object");
            else
                readChannel(value.get_object(), path);
        }
        m.channelsJson = json::serialize(*channels);
    }

    // `authorX`, or the older `partnerX` when only that is given.
    std::optional<std::string> readAuthorField(const json::object& o, std::string_view suffix,
                                               bool isUrl) {
        for (std::string_view prefix : {"author", "partner"}) {
            std::string key = std::string(prefix) + std::string(suffix);
            std::optional<std::string> value = optString(o, key, "template");
            if (!value)
                continue;
            if (isUrl && !IsHttpUrl(*value)) {
                fail("template." + key, "must be an http or https URL");
                return std::nullopt;
            }
            return value;
        }
        return std::nullopt;
    }

    void readTemplate(const json::object& root, Manifest& m) {
        const json::object* o = objectAt(root, "template", "template");
        if (!o)
            return;
        ManifestTemplate t;
        t.slug = optString(*o, "slug", "template");
        if (t.slug && (t.slug->empty() || t.slug->size() > 100))
            fail("template.slug", "must be 1-100 characters");
        else if (t.slug && !IsTemplateSlugText(*t.slug))
            fail("template.slug", "must be lowercase letters, digits and hyphens");
        t.category = optString(*o, "category", "template");
        checkMaxChars(t.category, "template.category", 100);
        t.authorName = readAuthorField(*o, "Name", false);
        t.authorUrl = readAuthorField(*o, "Url", true);
        t.authorLogoUrl = readAuthorField(*o, "LogoUrl", true);
        if (const json::array* tags = arrayAt(*o, "tags", "template.tags")) {
            if (tags->size() > kMaxTemplateTags) {
                fail("template.tags",
                     "must have at most " + std::to_string(kMaxTemplateTags) + " entries");
            } else {
                for (size_t i = 0; i < tags->size(); ++i) {
                    if ((*tags)[i].is_string())
                        t.tags.emplace_back((*tags)[i].get_string());
                    else
                        fail(ItemPath("template.tags", i), "must be a string");
                }
            }
        }
        if (const json::object* paid = objectAt(*o, "paid", "template.paid")) {
            TemplatePrice price;
            std::optional<std::string> amount = reqString(*paid, "amount", "template.paid");
            if (amount && !IsPositiveDecimal(*amount))
                fail("template.paid.amount", "must be a positive decimal like \"1.00\"");
            price.amount = amount.value_or("");
            std::optional<std::string> currency = optString(*paid, "currency", "template.paid");
            if (currency && *currency != "USDC")
                fail("template.paid.currency", "must be USDC");
            t.paid = price;
        }
        m.templateInfo = std::move(t);
    }

    std::vector<std::string> errors_;
    size_t errorCount_ = 0;
};

std::string ParseErrorWhere(std::string_view text, size_t offset) {
    size_t line = 1;
    size_t lineStart = 0;
    for (size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            lineStart = i + 1;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(offset - lineStart + 1);
}

bool ParseDigits(std::string_view s, size_t pos, size_t count, int& out) {
    if (pos + count > s.size())
        return false;
    out = 0;
    for (size_t i = pos; i < pos + count; ++i) {
        if (!IsAsciiDigit(s[i]))
            return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

int DaysInMonth(int year, int month) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : kDays[month - 1];
}

}  // namespace

std::string CronExpressionProblem(std::string_view expr) {
    std::string_view trimmed = TrimAscii(expr);
    if (trimmed.starts_with('@')) {
        if (IsOneOf(trimmed, {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight",
                              "@hourly"}))
            return "";
        return "must be a cron macro (@hourly, @daily, @weekly, @monthly, @yearly) or 5 fields";
    }
    size_t fields = 0;
    bool inField = false;
    for (char c : trimmed) {
        bool space = c == ' ' || c == '\t';
        if (!space && !inField)
            ++fields;
        inField = !space;
        if (!space && !IsAsciiAlpha(c) && !IsAsciiDigit(c) &&
            std::string_view("*,-/?#").find(c) == std::string_view::npos)
            return "may contain only digits, names and * , - / ? #";
    }
    if (fields == 6)
        return "must have 5 fields; a seconds field would allow runs more often than once a minute";
    if (fields != 5)
        return "must have 5 fields (minute hour day month weekday)";
    return "";
}

bool IsIsoDateTime(std::string_view s) {
    int year, month, day, hour, minute, second = 0;
    if (!ParseDigits(s, 0, 4, year) || s.size() < 16 || s[4] != '-' ||
        !ParseDigits(s, 5, 2, month) || s[7] != '-' || !ParseDigits(s, 8, 2, day) ||
        (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !ParseDigits(s, 11, 2, hour) ||
        s[13] != ':' || !ParseDigits(s, 14, 2, minute))
        return false;
    if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 ||
        minute > 59)
        return false;
    size_t pos = 16;
    if (pos < s.size() && s[pos] == ':') {
        if (!ParseDigits(s, pos + 1, 2, second) || second > 59)
            return false;
        pos += 3;
        if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
            size_t digits = pos + 1;
            while (digits < s.size() && IsAsciiDigit(s[digits]))
                ++digits;
            if (digits == pos + 1)
                return false;
            pos = digits;
        }
    }
    if (pos == s.size())
        return true;
    if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size())
        return true;
    if (s[pos] != '+' && s[pos] != '-')
        return false;
    int offsetHours, offsetMinutes;
    if (!ParseDigits(s, pos + 1, 2, offsetHours) || offsetHours > 23)
        return false;
    pos += 3;
    if (pos < s.size() && s[pos] == ':')
        ++pos;
    return ParseDigits(s, pos, 2, offsetMinutes) && offsetMinutes <= 59 && pos + 2 == s.size();
}

ManifestCheck ValidateManifest(std::string_view text) {
    ManifestCheck check;
    if (text.size() > kMaxManifestBytes) {
        check.errors.push_back("manifest.json must be at most 1 MiB");
        return check;
    }
    if (text.starts_with("\xEF\xBB\xBF"))
        text.remove_prefix(3);
    if (!Utf8Length(text)) {
        check.errors.push_back("manifest.json is not valid JSON: it is not UTF-8 text");
        return check;
    }
    json::parser parser;
    boost::system::error_code ec;
    size_t used = parser.write(text.data(), text.size(), ec);
    if (ec) {
        check.errors.push_back("manifest.json is not valid JSON: " + ec.message() + " at " +
                               ParseErrorWhere(text, used));
        return check;
    }
    json::value root = parser.release();
    if (!root.is_object()) {
        check.errors.push_back("manifest.json must be a JSON object");
        return check;
    }
    ManifestReader reader;
    Manifest manifest = reader.read(root.get_object());
    check.errors = reader.takeErrors();
    if (check.errors.empty())
        check.manifest = std::move(manifest);
    return check;
}

}  // namespace pinfold::services
