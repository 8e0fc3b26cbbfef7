// manifest.json v1 validation (services/manifest.h) and template folder checks
// (services/template_folder.h).
#include "services/manifest.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "services/template_folder.h"
#include "support/temp_dir.h"

namespace pinfold::services {
namespace {

using pinfold::testing::TempDir;

// A real-looking skill folder CID (v1) and the empty folder's CIDv0.
constexpr const char* kSkillCid = "bafybeicglyjdb6wrrcbfyu6i2fe4lpxdxgvfvlht7yzdim7cvwt656whue";
constexpr const char* kEmptyFolderCidV0 = "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn";

// The errors, one per line, or "valid".
std::string Errors(std::string_view text) {
    ManifestCheck check = ValidateManifest(text);
    if (check.valid()) {
        EXPECT_TRUE(check.manifest.has_value());
        return "valid";
    }
    EXPECT_FALSE(check.manifest.has_value());
    std::string out;
    for (const std::string& e : check.errors)
        out += (out.empty() ? "" : "\n") + e;
    return out;
}

// A manifest with a valid agent and `extra` (a JSON members list) after it.
std::string With(const std::string& extra) {
    return R"({"version": 1, "agent": {"name": "A"}, )" + extra + "}";
}

std::string Repeat(const std::string& item, size_t count) {
    std::string out;
    for (size_t i = 0; i < count; ++i)
        out += (i ? "," : "") + item;
    return out;
}

TEST(ValidateManifest, AcceptsTheMinimalManifestWithDefaults) {
    ManifestCheck check = ValidateManifest(R"({ "version": 1, "agent": { "name": "Hello" } })");
    ASSERT_TRUE(check.valid()) << check.errors[0];
    const Manifest& m = *check.manifest;
    EXPECT_EQ(m.version, 1);
    EXPECT_EQ(m.engine, "openclaw");
    EXPECT_EQ(m.agent.name, "Hello");
    EXPECT_FALSE(m.agent.description.has_value());
    EXPECT_FALSE(m.agent.vibe.has_value());
    EXPECT_FALSE(m.agent.emoji.has_value());
    EXPECT_FALSE(m.model.has_value());
    EXPECT_TRUE(m.secrets.empty());
    EXPECT_TRUE(m.skills.empty());
    EXPECT_TRUE(m.tasks.empty());
    EXPECT_EQ(m.scripts.build, "");
    EXPECT_EQ(m.scripts.start, "");
    EXPECT_TRUE(m.routes.empty());
    EXPECT_EQ(m.channelsJson, "");
    EXPECT_FALSE(m.templateInfo.has_value());
}

// Shaped like the published templates: legacy tasks, partner* fields, a build script, a _docs
// block, string skills.
constexpr const char* kTemplateManifest = R"json({
  "$schema": "https://agents.pinata.cloud/schemas/manifest.v1.json",
  "version": 1,
  "agent": {
    "name": "Ledger Keeper",
    "description": "Keeps the books.\nReconciles every morning.",
    "vibe": "careful, numerate, never rounds",
    "emoji": "🧾"
  },
  "model": { "primary": "anthropic/claude-sonnet-4-6" },
  "template": {
    "slug": "ledger-keeper",
    "category": "actions & transactions",
    "tags": ["ledger", "finance", "csv"],
    "partnerName": "Pinfold",
    "partnerUrl": "https://example.org/ledger",
    "partnerLogoUrl": "https://example.org/logo.png"
  },
  "_docs": {
    "_about": "Remove before submitting.",
    "skills": "Max 20.",
    "routes": { "protected": "default true" }
  },
  "secrets": [
    { "name": "LEDGER_API_KEY", "description": "Read key for the ledger" },
    { "name": "LEDGER_URL", "required": false }
  ],
  "skills": ["@pinata/api", "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn"],
  "scripts": { "build": "bash setup.sh", "start": "" },
  "tasks": [
    { "name": "morning-reconcile", "prompt": "Reconcile yesterday.", "schedule": "0 9 * * *",
      "enabled": true },
    { "name": "weekly-report", "prompt": "Write the weekly report.", "schedule": "30 17 * * FRI",
      "enabled": false }
  ],
  "routes": []
})json";

TEST(ValidateManifest, AcceptsAPublishedTemplateShape) {
    ManifestCheck check = ValidateManifest(kTemplateManifest);
    ASSERT_TRUE(check.valid()) << check.errors[0];
    const Manifest& m = *check.manifest;
    EXPECT_EQ(m.engine, "openclaw");
    EXPECT_EQ(m.agent.name, "Ledger Keeper");
    EXPECT_EQ(m.agent.description, "Keeps the books.\nReconciles every morning.");
    EXPECT_EQ(m.agent.vibe, "careful, numerate, never rounds");
    EXPECT_EQ(m.agent.emoji, "🧾");
    EXPECT_EQ(m.model, "anthropic/claude-sonnet-4-6");

    ASSERT_TRUE(m.templateInfo.has_value());
    const ManifestTemplate& t = *m.templateInfo;
    EXPECT_EQ(t.slug, "ledger-keeper");
    EXPECT_EQ(t.category, "actions & transactions");
    EXPECT_EQ(t.tags, (std::vector<std::string>{"ledger", "finance", "csv"}));
    EXPECT_EQ(t.authorName, "Pinfold");
    EXPECT_EQ(t.authorUrl, "https://example.org/ledger");
    EXPECT_EQ(t.authorLogoUrl, "https://example.org/logo.png");
    EXPECT_FALSE(t.paid.has_value());

    ASSERT_EQ(m.secrets.size(), 2u);
    EXPECT_EQ(m.secrets[0].name, "LEDGER_API_KEY");
    EXPECT_EQ(m.secrets[0].description, "Read key for the ledger");
    EXPECT_TRUE(m.secrets[0].required);
    EXPECT_EQ(m.secrets[1].name, "LEDGER_URL");
    EXPECT_FALSE(m.secrets[1].description.has_value());
    EXPECT_FALSE(m.secrets[1].required);

    ASSERT_EQ(m.skills.size(), 2u);
    EXPECT_EQ(m.skills[0].name, "@pinata/api");
    EXPECT_EQ(m.skills[0].ref, "@pinata/api");
    EXPECT_FALSE(m.skills[0].isCid);
    EXPECT_EQ(m.skills[1].ref, kEmptyFolderCidV0);
    EXPECT_EQ(m.skills[1].name, kEmptyFolderCidV0);
    EXPECT_TRUE(m.skills[1].isCid);

    EXPECT_EQ(m.scripts.build, "bash setup.sh");
    EXPECT_EQ(m.scripts.start, "");

    ASSERT_EQ(m.tasks.size(), 2u);
    const ManifestTask& first = m.tasks[0];
    EXPECT_EQ(first.name, "morning-reconcile");
    EXPECT_EQ(first.schedule.kind, "cron");
    EXPECT_EQ(first.schedule.expr, "0 9 * * *");
    EXPECT_FALSE(first.schedule.tz.has_value());
    EXPECT_FALSE(first.schedule.everyMs.has_value());
    EXPECT_EQ(first.payload.kind, "agentTurn");
    EXPECT_EQ(first.payload.text, "Reconcile yesterday.");
    EXPECT_FALSE(first.payload.model.has_value());
    EXPECT_EQ(first.deliveryJson, "");
    EXPECT_TRUE(first.enabled);
    EXPECT_EQ(m.tasks[1].schedule.expr, "30 17 * * FRI");
    EXPECT_EQ(m.tasks[1].payload.text, "Write the weekly report.");
    EXPECT_FALSE(m.tasks[1].enabled);

    EXPECT_TRUE(m.routes.empty());
    EXPECT_EQ(m.channelsJson, "");
}

