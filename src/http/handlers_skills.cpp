// Handlers for §5 of the spec: the workspace's skills library and its versions, the skills
// attached to agents, and the local ClawHub. Skills are named in paths by skillId, CID or slug;
// slugs (@owner/name) take several segments, raw or percent-encoded ({name...} patterns).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <charconv>

#include "core/clock.h"
#include "http/agent_json.h"
#include "http/handler_util.h"
#include "http/json_fields.h"
#include "http/routes.h"
#include "services/skill_service.h"

namespace pinfold::http {
namespace {

namespace json = boost::json;

json::value OptionalText(const std::optional<std::string>& text) {
    return text ? json::value(json::string(*text)) : json::value(nullptr);
}

json::object SkillToJson(const services::SkillView& v, const std::string& userId) {
    const store::SkillRecord& r = v.record;
    json::array envVars;
    for (const auto& e : v.envVars)
        envVars.push_back(
            json::object{{"name", e.name}, {"description", OptionalText(e.description)}});
    return {{"skillId", r.id},
            {"skillCid", v.latest.cid},
            {"name", r.name},
            {"description", OptionalText(r.description)},
            {"createdAt", FormatIso8601(r.createdAtMs)},
            {"userId", userId},
            {"envVars", std::move(envVars)},
            {"fileId", nullptr},
            {"version", v.latest.version},
            {"slug", OptionalText(r.slug)},
            {"hubSkillId", OptionalText(r.hubSkillId)}};
}

json::object VersionToJson(const services::SkillVersionView& v) {
    return {
        {"version", v.version}, {"skillCid", v.cid}, {"createdAt", FormatIso8601(v.createdAtMs)}};
}

json::object HubSkillToJson(const services::HubSkill& s, uint64_t installCount) {
    json::array tags;
    for (const auto& t : s.tags)
        tags.push_back(json::string(t));
    json::array envVars;
    for (const auto& e : s.envVars) {
        json::array steps;
        for (const auto& step : e.guideSteps)
            steps.push_back(json::string(step));
        envVars.push_back(json::object{{"name", e.name},
                                       {"description", OptionalText(e.description)},
                                       {"guideUrl", OptionalText(e.guideUrl)},
                                       {"guideSteps", std::move(steps)},
                                       {"required", e.required}});
    }
    return {{"hubSkillId", s.hubSkillId},
            {"skillCid", s.skillCid},
            {"name", s.name},
            {"slug", s.slug},
            {"description", OptionalText(s.description)},
            {"longDescription", OptionalText(s.longDescription)},
            {"authorName", s.authorName},
            {"authorUrl", OptionalText(s.authorUrl)},
            {"authorLogoUrl", OptionalText(s.authorLogoUrl)},
            {"category", s.category},
            {"tags", std::move(tags)},
            {"envVars", std::move(envVars)},
            {"readmeUrl", OptionalText(s.readmeUrl)},
            {"featured", s.featured},
            {"installCount", installCount},
            {"version", s.version},
            {"createdAt", FormatIso8601(s.createdAtMs)},
            {"updatedAt", FormatIso8601(s.updatedAtMs)}};
}

// envVars: names (the spec's request form), or {name, description?} objects as responses show
// them; descriptions in the request are not kept (.env.example's comments are).
Result<std::vector<std::string>> EnvVarNames(const json::object& body) {
    const json::value* v = body.if_contains("envVars");
    if (!v || v->is_null())
        return std::vector<std::string>();
    Status wrongType = Status::InvalidArgument(
        "Validation failed: envVars must be an array of names or {name} objects");
    if (!v->is_array())
        return wrongType;
    std::vector<std::string> names;
    for (const json::value& item : v->get_array()) {
        if (item.is_string()) {
            names.emplace_back(item.get_string());
            continue;
        }
        const json::value* name =
            item.is_object() ? item.get_object().if_contains("name") : nullptr;
        if (!name || !name->is_string())
            return wrongType;
        names.emplace_back(name->get_string());
    }
    return names;
}

// The body of POST /v0/skills and POST /v0/skills/{id}/versions.
Result<services::SkillSource> ParseSource(const json::object& body) {
    services::SkillSource source;
    PINFOLD_ASSIGN_OR_RETURN(source.archiveBase64, OptionalString(body, "archiveBase64"));
    PINFOLD_ASSIGN_OR_RETURN(source.skillCid, OptionalString(body, "skillCid"));
    PINFOLD_ASSIGN_OR_RETURN(source.description, OptionalString(body, "description"));
    PINFOLD_ASSIGN_OR_RETURN(source.version, OptionalString(body, "version"));
    PINFOLD_ASSIGN_OR_RETURN(source.envVars, EnvVarNames(body));
    // Type-checked for the spec's clients, not used: SKILL.md names the skill, and files are
    // not kept as separate uploads here.
    PINFOLD_TRY(OptionalString(body, "name").status());
    PINFOLD_TRY(OptionalString(body, "fileId").status());
    return source;
}

// A library addition as the API answers it: the skill, or 409 with the skill already there.
Response AdditionResponse(const services::LibraryAddition& added, const std::string& userId) {
    json::object skill = SkillToJson(added.skill, userId);
    if (added.conflict)
        return JsonOk({{"error", *added.conflict}, {"skill", std::move(skill)}}, 409);
    return JsonOk({{"success", true}, {"skill", std::move(skill)}});
}

std::string PathParam(const HandlerContext& ctx, std::string_view name) {
    return std::string(ctx.request.pathParam(name));
}

// ---- library ----

Response ListSkills(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto skills, s.skills.list(ctx.caller.workspace));
    json::array list;
    for (const auto& v : skills)
        list.push_back(SkillToJson(v, ctx.caller.userId));
    return JsonOk({{"skills", std::move(list)}, {"currentUserId", ctx.caller.userId}});
}

Response AddSkill(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto source, ParseSource(ctx.request.json));
    PINFOLD_HTTP_ASSIGN(auto added, s.skills.add(ctx.caller.workspace, source));
    return AdditionResponse(added, ctx.caller.userId);
}

