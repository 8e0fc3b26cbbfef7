// Manifest: manifest.json version 1, the file at the root of an agent's repository and of every
// template repository. It names the agent, its engine and model, the secrets it needs, the skills,
// scheduled tasks, lifecycle scripts, routes and channels to set up, and marketplace metadata.
//
// ValidateManifest is lenient where real manifests and the docs disagree (spec §12): tasks in the
// structured or the legacy `{name, prompt, schedule: "<cron>"}` form, skills as strings or
// objects, `model` as a string or `{primary}`, `author*` or `partner*` template fields, a task
// payload's text under `text` or `message`. Keys it does not know are ignored at every level
// (`$schema`, `_docs`, fields a newer schema adds), except channel names; `null` counts as absent.
// It is strict on the hard limits and on types, and reports every error it finds (up to
// kMaxManifestErrors), each naming the field's path: `routes[0].port must be 1025-65535 and not
// 18789`. An array over its limit gets one error; its entries are then not checked one by one.
//
// Pure functions: no I/O, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pinfold::services {

inline constexpr size_t kMaxManifestBytes = 1 << 20;
inline constexpr size_t kMaxManifestErrors = 100;  // past this, one closing line counts the rest
inline constexpr size_t kMaxManifestSkills = 10;
inline constexpr size_t kMaxManifestTasks = 20;
inline constexpr size_t kMaxManifestRoutes = 10;
// The starter's `_docs` says 10, but a published template has 11: lenient, still bounded.
inline constexpr size_t kMaxTemplateTags = 20;
inline constexpr int64_t kMinTaskIntervalMs = 60'000;
inline constexpr int kGatewayPort = 18789;

struct ManifestAgent {
    std::string name;
    std::optional<std::string> description;
    std::optional<std::string> vibe;
    std::optional<std::string> emoji;
};

struct ManifestSecret {
    std::string name;  // an environment variable name
    std::optional<std::string> description;
    bool required = true;
};

struct ManifestSkill {
    std::string name;  // the display name; the ref itself when the manifest gives none
    std::string ref;   // a ClawHub slug (`@pinata/api`, or `owner/name`) or a CID
    bool isCid = false;
};

struct TaskSchedule {
    std::string kind;  // "cron" | "every" | "at", as the engine spells it
    std::string expr;  // cron: five fields
    std::optional<int64_t> everyMs;
    std::string at;  // at: an ISO-8601 date and time
    std::optional<std::string> tz;
    std::optional<int64_t> staggerMs;
};

struct TaskPayload {
    std::string kind = "agentTurn";  // "agentTurn" | "systemEvent"
    std::string text;                // from `text` or `message`, whichever is given
    std::optional<std::string> model;
    std::optional<std::string> thinking;
    std::optional<int64_t> timeoutSeconds;
};

struct ManifestTask {
    std::string name;
    std::optional<std::string> description;
    TaskSchedule schedule;
    TaskPayload payload;  // the legacy form's `prompt` becomes an agentTurn payload
    std::optional<std::string> sessionTarget;  // "main" | "isolated"
    std::optional<std::string> wakeMode;       // "now" | "next-heartbeat"
    std::string deliveryJson;                  // the `delivery` object as JSON text, "" if none
    bool enabled = true;
};

struct ManifestScripts {
    std::string build;  // "" = none
    std::string start;  // "" = none
};

struct ManifestRoute {
    int port = 0;
    std::string path;  // a path prefix, starting with '/'
    bool isProtected = false;
};

struct TemplatePrice {
    std::string amount;  // a decimal string, e.g. "1.00"
    std::string currency = "USDC";
};

struct ManifestTemplate {
    std::optional<std::string> slug;
    std::optional<std::string> category;
    // From `authorName`/`authorUrl`/`authorLogoUrl`, or their older `partner*` names.
    std::optional<std::string> authorName;
    std::optional<std::string> authorUrl;
    std::optional<std::string> authorLogoUrl;
    std::vector<std::string> tags;
    std::optional<TemplatePrice> paid;
};

// Normalized: every accepted spelling of a field lands in one place, defaults filled in.
struct Manifest {
    int version = 1;
    std::string engine = "openclaw";  // "openclaw" | "hermes"
    ManifestAgent agent;
    std::optional<std::string> model;  // "<provider>/<model>"
    std::vector<ManifestSecret> secrets;
    std::vector<ManifestSkill> skills;
    std::vector<ManifestTask> tasks;
    ManifestScripts scripts;
    std::vector<ManifestRoute> routes;
    // The `channels` object as JSON text ("" when absent), after checking its channel names and
    // field types; tokens may be literal or `env:VAR_NAME`, and are resolved by whoever applies it.
    std::string channelsJson;
    std::optional<ManifestTemplate> templateInfo;  // the `template` object
};

struct ManifestCheck {
    std::vector<std::string> errors;   // in field order; empty when the manifest is valid
    std::optional<Manifest> manifest;  // set exactly when errors is empty

    bool valid() const { return errors.empty(); }
};

// Parses and checks manifest.json text (a leading UTF-8 byte order mark is skipped).
ManifestCheck ValidateManifest(std::string_view jsonText);

// Why `expr` is not an acceptable cron expression ("must have 5 fields ..."), or "" when it is:
// five fields of digits, names, `* , - / ?`, or a macro such as `@daily`. Only the shape is
// checked; five fields can never fire more often than once a minute.
std::string CronExpressionProblem(std::string_view expr);

// True for an ISO-8601 date and time: `YYYY-MM-DDTHH:MM[:SS[.fraction]]` with an optional `Z` or
// `+HH:MM` offset, every part in range (February 29 only in leap years).
bool IsIsoDateTime(std::string_view text);

}  // namespace pinfold::services