// The form the docs describe: structured tasks, skill objects, routes, channels, author* fields.
constexpr const char* kDocsManifest = R"json({
  "version": 1,
  "engine": "hermes",
  "agent": { "name": "Social Bot" },
  "model": "openrouter/deepseek/deepseek-v4",
  "skills": [
    { "clawhub_slug": "@pinata/memory-salience", "name": "Memory Salience" },
    { "cid": "bafybeicglyjdb6wrrcbfyu6i2fe4lpxdxgvfvlht7yzdim7cvwt656whue" },
    { "clawhub_slug": "crossmint/lobstercash", "name": "" }
  ],
  "tasks": [
    { "name": "check-in",
      "schedule": { "kind": "cron", "expr": "0 9 * * 1-5", "tz": "America/Los_Angeles",
                    "staggerMs": 30000 },
      "payload": { "kind": "agentTurn", "text": "Summarize yesterday.", "model": "openai/gpt-5",
                   "thinking": "low", "timeoutSeconds": 600 },
      "delivery": { "mode": "announce", "channel": "telegram", "to": "123" },
      "sessionTarget": "isolated", "wakeMode": "next-heartbeat" },
    { "name": "poll", "schedule": { "kind": "every", "everyMs": 60000 },
      "payload": { "kind": "systemEvent", "message": "poll now" } },
    { "name": "launch", "enabled": false,
      "schedule": { "kind": "at", "at": "2026-07-01T09:30:00.250+02:00" },
      "payload": { "text": "Launch." } }
  ],
  "routes": [
    { "port": 5173, "path": "/app" },
    { "port": 3000, "path": "/api", "protected": true }
  ],
  "channels": {
    "telegram": { "botToken": "env:TELEGRAM_BOT_TOKEN", "dmPolicy": "pairing",
                  "allowFrom": ["123456789", 42] },
    "slack": { "botToken": "env:SLACK_BOT_TOKEN", "appToken": "env:SLACK_APP_TOKEN" },
    "discord": null
  },
  "template": { "slug": "social-bot-2", "authorName": "Ada", "partnerName": "Old Name",
                "paid": { "amount": "1.50", "currency": "USDC" } }
})json";

TEST(ValidateManifest, AcceptsTheDocumentedForms) {
    ManifestCheck check = ValidateManifest(kDocsManifest);
    ASSERT_TRUE(check.valid()) << check.errors[0];
    const Manifest& m = *check.manifest;
    EXPECT_EQ(m.engine, "hermes");
    EXPECT_EQ(m.model, "openrouter/deepseek/deepseek-v4");

    ASSERT_EQ(m.skills.size(), 3u);
    EXPECT_EQ(m.skills[0].name, "Memory Salience");
    EXPECT_EQ(m.skills[0].ref, "@pinata/memory-salience");
    EXPECT_FALSE(m.skills[0].isCid);
    EXPECT_EQ(m.skills[1].name, kSkillCid);
    EXPECT_EQ(m.skills[1].ref, kSkillCid);
    EXPECT_TRUE(m.skills[1].isCid);
    EXPECT_EQ(m.skills[2].name, "crossmint/lobstercash");

    ASSERT_EQ(m.tasks.size(), 3u);
    const ManifestTask& cron = m.tasks[0];
    EXPECT_EQ(cron.schedule.kind, "cron");
    EXPECT_EQ(cron.schedule.expr, "0 9 * * 1-5");
    EXPECT_EQ(cron.schedule.tz, "America/Los_Angeles");
    EXPECT_EQ(cron.schedule.staggerMs, 30000);
    EXPECT_EQ(cron.payload.kind, "agentTurn");
    EXPECT_EQ(cron.payload.text, "Summarize yesterday.");
    EXPECT_EQ(cron.payload.model, "openai/gpt-5");
    EXPECT_EQ(cron.payload.thinking, "low");
    EXPECT_EQ(cron.payload.timeoutSeconds, 600);
    EXPECT_EQ(cron.deliveryJson, R"({"mode":"announce","channel":"telegram","to":"123"})");
    EXPECT_EQ(cron.sessionTarget, "isolated");
    EXPECT_EQ(cron.wakeMode, "next-heartbeat");
    EXPECT_TRUE(cron.enabled);

    const ManifestTask& every = m.tasks[1];
    EXPECT_EQ(every.schedule.kind, "every");
    EXPECT_EQ(every.schedule.everyMs, 60000);
    EXPECT_EQ(every.schedule.expr, "");
    EXPECT_EQ(every.payload.kind, "systemEvent");
    EXPECT_EQ(every.payload.text, "poll now");
    EXPECT_FALSE(every.sessionTarget.has_value());

    const ManifestTask& at = m.tasks[2];
    EXPECT_EQ(at.schedule.kind, "at");
    EXPECT_EQ(at.schedule.at, "2026-07-01T09:30:00.250+02:00");
    EXPECT_EQ(at.payload.kind, "agentTurn");
    EXPECT_EQ(at.payload.text, "Launch.");
    EXPECT_FALSE(at.enabled);

    ASSERT_EQ(m.routes.size(), 2u);
    EXPECT_EQ(m.routes[0].port, 5173);
    EXPECT_EQ(m.routes[0].path, "/app");
    EXPECT_FALSE(m.routes[0].isProtected);
    EXPECT_EQ(m.routes[1].port, 3000);
    EXPECT_EQ(m.routes[1].path, "/api");
    EXPECT_TRUE(m.routes[1].isProtected);

    EXPECT_EQ(m.channelsJson,
              R"({"telegram":{"botToken":"env:TELEGRAM_BOT_TOKEN","dmPolicy":"pairing",)"
              R"("allowFrom":["123456789",42]},"slack":{"botToken":"env:SLACK_BOT_TOKEN",)"
              R"("appToken":"env:SLACK_APP_TOKEN"},"discord":null})");

    ASSERT_TRUE(m.templateInfo.has_value());
    EXPECT_EQ(m.templateInfo->slug, "social-bot-2");
    EXPECT_EQ(m.templateInfo->authorName, "Ada");  // author* wins over partner*
    EXPECT_FALSE(m.templateInfo->category.has_value());
    EXPECT_TRUE(m.templateInfo->tags.empty());
    ASSERT_TRUE(m.templateInfo->paid.has_value());
    EXPECT_EQ(m.templateInfo->paid->amount, "1.50");
    EXPECT_EQ(m.templateInfo->paid->currency, "USDC");
}

