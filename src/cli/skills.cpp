// `pinfold skills list|add|delete|versions|publish|attach|detach` and `pinfold hub
// list|show|install`: the workspace's skills library and the server's ClawHub on a running server
// (--host / PINFOLD_HOST, key from PINFOLD_JWT). `add` and `publish` take a skill folder (packed
// here as tar.gz) or a tar/tar.gz archive. Skills are named by skillId, CID or slug.
#include <archive.h>
#include <archive_entry.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "cli/commands.h"
#include "cli/server_call.h"
#include "crypto/base64.h"

namespace pinfold::cli {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

struct SkillOptions {
    ServerCall call{"skills"};
    bool json = false;
    std::string path;
    std::string skill;
    std::string agentId;
    std::vector<std::string> skills;
    std::optional<std::string> version;
    std::optional<std::string> description;
    // hub list
    std::optional<std::string> category;
    std::optional<std::string> sort;
    bool featured = false;
};

// One path segment: a slug's '@' and '/' (and anything unusual) percent-encoded.
std::string EncodeSegment(const std::string& text) {
    std::string out;
    for (unsigned char c : text) {
        bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '_' || c == '.' || c == '~';
        if (plain) {
            out.push_back(static_cast<char>(c));
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    return out;
}

la_ssize_t AppendToString(struct archive*, void* out, const void* buffer, size_t length) {
    static_cast<std::string*>(out)->append(static_cast<const char*>(buffer), length);
    return static_cast<la_ssize_t>(length);
}

// The folder as a tar.gz of its files and folders (names relative to it); a symlink or special
// file in it is an error, as the server would refuse it.
std::optional<std::string> PackFolder(const std::string& dir, std::string& error) {
    std::vector<fs::directory_entry> entries;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        entries.push_back(*it);
    if (ec) {
        error = "cannot read " + dir + ": " + ec.message();
        return std::nullopt;
    }
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.path() < b.path(); });
    std::string out;
    struct archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_add_filter_gzip(a);
    archive_write_open(a, &out, nullptr, AppendToString, nullptr);
    bool ok = true;
    for (const auto& e : entries) {
        std::string name = fs::relative(e.path(), dir).generic_string();
        bool isLink = e.is_symlink(ec);
        bool isDir = !isLink && e.is_directory(ec);
        bool isFile = !isLink && e.is_regular_file(ec);
        if (!isDir && !isFile) {
            error = e.path().string() + " is not a file or folder; skills hold only those";
            ok = false;
            break;
        }
        std::string data;
        if (isFile) {
            std::ifstream in(e.path(), std::ios::binary);
            data.assign(std::istreambuf_iterator<char>(in), {});
        }
        archive_entry* entry = archive_entry_new();
        archive_entry_set_pathname(entry, name.c_str());
        archive_entry_set_filetype(entry, isDir ? AE_IFDIR : AE_IFREG);
        archive_entry_set_perm(entry, isDir ? 0755 : 0644);
        archive_entry_set_size(entry, static_cast<la_int64_t>(data.size()));
        ok = archive_write_header(a, entry) == ARCHIVE_OK &&
             (data.empty() || archive_write_data(a, data.data(), data.size()) ==
                                  static_cast<la_ssize_t>(data.size()));
        archive_entry_free(entry);
        if (!ok) {
            error = std::string("cannot pack ") + name + ": " + archive_error_string(a);
            break;
        }
    }
    archive_write_close(a);
    archive_write_free(a);
    if (!ok)
        return std::nullopt;
    return out;
}

// {archiveBase64} of a folder or an archive file, plus the options' fields.
std::optional<json::object> SourceBody(const SkillOptions& o) {
    std::string error;
    std::optional<std::string> archive;
    std::error_code ec;
    if (fs::is_directory(o.path, ec)) {
        archive = PackFolder(o.path, error);
    } else if (fs::is_regular_file(o.path, ec)) {
        std::ifstream in(o.path, std::ios::binary);
        archive = std::string(std::istreambuf_iterator<char>(in), {});
    } else {
        error = o.path + " is neither a folder nor an archive";
    }
    if (!archive) {
        std::cerr << "pinfold skills: " << error << "\n";
        *o.call.exitCode = 1;
        return std::nullopt;
    }
    json::object body{{"archiveBase64", crypto::Base64Encode(*archive)}};
    if (o.version)
        body["version"] = *o.version;
    if (o.description)
        body["description"] = *o.description;
    return body;
}

void PrintSkills(const json::array& skills) {
    std::printf("%-36s %-24s %-10s %s\n", "ID", "NAME", "VERSION", "CID");
    for (const auto& s : skills) {
        std::printf("%-36s %-24s %-10s %s\n", PlainText(s.at("skillId")).c_str(),
                    PlainText(s.at("name")).c_str(), PlainText(s.at("version")).c_str(),
                    PlainText(s.at("skillCid")).c_str());
    }
}

void PrintHub(const json::array& skills) {
    std::printf("%-32s %-10s %-12s %-8s %s\n", "SLUG", "VERSION", "CATEGORY", "INSTALLS",
                "DESCRIPTION");
    for (const auto& s : skills) {
        std::string description = PlainText(s.at("description"));
        if (description.size() > 60)
            description = description.substr(0, 57) + "...";
        std::printf("%-32s %-10s %-12s %-8s %s\n", PlainText(s.at("slug")).c_str(),
                    PlainText(s.at("version")).c_str(), PlainText(s.at("category")).c_str(),
                    PlainText(s.at("installCount")).c_str(), description.c_str());
    }
}

using Output = std::function<void(const json::value&, const std::function<void()>&)>;

Output MakeOutput(std::shared_ptr<SkillOptions> o) {
    return [o](const json::value& v, const std::function<void()>& human) {
        if (o->json)
            std::cout << json::serialize(v) << std::endl;
        else
            human();
    };
}

void AddClientOptions(CLI::App* app, SkillOptions& o) {
    app->require_subcommand(1);
    app->add_option("--host", o.call.host, "Server URL")
        ->envname("PINFOLD_HOST")
        ->capture_default_str();
    app->add_option("--jwt", o.call.jwt, "API key")->envname("PINFOLD_JWT");
    app->add_flag("--json", o.json, "Print the server's JSON as it is");
}

void AddSkillsSubcommands(CLI::App* skills, std::shared_ptr<SkillOptions> o) {
    Output output = MakeOutput(o);
    skills->add_subcommand("list", "The workspace's skills library")->callback([o, output] {
        auto v = o->call.json(http::Method::kGet, "/v0/skills");
        if (v)
            output(*v, [&] { PrintSkills(v->at("skills").as_array()); });
    });

    CLI::App* add = skills->add_subcommand("add", "Add a skill folder or tar.gz to the library");
    add->add_option("path", o->path, "Skill folder (with SKILL.md) or archive")->required();
    add->add_option("--version", o->version, "Its first version (default 1.0.0)");
    add->add_option("--description", o->description, "Instead of SKILL.md's description");
    add->callback([o, output] {
        auto body = SourceBody(*o);
        if (!body)
            return;
        auto v = o->call.json(http::Method::kPost, "/v0/skills", json::serialize(*body));
        if (v) {
            output(*v, [&] {
                const json::value& s = v->at("skill");
                std::printf("Added %s %s (%s) %s\n", PlainText(s.at("name")).c_str(),
                            PlainText(s.at("version")).c_str(), PlainText(s.at("skillId")).c_str(),
                            PlainText(s.at("skillCid")).c_str());
            });
        }
    });

    CLI::App* publish =
        skills->add_subcommand("publish", "Publish a newer version of a library skill");
    publish->add_option("skill", o->skill, "skillId, CID or slug")->required();
    publish->add_option("path", o->path, "Skill folder or archive")->required();
    publish->add_option("--version", o->version, "The new version")->required();
    publish->callback([o, output] {
        auto body = SourceBody(*o);
        if (!body)
            return;
        auto v =
            o->call.json(http::Method::kPost, "/v0/skills/" + EncodeSegment(o->skill) + "/versions",
                         json::serialize(*body));
        if (v) {
            output(*v, [&] {
                std::printf("Published %s %s %s\n", PlainText(v->at("skill").at("name")).c_str(),
                            PlainText(v->at("version").at("version")).c_str(),
                            PlainText(v->at("version").at("skillCid")).c_str());
            });
        }
    });

    CLI::App* remove = skills->add_subcommand("delete", "Remove a skill no agent has attached");
    remove->add_option("skill", o->skill, "CID, skillId or slug")->required();
    remove->callback([o, output] {
        auto v = o->call.json(http::Method::kDelete, "/v0/skills/" + EncodeSegment(o->skill));
        if (v)
            output(*v, [&] { std::printf("%s\n", PlainText(v->at("message")).c_str()); });
    });

    CLI::App* versions = skills->add_subcommand("versions", "A skill's versions, newest first");
    versions->add_option("skill", o->skill, "skillId, CID or slug")->required();
    versions->callback([o, output] {
        auto v =
            o->call.json(http::Method::kGet, "/v0/skills/" + EncodeSegment(o->skill) + "/versions");
        if (!v)
            return;
        output(*v, [&] {
            std::printf("%-12s %-26s %s\n", "VERSION", "CREATED", "CID");
            for (const auto& ver : v->at("versions").as_array()) {
                std::printf("%-12s %-26s %s\n", PlainText(ver.at("version")).c_str(),
                            PlainText(ver.at("createdAt")).c_str(),
                            PlainText(ver.at("skillCid")).c_str());
            }
        });
    });

    CLI::App* attach = skills->add_subcommand(
        "attach", "Attach skills to an agent (files in workspace/skills/<name>/)");
    attach->add_option("agent-id", o->agentId, "Agent id")->required();
    attach->add_option("skills", o->skills, "CIDs, slugs or skillIds")->required();
    attach->callback([o, output] {
        json::array refs;
        for (const auto& s : o->skills)
            refs.push_back(json::string(s));
        auto v = o->call.json(http::Method::kPost, "/v0/agents/" + o->agentId + "/skills",
                              json::serialize(json::object{{"skillCids", refs}}));
        if (v) {
            output(*v, [&] {
                std::printf("Attached %s; restart the agent to apply\n",
                            PlainText(v->at("attached")).c_str());
            });
        }
    });

    CLI::App* detach = skills->add_subcommand("detach", "Detach a skill and remove its folder");
    detach->add_option("agent-id", o->agentId, "Agent id")->required();
    detach->add_option("skill", o->skill, "skillId, CID or slug")->required();
    detach->callback([o, output] {
        auto v = o->call.json(http::Method::kDelete,
                              "/v0/agents/" + o->agentId + "/skills/" + EncodeSegment(o->skill));
        if (v)
            output(*v, [&] { std::printf("%s\n", PlainText(v->at("message")).c_str()); });
    });
}

void AddHubSubcommands(CLI::App* hub, std::shared_ptr<SkillOptions> o) {
    Output output = MakeOutput(o);
    CLI::App* list = hub->add_subcommand("list", "The hub's skills, most installed first");
    list->add_option("--category", o->category, "Only this category");
    list->add_option("--sort", o->sort, "popular, newest or name");
    list->add_flag("--featured", o->featured, "Only featured skills");
    list->callback([o, output] {
        std::string query;
        auto param = [&](const std::string& name, const std::string& value) {
            query += (query.empty() ? "?" : "&") + name + "=" + EncodeSegment(value);
        };
        if (o->category)
            param("category", *o->category);
        if (o->sort)
            param("sort", *o->sort);
        if (o->featured)
            param("featured", "true");
        json::array all;
        std::optional<std::string> cursor;
        // Every page, following nextCursor.
        do {
            std::string target = "/v0/clawhub" + query;
            if (cursor)
                target += (query.empty() ? "?" : "&") + std::string("cursor=") + *cursor;
            auto v = o->call.json(http::Method::kGet, target);
            if (!v)
                return;
            for (const auto& s : v->at("skills").as_array())
                all.push_back(s);
            const json::value& next = v->at("nextCursor");
            cursor = next.is_string() ? std::optional<std::string>(PlainText(next)) : std::nullopt;
        } while (cursor);
        json::value result = json::object{{"skills", all}, {"nextCursor", nullptr}};
        output(result, [&] { PrintHub(all); });
    });

    CLI::App* show = hub->add_subcommand("show", "One hub skill");
    show->add_option("slug", o->skill, "@owner/name or hubSkillId")->required();
    show->callback([o, output] {
        auto v = o->call.json(http::Method::kGet, "/v0/clawhub/" + EncodeSegment(o->skill));
        if (!v)
            return;
        output(*v, [&] {
            const json::value& s = v->at("skill");
            std::printf("%s %s by %s\n%s\n", PlainText(s.at("slug")).c_str(),
                        PlainText(s.at("version")).c_str(), PlainText(s.at("authorName")).c_str(),
                        PlainText(s.at("description")).c_str());
            std::printf("category %s, %s installs, CID %s\n", PlainText(s.at("category")).c_str(),
                        PlainText(s.at("installCount")).c_str(),
                        PlainText(s.at("skillCid")).c_str());
        });
    });

    CLI::App* install = hub->add_subcommand("install", "Add a hub skill to the library");
    install->add_option("slug", o->skill, "@owner/name or hubSkillId")->required();
    install->callback([o, output] {
        auto v = o->call.json(http::Method::kPost,
                              "/v0/clawhub/" + EncodeSegment(o->skill) + "/install");
        if (v) {
            output(*v, [&] {
                const json::value& s = v->at("skill");
                std::printf("Installed %s %s (%s)\n", PlainText(s.at("name")).c_str(),
                            PlainText(s.at("version")).c_str(), PlainText(s.at("skillId")).c_str());
            });
        }
    });
}

}  // namespace

void AddSkillsCommand(CLI::App& app, int& exitCode) {
    auto skillOptions = std::make_shared<SkillOptions>();
    skillOptions->call.exitCode = &exitCode;
    CLI::App* skills = app.add_subcommand("skills", "The workspace's skills library");
    AddClientOptions(skills, *skillOptions);
    AddSkillsSubcommands(skills, skillOptions);
    // --host, --jwt and --json may also follow the subcommand.
    for (CLI::App* sub : skills->get_subcommands({}))
        sub->fallthrough();

    auto hubOptions = std::make_shared<SkillOptions>();
    hubOptions->call.command = "hub";
    hubOptions->call.exitCode = &exitCode;
    CLI::App* hub = app.add_subcommand("hub", "The server's ClawHub catalog");
    AddClientOptions(hub, *hubOptions);
    AddHubSubcommands(hub, hubOptions);
    for (CLI::App* sub : hub->get_subcommands({}))
        sub->fallthrough();
}

}  // namespace pinfold::cli
