#include "http/agent_json.h"

#include <boost/json/array.hpp>

#include "core/clock.h"

namespace pinfold::http {
namespace {

boost::json::value OptionalText(const std::optional<std::string>& text) {
    if (!text)
        return nullptr;
    return boost::json::string(*text);
}

boost::json::value OptionalTime(const std::optional<int64_t>& epochMs) {
    if (!epochMs)
        return nullptr;
    return boost::json::string(FormatIso8601(*epochMs));
}

std::string_view PublicStatus(const services::AgentView& agent) {
    if (!agent.record.desiredRunning)
        return "not_running";
    return runtime::ProcessStateName(agent.process.state);
}

}  // namespace

boost::json::object AgentToJson(const services::AgentView& agent, const std::string& userId) {
    const store::AgentRecord& r = agent.record;
    boost::json::object o;
    o["agentId"] = r.id;
    o["userId"] = userId;
    o["name"] = r.name;
    o["description"] = OptionalText(r.description);
    o["vibe"] = OptionalText(r.vibe);
    o["emoji"] = OptionalText(r.emoji);
    o["gatewayToken"] = r.gatewayToken;
    o["createdAt"] = FormatIso8601(r.createdAtMs);
    o["updatedAt"] = FormatIso8601(r.updatedAtMs);
    o["status"] = PublicStatus(agent);
    o["engine"] = r.engine;
    o["agentVersion"] = r.engineVersion;
    o["hostProvider"] = "pinfold";
    o["lastSync"] = OptionalTime(r.lastSyncMs);
    o["snapshotCid"] = OptionalText(r.snapshotCid);
    o["fileManifest"] = OptionalText(r.fileManifest);
    o["snapshotsUpdatedAt"] = OptionalTime(r.snapshotsUpdatedAtMs);
    o["deletedAt"] = nullptr;
    return o;
}

boost::json::object AgentSkillToJson(const services::AgentSkillView& skill) {
    const store::SkillRecord& s = skill.skill;
    const store::AgentSkillRecord& a = skill.attachment;
    return {{"agentId", a.agentId}, {"skillId", s.id},
            {"skillCid", a.cid},    {"attachedAt", FormatIso8601(a.attachedAtMs)},
            {"name", s.name},       {"description", OptionalText(s.description)},
            {"version", a.version}, {"slug", OptionalText(s.slug)}};
}

boost::json::object ScriptsToJson(const services::AgentScriptsView& scripts) {
    auto one = [](const services::ScriptView& v) {
        boost::json::value exitCode = nullptr;
        if (v.exitCode)
            exitCode = *v.exitCode;
        return boost::json::object{{"state", services::ScriptStateName(v.state)},
                                   {"exitCode", exitCode},
                                   {"startedAt", OptionalTime(v.startedAtMs)},
                                   {"finishedAt", OptionalTime(v.finishedAtMs)},
                                   {"error", OptionalText(v.error)}};
    };
    return {{"build", one(scripts.build)}, {"start", one(scripts.start)}};
}

boost::json::object AgentDetailToJson(const services::AgentView& agent, const std::string& userId) {
    boost::json::object o;
    o["agent"] = AgentToJson(agent, userId);
    o["processStatus"] = PublicStatus(agent);
    if (agent.process.enginePid && agent.record.desiredRunning) {
        o["processId"] = std::to_string(*agent.process.enginePid);
    } else {
        o["processId"] = nullptr;
    }
    boost::json::array skills;
    for (const auto& s : agent.skills)
        skills.push_back(AgentSkillToJson(s));
    o["skills"] = std::move(skills);
    boost::json::array secrets;
    for (const auto& s : agent.secrets) {
        secrets.push_back(boost::json::object{{"id", s.record.id},
                                              {"name", s.record.name},
                                              {"type", s.record.type},
                                              {"createdAt", FormatIso8601(s.record.createdAtMs)},
                                              {"updatedAt", FormatIso8601(s.record.updatedAtMs)},
                                              {"attachedAt", FormatIso8601(s.attachedAtMs)},
                                              {"synced", s.synced}});
    }
    o["secrets"] = std::move(secrets);
    o["snapshots"] = boost::json::array();
    o["portForwarding"] = boost::json::array();
    o["scripts"] = ScriptsToJson(agent.scripts);
    return o;
}

}  // namespace pinfold::http