TEST(ValidateManifest, IgnoresUnknownKeysAndTreatsNullAsAbsent) {
    EXPECT_EQ(Errors(R"({"version": 1, "agent": {"name": "A", "color": "red"},
                         "futureField": {"x": [1]}, "model": null, "skills": null,
                         "tasks": [{"name": "t", "prompt": "p", "schedule": "@daily",
                                    "enabled": null, "retries": 3}]})"),
              "valid");
}

TEST(ValidateManifest, ChecksVersionAndEngine) {
    EXPECT_EQ(Errors(R"({"agent": {"name": "A"}})"), "version is required");
    EXPECT_EQ(Errors(R"({"version": 2, "agent": {"name": "A"}})"), "version must be 1");
    EXPECT_EQ(Errors(R"({"version": "1", "agent": {"name": "A"}})"), "version must be 1");
    EXPECT_EQ(Errors(R"({"version": 1.0, "agent": {"name": "A"}})"), "valid");
    EXPECT_EQ(Errors(R"({"version": 1.5, "agent": {"name": "A"}})"), "version must be 1");
    EXPECT_EQ(Errors(With(R"("engine": "docker")")), "engine must be openclaw or hermes");
    EXPECT_EQ(Errors(With(R"("engine": 1)")), "engine must be a string");
}

TEST(ValidateManifest, ChecksTheAgentInCharactersNotBytes) {
    EXPECT_EQ(Errors(R"({"version": 1})"), "agent is required");
    EXPECT_EQ(Errors(R"({"version": 1, "agent": "Bob"})"), "agent must be an object");
    EXPECT_EQ(Errors(R"({"version": 1, "agent": {}})"), "agent.name is required");
    EXPECT_EQ(Errors(R"({"version": 1, "agent": {"name": 7}})"), "agent.name must be a string");
    EXPECT_EQ(Errors(R"({"version": 1, "agent": {"name": ""}})"),
              "agent.name must be 1-100 characters");
    EXPECT_EQ(Errors(R"({"version": 1, "agent": {"name": "  "}})"),
              "agent.name must be 1-100 characters");
    auto agent = [](const std::string& field, const std::string& value) {
        return R"({"version": 1, "agent": {"name": "A", ")" + field + R"(": ")" + value + "\"}}";
    };
    std::string lobsters100;
    for (int i = 0; i < 100; ++i)
        lobsters100 += "🦞";  // 4 bytes each: 400 bytes, 100 characters
    EXPECT_EQ(Errors(R"({"version": 1, "agent": {"name": ")" + lobsters100 + "\"}}"), "valid");
    EXPECT_EQ(Errors(R"({"version": 1, "agent": {"name": ")" + lobsters100 + "x\"}}"),
              "agent.name must be 1-100 characters");
    EXPECT_EQ(Errors(agent("description", std::string(10000, 'd'))), "valid");
    EXPECT_EQ(Errors(agent("description", std::string(10001, 'd'))),
              "agent.description must be at most 10000 characters");
    EXPECT_EQ(Errors(agent("vibe", std::string(200, 'v'))), "valid");
    EXPECT_EQ(Errors(agent("vibe", std::string(201, 'v'))),
              "agent.vibe must be at most 200 characters");
    EXPECT_EQ(Errors(agent("vibe", "calm\\nand\\ncollected")),
              "agent.vibe must not contain control characters");
    EXPECT_EQ(Errors(agent("emoji", std::string(32, 'e'))), "valid");
    EXPECT_EQ(Errors(agent("emoji", std::string(33, 'e'))),
              "agent.emoji must be at most 32 characters");
    EXPECT_EQ(Errors(R"({"version": 1, "agent": {"name": "A\tB", "emoji": 5}})"),
              "agent.name must not contain control characters\nagent.emoji must be a string");
}

TEST(ValidateManifest, ChecksTheModel) {
    EXPECT_EQ(Errors(With(R"("model": "claude")")), "model must have the form provider/model");
    EXPECT_EQ(Errors(With(R"("model": "/claude")")), "model must have the form provider/model");
    EXPECT_EQ(Errors(With(R"("model": "anthropic/")")), "model must have the form provider/model");
    EXPECT_EQ(Errors(With(R"("model": "anthropic/claude sonnet")")),
              "model must have the form provider/model");
    EXPECT_EQ(Errors(With(R"("model": 5)")), "model must be a string or an object");
    EXPECT_EQ(Errors(With(R"("model": {})")), "model.primary is required");
    EXPECT_EQ(Errors(With(R"("model": {"primary": 5})")), "model.primary must be a string");
    EXPECT_EQ(Errors(With(R"("model": {"primary": "x"})")),
              "model.primary must have the form provider/model");
    EXPECT_EQ(Errors(With(R"("model": {"primary": "a/b", "fallbacks": ["c/d"]})")), "valid");
}