Response DeleteSkill(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto removed,
                        s.skills.remove(ctx.caller.workspace, PathParam(ctx, "skillCid")));
    return JsonOk({{"success", true},
                   {"message", "Skill " + removed.record.name + " removed from the library"},
                   {"wasInLibrary", true}});
}

Response ListVersions(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto versions,
                        s.skills.versions(ctx.caller.workspace, PathParam(ctx, "skillId")));
    json::array list;
    for (const auto& v : versions.versions)
        list.push_back(VersionToJson(v));
    return JsonOk({{"skillId", versions.skill.record.id},
                   {"name", versions.skill.record.name},
                   {"versions", std::move(list)}});
}

Response PublishVersion(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto source, ParseSource(ctx.request.json));
    PINFOLD_HTTP_ASSIGN(auto published,
                        s.skills.publish(ctx.caller.workspace, PathParam(ctx, "skillId"), source));
    return JsonOk({{"success", true},
                   {"skill", SkillToJson(published.skill, ctx.caller.userId)},
                   {"version", VersionToJson(published.version)}});
}

// ---- agents ----

Response ListAgentSkills(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto skills, s.skills.attachedTo(ctx.caller.workspace, AgentIdOf(ctx)));
    json::array list;
    for (const auto& v : skills)
        list.push_back(AgentSkillToJson(v));
    return JsonOk({{"skills", std::move(list)}});
}

Response AttachSkills(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto refs, OptionalStringArray(ctx.request.json, "skillCids"));
    if (!refs)
        return Response::Error(400, "Validation failed: skillCids is required");
    PINFOLD_HTTP_ASSIGN(auto attached,
                        s.skills.attach(ctx.caller.workspace, AgentIdOf(ctx), *refs));
    return JsonOk({{"success", true},
                   {"attached", attached},
                   {"message", "Restart the agent for its engine to load the skills"}});
}

Response DetachSkill(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto detached, s.skills.detach(ctx.caller.workspace, AgentIdOf(ctx),
                                                       PathParam(ctx, "skillId")));
    return JsonOk({{"success", true},
                   {"message", "Skill " + detached.skill.name +
                                   " detached; restart the agent for its engine to drop it"}});
}

Response SkillUpdates(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto updates, s.skills.updates(ctx.caller.workspace, AgentIdOf(ctx)));
    json::array list;
    for (const auto& u : updates) {
        list.push_back(json::object{{"skillId", u.current.skill.id},
                                    {"name", u.current.skill.name},
                                    {"currentVersion", u.current.attachment.version},
                                    {"currentCid", u.current.attachment.cid},
                                    {"latestVersion", u.latest.version},
                                    {"latestCid", u.latest.cid}});
    }
    return JsonOk({{"updates", std::move(list)}});
}

Response UpdateAgentSkill(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto version, OptionalString(ctx.request.json, "version"));
    PINFOLD_HTTP_ASSIGN(auto outcome, s.skills.update(ctx.caller.workspace, AgentIdOf(ctx),
                                                      PathParam(ctx, "skillId"), version));
    return JsonOk({{"success", true},
                   {"skill", AgentSkillToJson(outcome.skill)},
                   {"previousVersion", outcome.previousVersion},
                   {"version", outcome.skill.attachment.version}});
}

// ---- hub ----

Result<services::HubQuery> ParseHubQuery(const Request& request) {
    services::HubQuery query;
    query.category = request.queryParam("category");
    if (auto sort = request.queryParam("sort")) {
        PINFOLD_ASSIGN_OR_RETURN(query.sort, services::ParseHubSort(*sort));
    }
    if (auto featured = request.queryParam("featured")) {
        if (*featured != "true" && *featured != "false")
            return Status::InvalidArgument("featured must be true or false");
        query.featuredOnly = *featured == "true";
    }
    query.cursor = request.queryParam("cursor");
    if (auto limit = request.queryParam("limit")) {
        size_t value = 0;
        auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), value);
        if (ec != std::errc() || end != limit->data() + limit->size())
            return Status::InvalidArgument("limit must be between 1 and 100");
        query.limit = value;
    }
    return query;
}

