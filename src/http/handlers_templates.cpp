// Handlers for §12 of the spec: templates taken from git repositories, their review state, the
// public marketplace listing, and checking a repository without storing it.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <set>

#include "core/clock.h"
#include "http/handler_util.h"
#include "http/json_fields.h"
#include "http/routes.h"
#include "services/template_service.h"

namespace pinfold::http {
namespace {

namespace json = boost::json;

json::value OptionalText(const std::optional<std::string>& v) {
    return v ? json::value(json::string(*v)) : json::value(nullptr);
}

template <typename Container>
json::array Strings(const Container& list) {
    json::array out;
    for (const auto& s : list)
        out.push_back(json::string(s));
    return out;
}

// The README as HTML: escaped text in a <pre>, so nothing in it can script the page that shows
// it (no Markdown renderer is packaged; a client may render `readme` itself).
std::string ReadmeHtml(const std::string& readme) {
    std::string html = "<pre>";
    for (char c : readme) {
        switch (c) {
            case '<':
                html += "&lt;";
                break;
            case '>':
                html += "&gt;";
                break;
            case '&':
                html += "&amp;";
                break;
            case '"':
                html += "&quot;";
                break;
            case '\'':
                html += "&#39;";
                break;
            default:
                html += c;
        }
    }
    return html + "</pre>";
}

json::object TemplateToJson(const services::TemplateView& v) {
    const store::TemplateRecord& r = v.record;
    const services::Manifest& m = v.manifest;
    const services::ManifestTemplate info = m.templateInfo.value_or(services::ManifestTemplate{});
    json::array tags = Strings(info.tags);
    json::array secrets;
    for (const auto& s : m.secrets) {
        secrets.push_back(json::object{{"name", s.name},
                                       {"description", OptionalText(s.description)},
                                       {"guideUrl", nullptr},
                                       {"guideSteps", json::array{}},
                                       {"required", s.required}});
    }
    json::array skills;
    for (const auto& s : m.skills)
        skills.push_back(json::string(s.ref));
    json::value price = nullptr;
    json::value asset = nullptr;
    if (info.paid) {
        price = json::string(info.paid->amount);
        asset = json::string(info.paid->currency);
    }
    return {{"templateId", r.id},
            {"name", r.name},
            {"slug", r.slug},
            {"description", OptionalText(m.agent.description)},
            {"longDescription", r.readme},
            {"readme", r.readme},
            {"readmeHtml", ReadmeHtml(r.readme)},
            {"authorName", OptionalText(info.authorName)},
            {"authorUrl", OptionalText(info.authorUrl)},
            {"authorLogoUrl", OptionalText(info.authorLogoUrl)},
            {"partnerName", OptionalText(info.authorName)},
            {"partnerUrl", OptionalText(info.authorUrl)},
            {"partnerLogoUrl", OptionalText(info.authorLogoUrl)},
            {"category", OptionalText(r.category)},
            {"tags", std::move(tags)},
            {"engine", m.engine},
            {"snapshotCid", r.snapshotCid},
            {"openclawVersion", nullptr},
            {"requiredSecrets", std::move(secrets)},
            {"includedSkillCids", std::move(skills)},
            {"defaultVibe", OptionalText(m.agent.vibe)},
            {"defaultEmoji", OptionalText(m.agent.emoji)},
            {"featured", r.featured},
            {"sortOrder", 0},
            {"status", r.status},
            {"reviewNote", OptionalText(r.reviewNote)},
            {"price", price},
            {"priceAsset", asset},
            {"priceNetwork", nullptr},
            {"payToAddress", nullptr},
            {"isFree", !info.paid.has_value()},
            {"version", m.version},
            {"createdAt", FormatIso8601(r.createdAtMs)},
            {"updatedAt", FormatIso8601(r.updatedAtMs)},
            {"submittedBy", r.submittedBy},
            {"gitUrl", r.gitUrl},
            {"gitRef", OptionalText(r.gitRef)},
            {"gitPath", r.gitPath},
            {"gitCommitSha", r.commitSha}};
}

json::object TemplateListJson(const std::vector<services::TemplateView>& views) {
    json::array list;
    std::set<std::string> categories;
    for (const auto& v : views) {
        list.push_back(TemplateToJson(v));
        if (v.record.category)
            categories.insert(*v.record.category);
    }
    json::array names = Strings(categories);
    return {{"templates", std::move(list)}, {"categories", std::move(names)}};
}

// `ref` as the docs spell it, or `branch` as the older CLI does; both at once must agree.
Result<std::optional<std::string>> RefOf(const json::object& body) {
    PINFOLD_ASSIGN_OR_RETURN(auto ref, OptionalString(body, "ref"));
    PINFOLD_ASSIGN_OR_RETURN(auto branch, OptionalString(body, "branch"));
    if (ref && branch && *ref != *branch)
        return Status::InvalidArgument("Validation failed: ref and branch name different refs");
    return ref ? ref : branch;
}

Result<services::TemplateSource> SourceOf(const json::object& body) {
    services::TemplateSource source;
    PINFOLD_ASSIGN_OR_RETURN(source.gitUrl, RequiredString(body, "gitUrl"));
    PINFOLD_ASSIGN_OR_RETURN(source.ref, RefOf(body));
    PINFOLD_ASSIGN_OR_RETURN(auto path, OptionalString(body, "path"));
    source.path = path.value_or("");
    return source;
}

Result<services::TemplateQuery> QueryOf(const Request& request) {
    services::TemplateQuery q;
    q.category = request.queryParam("category");
    if (auto featured = request.queryParam("featured")) {
        if (*featured != "true" && *featured != "false")
            return Status::InvalidArgument("Validation failed: featured must be true or false");
        q.featuredOnly = *featured == "true";
    }
    if (auto by = request.queryParam("submittedBy")) {
        if (*by != "me")
            return Status::InvalidArgument("Validation failed: submittedBy must be me");
        q.mineOnly = true;
    }
    return q;
}

Response SubmissionResponse(services::TemplateSubmission submission) {
    if (!submission.view) {
        json::array errors = Strings(submission.validationErrors);
        return JsonOk({{"success", false},
                       {"error", "Template is not valid"},
                       {"validationErrors", std::move(errors)}},
                      400);
    }
    return JsonOk({{"success", true}, {"template", TemplateToJson(*submission.view)}});
}

Response ListTemplates(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto query, QueryOf(ctx.request));
    PINFOLD_HTTP_ASSIGN(auto views, s.templates.list(ctx.caller.workspace, query));
    return JsonOk(TemplateListJson(views));
}

Response ListPublicTemplates(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto query, QueryOf(ctx.request));
    if (query.mineOnly)
        return ErrorResponse(Status::InvalidArgument("Validation failed: submittedBy needs a key"));
    PINFOLD_HTTP_ASSIGN(auto views, s.templates.listPublished(query));
    json::object body = TemplateListJson(views);
    for (auto& t : body["templates"].as_array())
        t.as_object().erase("submittedBy");
    return JsonOk(body);
}