TEST(ValidateManifest, ChecksSecrets) {
    EXPECT_EQ(Errors(With(R"("secrets": {})")), "secrets must be an array");
    EXPECT_EQ(Errors(With(R"("secrets": ["API_KEY"])")), "secrets[0] must be an object");
    EXPECT_EQ(Errors(With(R"("secrets": [{"description": "x"}])")), "secrets[0].name is required");
    EXPECT_EQ(Errors(With(R"("secrets": [{"name": "_OK_1"}, {"name": "1ST"}, {"name": "A-B"},
                                         {"name": ""}])")),
              "secrets[1].name must be an environment variable name like MY_API_KEY\n"
              "secrets[2].name must be an environment variable name like MY_API_KEY\n"
              "secrets[3].name must be an environment variable name like MY_API_KEY");
    EXPECT_EQ(Errors(With(R"("secrets": [{"name": "A", "required": "yes", "description": 1}])")),
              "secrets[0].description must be a string\nsecrets[0].required must be a boolean");
}

TEST(ValidateManifest, ChecksSkills) {
    std::string ten = Repeat(R"("@pinata/api")", 10);
    EXPECT_EQ(Errors(With(R"("skills": [)" + ten + "]")), "valid");
    EXPECT_EQ(Errors(With(R"("skills": [)" + ten + R"(, "@pinata/api"])")),
              "skills must have at most 10 entries");
    EXPECT_EQ(Errors(With(R"("skills": "@pinata/api")")), "skills must be an array");
    EXPECT_EQ(Errors(With(R"("skills": ["@a/b", "c/d",
        {"name": "x", "clawhub_slug": "@pinata/api", "cid": ")" +
                          std::string(kSkillCid) + R"("}, {"name": "y"}, 7, "pinata",
        "@pinata", "@../x", {"clawhub_slug": "no slug"}, {"cid": "bafynotacid"}])")),
              "skills[2] must have either clawhub_slug or cid, not both\n"
              "skills[3] must have clawhub_slug or cid\n"
              "skills[4] must be a string or an object\n"
              "skills[5] must be a ClawHub slug like @owner/name or a CID\n"
              "skills[6] must be a ClawHub slug like @owner/name or a CID\n"
              "skills[7] must be a ClawHub slug like @owner/name or a CID\n"
              "skills[8].clawhub_slug must be a ClawHub slug like @owner/name\n"
              "skills[9].cid must be a valid CID");
    EXPECT_EQ(Errors(With(R"("skills": [{"cid": 5, "name": true}])")),
              "skills[0].name must be a string\nskills[0].cid must be a string");
}

TEST(ValidateManifest, ChecksTaskCountsAndSchedules) {
    std::string task = R"({"name": "t", "prompt": "p", "schedule": "0 * * * *"})";
    EXPECT_EQ(Errors(With(R"("tasks": [)" + Repeat(task, 20) + "]")), "valid");
    EXPECT_EQ(Errors(With(R"("tasks": [)" + Repeat(task, 21) + "]")),
              "tasks must have at most 20 entries");

    auto legacy = [](const std::string& schedule) {
        return With(R"("tasks": [{"name": "t", "prompt": "p", "schedule": ")" + schedule + "\"}]");
    };
    EXPECT_EQ(Errors(legacy("*/5 * * * *")), "valid");
    EXPECT_EQ(Errors(legacy("0 0 1,15 JAN-JUN MON#2")), "valid");
    EXPECT_EQ(Errors(legacy("* * * * * *")),
              "tasks[0].schedule must have 5 fields; a seconds field would allow runs more "
              "often than once a minute");
    EXPECT_EQ(Errors(legacy("0 9 * *")),
              "tasks[0].schedule must have 5 fields (minute hour day month weekday)");
    EXPECT_EQ(Errors(legacy("")),
              "tasks[0].schedule must have 5 fields (minute hour day month weekday)");
    EXPECT_EQ(Errors(legacy("0 9 * * $(reboot)")),
              "tasks[0].schedule may contain only digits, names and * , - / ? #");
    EXPECT_EQ(Errors(legacy("@reboot")),
              "tasks[0].schedule must be a cron macro (@hourly, @daily, @weekly, @monthly, "
              "@yearly) or 5 fields");

    auto structured = [](const std::string& schedule) {
        return With(R"("tasks": [{"name": "t", "payload": {"text": "p"}, "schedule": )" + schedule +
                    "}]");
    };
    EXPECT_EQ(Errors(structured(R"({"kind": "every", "everyMs": 59999})")),
              "tasks[0].schedule runs more often than once a minute");
    EXPECT_EQ(Errors(structured(R"({"kind": "every", "everyMs": -1})")),
              "tasks[0].schedule runs more often than once a minute");
    EXPECT_EQ(Errors(structured(R"({"kind": "every", "everyMs": "60000"})")),
              "tasks[0].schedule.everyMs must be an integer");
    EXPECT_EQ(Errors(structured(R"({"kind": "every"})")), "tasks[0].schedule.everyMs is required");
    EXPECT_EQ(Errors(structured(R"({"kind": "every", "everyMs": 60000, "staggerMs": -5})")),
              "tasks[0].schedule.staggerMs must not be negative");
    EXPECT_EQ(Errors(structured(R"({"kind": "cron", "expr": "0 0 9 * * *"})")),
              "tasks[0].schedule.expr must have 5 fields; a seconds field would allow runs more "
              "often than once a minute");
    EXPECT_EQ(Errors(structured(R"({"kind": "cron"})")), "tasks[0].schedule.expr is required");
    EXPECT_EQ(Errors(structured(R"({"kind": "cron", "expr": "0 9 * * *", "tz": "Mars Base"})")),
              "tasks[0].schedule.tz must be an IANA time zone name like Europe/Berlin");
    EXPECT_EQ(Errors(structured(R"({"kind": "at", "at": "tomorrow at nine"})")),
              "tasks[0].schedule.at must be an ISO-8601 date and time like 2026-07-01T09:00:00Z");
    EXPECT_EQ(Errors(structured(R"({"kind": "at"})")), "tasks[0].schedule.at is required");
    EXPECT_EQ(Errors(structured(R"({"kind": "hourly"})")),
              "tasks[0].schedule.kind must be cron, every or at");
    EXPECT_EQ(Errors(structured(R"({"expr": "0 9 * * *"})")), "tasks[0].schedule.kind is required");
    EXPECT_EQ(Errors(structured("5")), "tasks[0].schedule must be a string or an object");
}

