// `pinfold templates validate DIR`: checks a template folder offline (manifest.json, README.md,
// workspace/) as the server's POST /v0/templates/validate does for a repository. Prints
// "manifest.json is valid", or every error on its own line to stderr and exits 1.
// `pinfold templates publish|reject ID`: the operator's review, on the server's data folder.
// `pinfold templates list|submit|check|show|update|delete|refs`: clients of a running server
// (--host / PINFOLD_HOST, key from PINFOLD_JWT).
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/data_dir.h"
#include "cli/server_call.h"
#include "content/block_store.h"
#include "core/clock.h"
#include "services/template_folder.h"
#include "services/template_service.h"

namespace pinfold::cli {
namespace {

struct TemplateOptions {
    std::string dir;
    std::string dataDir = "./data";
    std::string masterKeyFile;
    std::string templateId;
    std::string reason;
    // The client commands.
    ServerCall call{"templates"};
    bool json = false;
    bool mine = false;
    bool byId = false;
    std::string gitUrl;
    std::string ref;
    std::string path;
    std::string slug;
    std::string name;
    bool draft = false;
};

namespace json = boost::json;

// The source fields of a submit, check or update, those given only.
json::object SourceBody(const TemplateOptions& o) {
    json::object body;
    if (!o.gitUrl.empty())
        body["gitUrl"] = o.gitUrl;
    if (!o.ref.empty())
        body["ref"] = o.ref;
    if (!o.path.empty())
        body["path"] = o.path;
    return body;
}

void PrintTemplates(const json::array& list) {
    std::printf("%-8s %-32s %-15s %s\n", "ID", "SLUG", "STATUS", "NAME");
    for (const auto& t : list) {
        std::printf("%-8s %-32s %-15s %s\n", PlainText(t.at("templateId")).c_str(),
                    PlainText(t.at("slug")).c_str(), PlainText(t.at("status")).c_str(),
                    PlainText(t.at("name")).c_str());
    }
}

int Review(const TemplateOptions& o, bool publish) {
    const char* verb = publish ? "publish" : "reject";
    auto fail = [verb](const Status& s) {
        std::cerr << "pinfold templates " << verb << ": " << s.message() << "\n";
        return 1;
    };
    auto opened = OpenDataDir(o.dataDir, o.masterKeyFile);
    if (!opened.ok())
        return fail(opened.status());
    RealClock clock;
    content::BlockStore blocks(opened->layout.blocks());
    services::TemplateGit git({});  // a review fetches nothing
    services::TemplateService templates(*opened->db, blocks, git, clock);
    std::optional<std::string> note;
    if (!o.reason.empty())
        note = o.reason;
    auto reviewed = templates.review(o.templateId, publish, note);
    if (!reviewed.ok())
        return fail(reviewed.status());
    std::cout << "Template " << reviewed->record.id << " is " << reviewed->record.status
              << std::endl;
    return 0;
}

int ValidateFolder(const TemplateOptions& o) {
    Result<services::TemplateFolderCheck> check = services::ValidateTemplateFolder(o.dir);
    if (!check.ok()) {
        std::cerr << "pinfold templates validate: " << check.status().message() << "\n";
        return 1;
    }
    if (!check->valid()) {
        for (const std::string& error : check->errors)
            std::cerr << error << "\n";
        return 1;
    }
    std::cout << "manifest.json is valid" << std::endl;
    return 0;
}

void AddTemplateClientCommands(CLI::App* templates, const std::shared_ptr<TemplateOptions>& o,
                               int& exitCode) {
    o->call.exitCode = &exitCode;
    std::vector<CLI::App*> clients;
    auto client = [&](const char* name, const char* description) {
        CLI::App* sub = templates->add_subcommand(name, description);
        sub->add_option("--host", o->call.host, "Server URL")
            ->envname("PINFOLD_HOST")
            ->capture_default_str();
        sub->add_option("--jwt", o->call.jwt, "API key")->envname("PINFOLD_JWT");
        sub->add_flag("--json", o->json, "Print the server's JSON as it is");
        return sub;
    };
    auto output = [o](const json::value& v, const std::function<void()>& human) {
        if (o->json)
            std::cout << json::serialize(v) << std::endl;
        else
            human();
    };
    auto sourceOptions = [o](CLI::App* sub) {
        sub->add_option("--ref", o->ref, "Branch or tag (default: the default branch)");
        sub->add_option("--path", o->path, "The template's folder in the repository");
    };

    CLI::App* list = client("list", "Your templates and the published ones");
    list->add_flag("--mine", o->mine, "Only your own");
    list->callback([o, output] {
        auto v = o->call.json(http::Method::kGet,
                              o->mine ? "/v0/templates?submittedBy=me" : "/v0/templates");
        if (v)
            output(*v, [&] { PrintTemplates(v->at("templates").as_array()); });
    });

    CLI::App* submit = client("submit", "Take a template from a git repository, for review");
    submit->add_option("git-url", o->gitUrl, "Repository URL")->required();
    sourceOptions(submit);
    submit->add_option("--slug", o->slug, "Slug (default: the manifest's, or from the name)");
    submit->add_option("--name", o->name, "Name (default: the manifest's agent.name)");
    submit->add_flag("--draft", o->draft, "Keep it a draft, not submitted for review");
    submit->callback([o, output] {
        json::object body = SourceBody(*o);
        if (!o->slug.empty())
            body["slug"] = o->slug;
        if (!o->name.empty())
            body["name"] = o->name;
        body["draft"] = o->draft;
        auto v = o->call.json(http::Method::kPost, "/v0/templates", json::serialize(body));
        if (v) {
            output(*v, [&] {
                const auto& t = v->at("template");
                std::printf("Template %s (%s) is %s\n", PlainText(t.at("templateId")).c_str(),
                            PlainText(t.at("slug")).c_str(), PlainText(t.at("status")).c_str());
            });
        }
    });

    CLI::App* check = client("check", "Check a repository as a template, storing nothing");
    check->add_option("git-url", o->gitUrl, "Repository URL")->required();
    sourceOptions(check);
    check->callback([o, output, &exitCode] {
        auto v = o->call.json(http::Method::kPost, "/v0/templates/validate",
                              json::serialize(SourceBody(*o)));
        if (!v)
            return;
        output(*v, [&] {
            for (const auto& e : v->at("errors").as_array())
                std::cerr << PlainText(e) << "\n";
            if (v->at("valid").as_bool())
                std::cout << "manifest.json is valid at " << PlainText(v->at("commitSha"))
                          << std::endl;
        });
        if (!v->at("valid").as_bool())
            exitCode = 1;
    });

    CLI::App* show = client("show", "One template, by slug or by id (--id)");
    show->add_option("slug", o->slug, "Slug, or id with --id")->required();
    show->add_flag("--id", o->byId, "The argument is a template id");
    show->callback([o] {
        std::string target = (o->byId ? "/v0/templates/id/" : "/v0/templates/") + o->slug;
        auto v = o->call.json(http::Method::kGet, target);
        if (v)
            std::cout << json::serialize(v->at("template")) << std::endl;
    });

    CLI::App* update = client("update", "Take your template again from its repository");
    update->add_option("id", o->templateId, "Template id")->required();
    update->add_option("--git-url", o->gitUrl, "A new repository URL");
    sourceOptions(update);
    update->callback([o, output] {
        auto v = o->call.json(http::Method::kPut, "/v0/templates/" + o->templateId,
                              json::serialize(SourceBody(*o)));
        if (v) {
            output(*v, [&] {
                const auto& t = v->at("template");
                std::printf("Template %s is %s at %s\n", PlainText(t.at("templateId")).c_str(),
                            PlainText(t.at("status")).c_str(),
                            PlainText(t.at("gitCommitSha")).c_str());
            });
        }
    });

    CLI::App* remove = client("delete", "Archive your template");
    remove->add_option("id", o->templateId, "Template id")->required();
    remove->callback([o, output] {
        auto v = o->call.json(http::Method::kDelete, "/v0/templates/" + o->templateId);
        if (v)
            output(*v, [&] { std::printf("%s\n", PlainText(v->at("message")).c_str()); });
    });

    CLI::App* refs = client("refs", "A repository's branches and tags");
    refs->add_option("git-url", o->gitUrl, "Repository URL")->required();
    refs->callback([o, output] {
        auto v = o->call.json(http::Method::kPost, "/v0/templates/refs",
                              json::serialize(json::object{{"gitUrl", o->gitUrl}}));
        if (!v)
            return;
        output(*v, [&] {
            std::string def = PlainText(v->at("defaultBranch"));
            for (const auto& b : v->at("branches").as_array()) {
                std::string name = PlainText(b);
                std::printf("branch %s%s\n", name.c_str(), name == def ? " (default)" : "");
            }
            for (const auto& t : v->at("tags").as_array())
                std::printf("tag %s\n", PlainText(t).c_str());
        });
    });
}

}  // namespace

void AddTemplatesCommand(CLI::App& app, int& exitCode) {
    auto o = std::make_shared<TemplateOptions>();
    CLI::App* templates = app.add_subcommand("templates", "Agent templates: check, submit, review, list");
    templates->require_subcommand(1);

    CLI::App* validate = templates->add_subcommand(
        "validate", "Check a template folder (manifest.json, README.md, workspace/), offline");
    validate->add_option("dir", o->dir, "Template folder")->required();
    validate->callback([o, &exitCode] { exitCode = ValidateFolder(*o); });

    for (bool publish : {true, false}) {
        CLI::App* review = templates->add_subcommand(
            publish ? "publish" : "reject",
            publish ? "Publish a template pending review (on the server's data folder)"
                    : "Reject a template pending review (on the server's data folder)");
        review->add_option("id", o->templateId, "Template id")->required();
        review->add_option("--data", o->dataDir, "Data folder of the server")
            ->envname("PINFOLD_DATA")
            ->capture_default_str();
        review
            ->add_option("--master-key-file", o->masterKeyFile,
                         "The server's master key (default <data>/master.key)")
            ->envname("PINFOLD_MASTER_KEY_FILE");
        if (!publish)
            review->add_option("--reason", o->reason, "Why, shown to the submitter");
        review->callback([o, publish, &exitCode] { exitCode = Review(*o, publish); });
    }
    AddTemplateClientCommands(templates, o, exitCode);
}

}  // namespace pinfold::cli