Response SubmitTemplate(Services& s, HandlerContext& ctx) {
    const json::object& body = ctx.request.json;
    PINFOLD_HTTP_ASSIGN(auto source, SourceOf(body));
    services::TemplateOverrides overrides;
    PINFOLD_HTTP_ASSIGN(overrides.name, OptionalString(body, "name"));
    PINFOLD_HTTP_ASSIGN(overrides.slug, OptionalString(body, "slug"));
    if (const json::value* draft = body.if_contains("draft"); draft && !draft->is_null()) {
        if (!draft->is_bool())
            return ErrorResponse(
                Status::InvalidArgument("Validation failed: draft must be a boolean"));
        overrides.draft = draft->as_bool();
    }
    PINFOLD_HTTP_ASSIGN(auto submission, s.templates.submit(ctx.caller.workspace, ctx.caller.userId,
                                                            source, overrides));
    return SubmissionResponse(std::move(submission));
}

Response ValidateTemplate(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto source, SourceOf(ctx.request.json));
    PINFOLD_HTTP_ASSIGN(auto check, s.templates.validate(source));
    json::array errors = Strings(check.errors);
    json::array files = Strings(check.files);
    json::object out{{"valid", check.errors.empty()},
                     {"errors", std::move(errors)},
                     {"readme", check.readme},
                     {"files", std::move(files)},
                     {"commitSha", check.commitSha}};
    // The manifest as the repository has it, when it is JSON at all.
    boost::system::error_code ec;
    json::value manifest = json::parse(check.manifestText, ec);
    out["manifest"] = ec ? json::value(nullptr) : std::move(manifest);
    return JsonOk(out);
}

Response GetTemplateBySlug(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(
        auto view,
        s.templates.getBySlug(ctx.caller.workspace, std::string(ctx.request.pathParam("slug"))));
    return JsonOk({{"template", TemplateToJson(view)}});
}