TEST(ValidateManifest, ChecksTaskFields) {
    auto tasks = [](const std::string& items) { return With(R"("tasks": [)" + items + "]"); };
    EXPECT_EQ(Errors(tasks(R"("daily")")), "tasks[0] must be an object");
    EXPECT_EQ(Errors(tasks(R"({"prompt": "p", "schedule": "0 9 * * *"})")),
              "tasks[0].name is required");
    EXPECT_EQ(Errors(tasks(R"({"name": " ", "prompt": "p", "schedule": "0 9 * * *"})")),
              "tasks[0].name must not be empty");
    EXPECT_EQ(Errors(tasks(R"({"name": "t", "prompt": "p"})")), "tasks[0].schedule is required");
    EXPECT_EQ(Errors(tasks(R"({"name": "t", "schedule": "0 9 * * *"})")),
              "tasks[0].prompt is required");
    EXPECT_EQ(Errors(tasks(R"({"name": "t", "prompt": "", "schedule": "0 9 * * *"})")),
              "tasks[0].prompt must not be empty");
    EXPECT_EQ(Errors(tasks(R"({"name": "t", "schedule": {"kind": "every", "everyMs": 60000}})")),
              "tasks[0].payload is required");
    std::string every = R"("schedule": {"kind": "every", "everyMs": 60000})";
    EXPECT_EQ(Errors(tasks(R"({"name": "t", "payload": "hi", )" + every + "}")),
              "tasks[0].payload must be an object");
    EXPECT_EQ(
        Errors(tasks(R"({"name": "t", "payload": {"kind": "chat", "text": ""}, )" + every + "}")),
        "tasks[0].payload.kind must be agentTurn or systemEvent\n"
        "tasks[0].payload.text is required");
    EXPECT_EQ(Errors(tasks(R"({"name": "t", "payload": {"text": "p", "timeoutSeconds": 0,
                                "thinking": 1}, )" +
                           every + "}")),
              "tasks[0].payload.thinking must be a string\n"
              "tasks[0].payload.timeoutSeconds must be at least 1");
    EXPECT_EQ(Errors(tasks(R"({"name": "t", "prompt": "p", "schedule": "0 9 * * *",
                               "enabled": "yes", "sessionTarget": "side", "wakeMode": "later",
                               "delivery": {"mode": "email", "bestEffort": "no"}})")),
              "tasks[0].sessionTarget must be main or isolated\n"
              "tasks[0].wakeMode must be now or next-heartbeat\n"
              "tasks[0].delivery.mode must be none, announce or webhook\n"
              "tasks[0].delivery.bestEffort must be a boolean\n"
              "tasks[0].enabled must be a boolean");
    EXPECT_EQ(Errors(tasks(R"({"name": "t", "prompt": "p", "schedule": "0 9 * * *",
                               "delivery": "announce"})")),
              "tasks[0].delivery must be an object");
}

TEST(ValidateManifest, ChecksRoutes) {
    std::string route = R"({"port": 5173, "path": "/app"})";
    std::string ten;
    for (int i = 0; i < 10; ++i)
        ten +=
            std::string(i ? "," : "") + R"({"port": 5173, "path": "/p)" + std::to_string(i) + "\"}";
    EXPECT_EQ(Errors(With(R"("routes": [)" + ten + "]")), "valid");
    EXPECT_EQ(Errors(With(R"("routes": [)" + ten + "," + route + "]")),
              "routes must have at most 10 entries");
    EXPECT_EQ(Errors(With(R"("routes": [{"port": 1025, "path": "/"},
                                        {"port": 65535, "path": "/b"}])")),
              "valid");
    EXPECT_EQ(Errors(With(R"("routes": [{"port": 18789, "path": "/a"}, {"port": 1024, "path": "/b"},
                                        {"port": 65536, "path": "/c"}, {"port": 80.5, "path": "/d"},
                                        {"port": "5173", "path": "/e"}, {"path": "/f"}])")),
              "routes[0].port must be 1025-65535 and not 18789\n"
              "routes[1].port must be 1025-65535 and not 18789\n"
              "routes[2].port must be 1025-65535 and not 18789\n"
              "routes[3].port must be an integer\n"
              "routes[4].port must be an integer\n"
              "routes[5].port is required");
    EXPECT_EQ(Errors(With(R"("routes": [{"port": 3000, "path": "app"}, {"port": 3000},
                                        {"port": 3000, "path": "/x", "protected": "no"},
                                        {"port": 3001, "path": "/x"}, "/y"])")),
              "routes[0].path must start with /\n"
              "routes[1].path is required\n"
              "routes[2].protected must be a boolean\n"
              "routes[3].path is already used by routes[2]\n"
              "routes[4] must be an object");
}

TEST(ValidateManifest, ChecksChannelsLightly) {
    EXPECT_EQ(Errors(With(R"("channels": [])")), "channels must be an object");
    EXPECT_EQ(Errors(With(R"("channels": {"telegarm": {}, "telegram": "token",
                                          "whatsapp": {"dmPolicy": "maybe",
                                                       "allowFrom": ["+1555", 1.5, {}]},
                                          "slack": {"botToken": 1, "enabled": "yes"},
                                          "discord": {"allowFrom": "all"}})")),
              "channels.telegarm is not a supported channel (telegram, slack, discord, whatsapp)\n"
              "channels.telegram must be an object\n"
              "channels.whatsapp.dmPolicy must be open, pairing or closed\n"
              "channels.whatsapp.allowFrom[1] must be a string or an integer\n"
              "channels.whatsapp.allowFrom[2] must be a string or an integer\n"
              "channels.slack.botToken must be a string\n"
              "channels.slack.enabled must be a boolean\n"
              "channels.discord.allowFrom must be an array");
    ManifestCheck check = ValidateManifest(With(R"("channels": {})"));
    ASSERT_TRUE(check.valid());
    EXPECT_EQ(check.manifest->channelsJson, "{}");
}