Response ListHub(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto query, ParseHubQuery(ctx.request));
    PINFOLD_HTTP_ASSIGN(auto page, s.skills.hubList(query));
    json::array list;
    for (const auto& entry : page.skills)
        list.push_back(HubSkillToJson(entry.skill, entry.installCount));
    return JsonOk({{"skills", std::move(list)}, {"nextCursor", OptionalText(page.nextCursor)}});
}

Response GetHubSkill(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto found, s.skills.hubFind(PathParam(ctx, "slug")));
    json::object skill = HubSkillToJson(found.skill, found.installCount);
    return JsonOk({{"skill", skill}, {"hubSkill", skill}});
}

Response InstallHubSkill(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto added,
                        s.skills.install(ctx.caller.workspace, PathParam(ctx, "idOrSlug")));
    return AdditionResponse(added, ctx.caller.userId);
}

}  // namespace

void AddSkillRoutes(std::vector<Route>& routes, Services& s) {
    auto bind = [&s](ServiceHandler fn) { return BindServices(s, fn); };
    auto add = [&](Method method, const char* pattern, AuthKind auth, HostScope hosts,
                   ServiceHandler fn, const char* name, const char* summary) -> Route& {
        Route route{method, pattern, auth, hosts, bind(fn), name, summary};
        route.jsonBody = method == Method::kPost;
        routes.push_back(route);
        return routes.back();
    };
    // An archive travels as base64 (4 bytes per 3), plus room for the other fields, so that an
    // archive over the limit gets its own message and only a body far beyond it gets 413 here.
    const size_t archiveBodyBytes = (s.skills.maxArchiveBytes() + 2) / 3 * 4 + (4 << 20);
    using A = AuthKind;
    using H = HostScope;
    using M = Method;
    add(M::kGet, "/v0/skills", A::kJwt, H::kManagement, ListSkills, "listSkills",
        "The workspace's skills library");
    Route& addSkill = add(M::kPost, "/v0/skills", A::kJwt, H::kManagement, AddSkill, "addSkill",
                          "Add a skill from a tar.gz ({archiveBase64}) or a CID or hub slug "
                          "({skillCid}); optional description, envVars, version");
    addSkill.maxBodyBytes = archiveBodyBytes;
    addSkill.blocking = true;
    add(M::kDelete, "/v0/skills/{skillCid...}", A::kJwt, H::kManagement, DeleteSkill, "deleteSkill",
        "Remove a skill (by any version's CID, its id or slug) from the library");
    add(M::kGet, "/v0/skills/{skillId...}/versions", A::kJwt, H::kManagement, ListVersions,
        "listSkillVersions", "A skill's versions, newest first");
    Route& publish =
        add(M::kPost, "/v0/skills/{skillId...}/versions", A::kJwt, H::kManagement, PublishVersion,
            "publishSkillVersion", "Publish a newer version ({version, archiveBase64 | skillCid})");
    publish.maxBodyBytes = archiveBodyBytes;
    publish.blocking = true;

    add(M::kGet, "/v0/agents/{agentId}/skills", A::kJwtOrGw, H::kBoth, ListAgentSkills,
        "listAgentSkills", "The skills attached to the agent");
    add(M::kPost, "/v0/agents/{agentId}/skills", A::kJwtOrGw, H::kBoth, AttachSkills,
        "attachSkills",
        "Attach skills ({skillCids}: CIDs, slugs or ids); their files land in "
        "workspace/skills/<name>/")
        .blocking = true;
    add(M::kGet, "/v0/agents/{agentId}/skills/updates", A::kJwtOrGw, H::kBoth, SkillUpdates,
        "listSkillUpdates", "Attached skills whose library has a newer version");
    add(M::kDelete, "/v0/agents/{agentId}/skills/{skillId...}", A::kJwtOrGw, H::kBoth, DetachSkill,
        "detachSkill", "Detach a skill and remove its folder")
        .blocking = true;
    add(M::kPost, "/v0/agents/{agentId}/skills/{skillId...}/update", A::kJwtOrGw, H::kBoth,
        UpdateAgentSkill, "updateAgentSkill",
        "Move an attached skill to another version ({version?}, default the newest)")
        .blocking = true;

    add(M::kGet, "/v0/clawhub", A::kJwt, H::kManagement, ListHub, "listHubSkills",
        "The hub's skills (query category, sort=popular|newest|name, featured, cursor, limit)");
    add(M::kGet, "/v0/clawhub/{slug...}", A::kJwt, H::kManagement, GetHubSkill, "getHubSkill",
        "One hub skill by slug (@owner/name) or hubSkillId");
    add(M::kPost, "/v0/clawhub/{idOrSlug...}/install", A::kJwt, H::kManagement, InstallHubSkill,
        "installHubSkill", "Add a hub skill to the workspace's library")
        .blocking = true;
}

}  // namespace pinfold::http