Response GetTemplateById(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto view,
                        s.templates.getById(ctx.caller.workspace,
                                            std::string(ctx.request.pathParam("templateId"))));
    return JsonOk({{"template", TemplateToJson(view)}});
}

Response UpdateTemplate(Services& s, HandlerContext& ctx) {
    const json::object& body = ctx.request.json;
    PINFOLD_HTTP_ASSIGN(auto gitUrl, OptionalString(body, "gitUrl"));
    PINFOLD_HTTP_ASSIGN(auto ref, RefOf(body));
    PINFOLD_HTTP_ASSIGN(auto path, OptionalString(body, "path"));
    PINFOLD_HTTP_ASSIGN(
        auto submission,
        s.templates.update(ctx.caller.workspace, std::string(ctx.request.pathParam("templateId")),
                           gitUrl, ref, path));
    return SubmissionResponse(std::move(submission));
}

Response ArchiveTemplate(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto view,
                        s.templates.archive(ctx.caller.workspace,
                                            std::string(ctx.request.pathParam("templateId"))));
    return JsonOk({{"success", true}, {"message", "Template " + view.record.id + " archived"}});
}

Response TemplateBranches(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto url, RequiredString(ctx.request.json, "gitUrl"));
    PINFOLD_HTTP_ASSIGN(auto branches, s.templates.branches(url));
    json::array list = Strings(branches);
    return JsonOk({{"branches", std::move(list)}});
}

Response TemplateRefs(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto url, RequiredString(ctx.request.json, "gitUrl"));
    PINFOLD_HTTP_ASSIGN(auto refs, s.templates.refs(url));
    json::array branches = Strings(refs.branches);
    json::array tags = Strings(refs.tags);
    return JsonOk({{"branches", std::move(branches)},
                   {"tags", std::move(tags)},
                   {"defaultBranch", OptionalText(refs.defaultBranch)}});
}

}  // namespace

void AddTemplateRoutes(std::vector<Route>& routes, Services& s) {
    auto bind = [&s](ServiceHandler fn) { return BindServices(s, fn); };
    // Every route that reads a repository runs git: on the worker pool.
    auto add = [&](Method method, const char* pattern, AuthKind auth, ServiceHandler fn,
                   const char* name, const char* summary, bool runsGit) -> Route& {
        Route route{method, pattern, auth, HostScope::kManagement, bind(fn), name, summary};
        route.jsonBody = method == Method::kPost || method == Method::kPut;
        route.blocking = runsGit;
        routes.push_back(route);
        return routes.back();
    };
    using A = AuthKind;
    add(Method::kGet, "/v0/templates", A::kJwt, ListTemplates, "listTemplates",
        "Your templates and everyone's published ones (category, featured=true, submittedBy=me)",
        false);
    add(Method::kPost, "/v0/templates", A::kJwt, SubmitTemplate, "submitTemplate",
        "Take a template from a git repository ({gitUrl, ref|branch?, path?, name?, slug?, "
        "draft?}) and submit it for review",
        true);
    add(Method::kPost, "/v0/templates/validate", A::kJwt, ValidateTemplate, "validateTemplate",
        "Check a template repository ({gitUrl, ref|branch?, path?}) without storing it", true);
    add(Method::kPost, "/v0/templates/branches", A::kJwt, TemplateBranches, "templateBranches",
        "A repository's branches ({gitUrl})", true);
    add(Method::kPost, "/v0/templates/refs", A::kJwt, TemplateRefs, "templateRefs",
        "A repository's branches, tags and default branch ({gitUrl})", true);
    add(Method::kGet, "/v0/templates/id/{templateId}", A::kJwt, GetTemplateById, "getTemplateById",
        "One of your templates, or a published one, by id", false);
    add(Method::kGet, "/v0/templates/{slug}", A::kJwt, GetTemplateBySlug, "getTemplate",
        "One of your templates, or a published one, by slug", false);
    add(Method::kPut, "/v0/templates/{templateId}", A::kJwt, UpdateTemplate, "updateTemplate",
        "Take your template again from its repository ({gitUrl?, ref|branch?, path?}) and "
        "resubmit it",
        true);
    add(Method::kDelete, "/v0/templates/{templateId}", A::kJwt, ArchiveTemplate, "archiveTemplate",
        "Archive your template (its slug becomes free)", false);
    add(Method::kGet, "/v0/public-templates", A::kNone, ListPublicTemplates, "listPublicTemplates",
        "Published templates, without a key", false);
}

}  // namespace pinfold::http