TEST(ValidateManifest, ChecksTemplateMetadata) {
    auto tmpl = [](const std::string& fields) { return With(R"("template": {)" + fields + "}"); };
    EXPECT_EQ(Errors(With(R"("template": "x")")), "template must be an object");
    EXPECT_EQ(Errors(tmpl(R"("slug": "My Slug")")),
              "template.slug must be lowercase letters, digits and hyphens");
    EXPECT_EQ(Errors(tmpl(R"("slug": "")")), "template.slug must be 1-100 characters");
    EXPECT_EQ(Errors(tmpl(R"("slug": ")" + std::string(101, 's') + "\"")),
              "template.slug must be 1-100 characters");
    EXPECT_EQ(Errors(tmpl(R"("tags": [)" + Repeat(R"("t")", 20) + "]")), "valid");
    EXPECT_EQ(Errors(tmpl(R"("tags": [)" + Repeat(R"("t")", 21) + "]")),
              "template.tags must have at most 20 entries");
    EXPECT_EQ(Errors(tmpl(R"("tags": ["a", 1], "category": [])")),
              "template.category must be a string\ntemplate.tags[1] must be a string");
    EXPECT_EQ(Errors(tmpl(R"("partnerUrl": "ftp://example.org", "authorLogoUrl": "logo.png")")),
              "template.partnerUrl must be an http or https URL\n"
              "template.authorLogoUrl must be an http or https URL");
    EXPECT_EQ(Errors(tmpl(R"("paid": {"amount": "0.00"})")),
              "template.paid.amount must be a positive decimal like \"1.00\"");
    EXPECT_EQ(Errors(tmpl(R"("paid": {"amount": 1})")), "template.paid.amount must be a string");
    EXPECT_EQ(Errors(tmpl(R"("paid": {"currency": "ETH"})")),
              "template.paid.amount is required\ntemplate.paid.currency must be USDC");
    for (const char* amount : {"1", "0.5", "1.000001", "999999999999"})
        EXPECT_EQ(Errors(tmpl(R"("paid": {"amount": ")" + std::string(amount) + "\"}")), "valid")
            << amount;
    for (const char* amount : {"1.", ".5", "1.0000001", "-1", "1e3", "1,00"})
        EXPECT_NE(Errors(tmpl(R"("paid": {"amount": ")" + std::string(amount) + "\"}")), "valid")
            << amount;
}

TEST(ValidateManifest, ListsEveryErrorInFieldOrder) {
    std::vector<std::string> expected = {
        "version must be 1",
        "agent.name must be 1-100 characters",
        "agent.vibe must be at most 200 characters",
        "skills[2] must have either clawhub_slug or cid, not both",
        "tasks[0].schedule must have 5 fields (minute hour day month weekday)",
        "tasks[1].schedule runs more often than once a minute",
        "routes[0].port must be 1025-65535 and not 18789",
        "template.slug must be lowercase letters, digits and hyphens",
    };
    ManifestCheck check = ValidateManifest(R"({
      "template": {"slug": "Bad_Slug"},
      "routes": [{"port": 18789, "path": "/"}],
      "tasks": [{"name": "a", "prompt": "p", "schedule": "daily"},
                {"name": "b", "schedule": {"kind": "every", "everyMs": 1000},
                 "payload": {"kind": "systemEvent", "message": "tick"}}],
      "skills": ["@pinata/api", "@pinata/erc-8004", {"clawhub_slug": "@a/b", "cid": "x"}],
      "agent": {"name": "", "vibe": ")" + std::string(201, 'v') +
                                           R"("},
      "version": 2
    })");
    EXPECT_EQ(check.errors, expected);
    EXPECT_FALSE(check.manifest.has_value());
}

TEST(ValidateManifest, StopsListingAfterAHundredErrors) {
    ManifestCheck check =
        ValidateManifest(With(R"("secrets": [)" + Repeat(R"({"name": "1"})", 150) + "]"));
    ASSERT_EQ(check.errors.size(), kMaxManifestErrors + 1);
    EXPECT_EQ(check.errors[0],
              "secrets[0].name must be an environment variable name like MY_API_KEY");
    EXPECT_EQ(check.errors[99],
              "secrets[99].name must be an environment variable name like MY_API_KEY");
    EXPECT_EQ(check.errors[100], "and 50 more errors");
}

TEST(ValidateManifest, RejectsWhatIsNotAJsonObject) {
    EXPECT_EQ(Errors(""), "manifest.json is not valid JSON: incomplete JSON at line 1, column 1");
    EXPECT_EQ(Errors("{\n  \"version\": 1,\n  oops\n}"),
              "manifest.json is not valid JSON: syntax error at line 3, column 3");
    EXPECT_EQ(Errors(R"({"version": 1, "agent": {"name": "A"},})"),
              "manifest.json is not valid JSON: syntax error at line 1, column 39");
    EXPECT_EQ(Errors(R"({"version": 1} {})"),
              "manifest.json is not valid JSON: extra data at line 1, column 16");
    EXPECT_EQ(Errors("[]"), "manifest.json must be a JSON object");
    EXPECT_EQ(Errors("1"), "manifest.json must be a JSON object");
    EXPECT_EQ(Errors("\xff\xfe{}"), "manifest.json is not valid JSON: it is not UTF-8 text");
    EXPECT_EQ(Errors(R"({"version": 1, "agent": {"name": ")"
                     "\xc3\x28"
                     "\"}}"),
              "manifest.json is not valid JSON: it is not UTF-8 text");
    EXPECT_EQ(Errors(std::string("{\"version\": 1, \0 }", 18)),
              "manifest.json is not valid JSON: syntax error at line 1, column 16");
    // A lone surrogate escape would decode to bytes that are not UTF-8.
    EXPECT_EQ(Errors(R"({"version": 1, "agent": {"name": "\ud800"}})"),
              "manifest.json is not valid JSON: syntax error at line 1, column 41");
    EXPECT_EQ(Errors(std::string(100, '[') + std::string(100, ']')),
              "manifest.json is not valid JSON: too deep at line 1, column 33");
    EXPECT_EQ(Errors("\xEF\xBB\xBF{\"version\": 1, \"agent\": {\"name\": \"BOM\"}}"), "valid");
}

TEST(ValidateManifest, RefusesAnOversizeManifestWithoutParsingIt) {
    std::string docs = R"("_docs": ")" + std::string(kMaxManifestBytes - 100, 'd') + "\"";
    EXPECT_EQ(Errors(With(docs)), "valid");
    std::string huge = With(R"("_docs": ")" + std::string(5 << 20, 'd') + "\"");
    EXPECT_EQ(Errors(huge), "manifest.json must be at most 1 MiB");
    EXPECT_EQ(Errors(std::string(5 << 20, '[')), "manifest.json must be at most 1 MiB");
}

TEST(CronExpressionProblem, ChecksOnlyTheShape) {
    EXPECT_EQ(CronExpressionProblem("0 9 * * *"), "");
    EXPECT_EQ(CronExpressionProblem("  */15\t9-17 * * MON-FRI  "), "");
    EXPECT_EQ(CronExpressionProblem("0 0 L * ?"), "");
    EXPECT_EQ(CronExpressionProblem("@hourly"), "");
    EXPECT_EQ(CronExpressionProblem("@annually"), "");
    EXPECT_EQ(CronExpressionProblem("0 9 * * * 2026"),
              "must have 5 fields; a seconds field would allow runs more often than once a "
              "minute");
    EXPECT_EQ(CronExpressionProblem("0 9 * * * * *"),
              "must have 5 fields (minute hour day month weekday)");
    EXPECT_EQ(CronExpressionProblem("0 9 * * ;"), "may contain only digits, names and * , - / ? #");
    EXPECT_EQ(CronExpressionProblem("0 9 * * *\n"), "");  // trailing whitespace is trimmed
    EXPECT_EQ(CronExpressionProblem("0 9\n* * *"),
              "may contain only digits, names and * , - / ? #");
}

TEST(IsIsoDateTime, AcceptsIsoTimesAndRejectsTheRest) {
    for (const char* ok :
         {"2026-07-01T09:00:00Z", "2026-07-01T09:00Z", "2026-07-01T09:00", "2026-07-01t09:00:00z",
          "2026-07-01 09:00:00+02:00", "2026-07-01T09:00:00.123456-0530", "2028-02-29T00:00:00Z",
          "2000-02-29T23:59:59+23:59"}) {
        EXPECT_TRUE(IsIsoDateTime(ok)) << ok;
    }
    for (const char* bad :
         {"", "2026-07-01", "2026-7-1T09:00Z", "2026-13-01T09:00Z", "2026-02-29T09:00Z",
          "1900-02-29T09:00Z", "2026-04-31T09:00Z", "2026-07-01T24:00Z", "2026-07-01T09:60Z",
          "2026-07-01T09:00:60Z", "2026-07-01T09:00:00.Z", "2026-07-01T09:00:00+2",
          "2026-07-01T09:00:00+24:00", "2026-07-01T09:00:00Zjunk", "2026-07-01T09:00:00 UTC",
          "1783000000000"}) {
        EXPECT_FALSE(IsIsoDateTime(bad)) << bad;
    }
}

// --- ValidateTemplateFolder ---

void WriteFile(const std::string& path, const std::string& content) {
    std::ofstream(path, std::ios::binary) << content;
}

// A folder that passes: manifest.json, README.md, workspace/.
void MakeTemplate(const TempDir& dir) {
    WriteFile(dir.file("manifest.json"), kTemplateManifest);
    WriteFile(dir.file("README.md"), "# Ledger Keeper\n\nKeeps the books.\n");
    ASSERT_EQ(::mkdir(dir.file("workspace").c_str(), 0755), 0);
    WriteFile(dir.file("workspace/SOUL.md"), "careful\n");
}

TEST(ValidateTemplateFolder, ReturnsTheManifestReadmeAndFiles) {
    TempDir dir;
    MakeTemplate(dir);
    WriteFile(dir.file("setup.sh"), "echo setup\n");
    ASSERT_EQ(::mkdir(dir.file("workspace/skills").c_str(), 0755), 0);
    ASSERT_EQ(::mkdir(dir.file("workspace/skills/a").c_str(), 0755), 0);
    WriteFile(dir.file("workspace/skills/a/SKILL.md"), "---\nname: a\n---\n");
    ASSERT_EQ(::mkdir(dir.file("workspace/empty").c_str(), 0755), 0);
    ASSERT_EQ(::symlink("/etc", dir.file("workspace/etc").c_str()), 0);  // listed, not followed
    ASSERT_EQ(::mkdir(dir.file(".git").c_str(), 0755), 0);
    WriteFile(dir.file(".git/config"), "[core]\n");
    ASSERT_EQ(::mkdir(dir.file("workspace/skills/a/.git").c_str(), 0755), 0);
    WriteFile(dir.file("workspace/skills/a/.git/HEAD"), "ref\n");
    WriteFile(dir.file(".gitignore"), "node_modules\n");
    ASSERT_EQ(::mkfifo(dir.file("workspace/pipe").c_str(), 0644), 0);  // neither file nor folder

    Result<TemplateFolderCheck> check = ValidateTemplateFolder(dir.path());
    ASSERT_TRUE(check.ok()) << check.status().ToString();
    EXPECT_EQ(check->errors, std::vector<std::string>{});
    EXPECT_TRUE(check->valid());
    ASSERT_TRUE(check->manifest.has_value());
    EXPECT_EQ(check->manifest->agent.name, "Ledger Keeper");
    EXPECT_EQ(check->manifestText, kTemplateManifest);
    EXPECT_EQ(check->readme, "# Ledger Keeper\n\nKeeps the books.\n");
    EXPECT_EQ(check->files,
              (std::vector<std::string>{".gitignore", "README.md", "manifest.json", "setup.sh",
                                        "workspace/SOUL.md", "workspace/etc",
                                        "workspace/skills/a/SKILL.md"}));
    EXPECT_FALSE(check->filesTruncated);
}

TEST(ValidateTemplateFolder, NamesEachMissingPart) {
    TempDir dir;
    Result<TemplateFolderCheck> check = ValidateTemplateFolder(dir.path());
    ASSERT_TRUE(check.ok());
    EXPECT_EQ(check->errors,
              (std::vector<std::string>{"manifest.json is missing", "README.md is missing",
                                        "workspace/ is missing"}));
    EXPECT_FALSE(check->manifest.has_value());
    EXPECT_EQ(check->manifestText, "");
    EXPECT_TRUE(check->files.empty());

    MakeTemplate(dir);
    ASSERT_EQ(::unlink(dir.file("README.md").c_str()), 0);
    check = ValidateTemplateFolder(dir.path());
    ASSERT_TRUE(check.ok());
    EXPECT_EQ(check->errors, std::vector<std::string>{"README.md is missing"});
    EXPECT_TRUE(check->manifest.has_value());  // the manifest itself is fine
}

TEST(ValidateTemplateFolder, RefusesSymlinksAndOddFilesAtTheTop) {
    TempDir outside;
    WriteFile(outside.file("manifest.json"), R"({"version": 1, "agent": {"name": "X"}})");
    WriteFile(outside.file("README.md"), "secret readme\n");
    ASSERT_EQ(::mkdir(outside.file("ws").c_str(), 0755), 0);
    TempDir dir;
    ASSERT_EQ(::symlink(outside.file("manifest.json").c_str(), dir.file("manifest.json").c_str()),
              0);
    ASSERT_EQ(::symlink(outside.file("README.md").c_str(), dir.file("README.md").c_str()), 0);
    ASSERT_EQ(::symlink(outside.file("ws").c_str(), dir.file("workspace").c_str()), 0);

    Result<TemplateFolderCheck> check = ValidateTemplateFolder(dir.path());
    ASSERT_TRUE(check.ok());
    EXPECT_EQ(check->errors,
              (std::vector<std::string>{"manifest.json must not be a symlink",
                                        "README.md must not be a symlink",
                                        "workspace/ must be a folder, not a symlink"}));
    EXPECT_EQ(check->manifestText, "");
    EXPECT_EQ(check->readme, "");
    EXPECT_EQ(check->files, (std::vector<std::string>{"README.md", "manifest.json", "workspace"}));

    TempDir odd;
    ASSERT_EQ(::mkdir(odd.file("manifest.json").c_str(), 0755), 0);
    ASSERT_EQ(::mkfifo(odd.file("README.md").c_str(), 0644), 0);  // must not hang the open
    WriteFile(odd.file("workspace"), "a file");
    check = ValidateTemplateFolder(odd.path());
    ASSERT_TRUE(check.ok());
    EXPECT_EQ(check->errors, (std::vector<std::string>{"manifest.json must be a regular file",
                                                       "README.md must be a regular file",
                                                       "workspace/ must be a folder"}));
}

TEST(ValidateTemplateFolder, ReportsManifestErrorsFirst) {
    TempDir dir;
    MakeTemplate(dir);
    WriteFile(dir.file("manifest.json"), R"({"version": 2, "agent": {}})");
    ASSERT_EQ(::unlink(dir.file("workspace/SOUL.md").c_str()), 0);
    ASSERT_EQ(::rmdir(dir.file("workspace").c_str()), 0);
    Result<TemplateFolderCheck> check = ValidateTemplateFolder(dir.path());
    ASSERT_TRUE(check.ok());
    EXPECT_EQ(check->errors,
              (std::vector<std::string>{"version must be 1", "agent.name is required",
                                        "workspace/ is missing"}));
    EXPECT_EQ(check->manifestText, R"({"version": 2, "agent": {}})");
    EXPECT_FALSE(check->manifest.has_value());

    WriteFile(dir.file("manifest.json"), std::string(kMaxManifestBytes + 10, ' '));
    check = ValidateTemplateFolder(dir.path());
    ASSERT_TRUE(check.ok());
    EXPECT_EQ(check->errors[0], "manifest.json must be at most 1 MiB");
    EXPECT_EQ(check->manifestText.size(), kMaxManifestBytes + 1);  // read no further
}

TEST(ValidateTemplateFolder, CutsTheReadmeAndMakesItUtf8) {
    TempDir dir;
    MakeTemplate(dir);
    WriteFile(dir.file("README.md"), "bad \xff byte\n" + std::string(kMaxReadmeBytes, 'r'));
    Result<TemplateFolderCheck> check = ValidateTemplateFolder(dir.path());
    ASSERT_TRUE(check.ok());
    EXPECT_TRUE(check->valid());
    // 0xFF became U+FFFD (3 bytes) within the first kMaxReadmeBytes bytes read.
    EXPECT_EQ(check->readme.size(), kMaxReadmeBytes + 2);
    EXPECT_EQ(check->readme.substr(0, 15), "bad \xEF\xBF\xBD byte\nrr");
}

TEST(ValidateTemplateFolder, ListsAtMostTenThousandFiles) {
    TempDir dir;
    MakeTemplate(dir);
    ASSERT_EQ(::mkdir(dir.file("workspace/many").c_str(), 0755), 0);
    for (size_t i = 0; i < kMaxTemplateFiles; ++i)
        WriteFile(dir.file("workspace/many/" + std::to_string(i)), "");
    Result<TemplateFolderCheck> check = ValidateTemplateFolder(dir.path());
    ASSERT_TRUE(check.ok());
    EXPECT_TRUE(check->valid());  // a long list is not an error, only cut
    EXPECT_TRUE(check->filesTruncated);
    ASSERT_EQ(check->files.size(), kMaxTemplateFiles);
    EXPECT_TRUE(std::is_sorted(check->files.begin(), check->files.end()));
    EXPECT_EQ(check->files[0], "README.md");
}

TEST(ValidateTemplateFolder, FailsWhenTheFolderCannotBeOpened) {
    TempDir dir;
    Result<TemplateFolderCheck> missing = ValidateTemplateFolder(dir.file("nope"));
    ASSERT_FALSE(missing.ok());
    EXPECT_TRUE(missing.status().IsNotFound());
    EXPECT_EQ(missing.status().message(), dir.file("nope") + ": No such file or directory");
    WriteFile(dir.file("file"), "x");
    Result<TemplateFolderCheck> file = ValidateTemplateFolder(dir.file("file"));
    ASSERT_FALSE(file.ok());
    EXPECT_EQ(file.status().code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(file.status().message(), dir.file("file") + ": Not a directory");
}

}  // namespace
}  // namespace pinfold::services
