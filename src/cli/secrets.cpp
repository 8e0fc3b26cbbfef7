// `pinfold secrets list|set|delete|attach|detach`: the workspace's vault on a running server
// (--host / PINFOLD_HOST, key from PINFOLD_JWT). Secrets are named by name or id. `set` reads
// the value from stdin unless --value is given, so it stays out of shell history and `ps`.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <iostream>
#include <iterator>

#include "cli/commands.h"
#include "cli/server_call.h"

namespace pinfold::cli {
namespace {

namespace json = boost::json;

struct SecretOptions {
    ServerCall call{"secrets"};
    bool json = false;
    std::string name;
    std::optional<std::string> value;
    bool variable = false;
    std::string agentId;
    std::vector<std::string> secrets;
};

// The id of the secret called `nameOrId` (a name or an id), or nullopt after reporting why not.
std::optional<std::string> ResolveId(const SecretOptions& o, const json::array& list,
                                     const std::string& nameOrId) {
    for (const auto& s : list) {
        if (PlainText(s.at("name")) == nameOrId || PlainText(s.at("id")) == nameOrId)
            return PlainText(s.at("id"));
    }
    std::cerr << "pinfold secrets: no secret named " << nameOrId << "\n";
    *o.call.exitCode = 1;
    return std::nullopt;
}

std::optional<json::array> ListSecrets(const SecretOptions& o) {
    auto v = o.call.json(http::Method::kGet, "/v0/secrets");
    if (!v)
        return std::nullopt;
    return v->at("secrets").as_array();
}

std::string ReadValueFromStdin() {
    std::string value((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    if (!value.empty() && value.back() == '\n')
        value.pop_back();
    return value;
}

void PrintList(const json::array& secrets) {
    std::printf("%-36s %-32s %-8s %s\n", "ID", "NAME", "TYPE", "AGENTS");
    for (const auto& s : secrets) {
        std::string agents;
        for (const auto& a : s.at("agents").as_array())
            agents += (agents.empty() ? "" : ",") + PlainText(a.at("agentId"));
        std::printf("%-36s %-32s %-8s %s\n", PlainText(s.at("id")).c_str(),
                    PlainText(s.at("name")).c_str(), PlainText(s.at("type")).c_str(),
                    agents.c_str());
    }
}

}  // namespace

void AddSecretsCommand(CLI::App& app, int& exitCode) {
    auto o = std::make_shared<SecretOptions>();
    o->call.exitCode = &exitCode;
    CLI::App* secrets = app.add_subcommand("secrets", "The workspace's secrets and variables");
    secrets->require_subcommand(1);
    secrets->add_option("--host", o->call.host, "Server URL")
        ->envname("PINFOLD_HOST")
        ->capture_default_str();
    secrets->add_option("--jwt", o->call.jwt, "API key")->envname("PINFOLD_JWT");
    secrets->add_flag("--json", o->json, "Print the server's JSON as it is");
    auto output = [o](const json::value& v, const std::function<void()>& human) {
        if (o->json)
            std::cout << json::serialize(v) << std::endl;
        else
            human();
    };

    secrets->add_subcommand("list", "Secrets, their type and the agents they are attached to")
        ->callback([o, output] {
            auto v = o->call.json(http::Method::kGet, "/v0/secrets");
            if (v)
                output(*v, [&] { PrintList(v->at("secrets").as_array()); });
        });

    CLI::App* set = secrets->add_subcommand(
        "set", "Create a secret, or give an existing one a new value (read from stdin)");
    set->add_option("name", o->name, "Environment variable name")->required();
    set->add_option("--value", o->value, "The value (default: read from stdin)");
    set->add_flag("--variable", o->variable, "Not secret: the value may be shown in listings");
    set->callback([o, output] {
        auto list = ListSecrets(*o);
        if (!list)
            return;
        std::string value = o->value ? *o->value : ReadValueFromStdin();
        std::optional<std::string> existing;
        for (const auto& s : *list) {
            if (PlainText(s.at("name")) == o->name)
                existing = PlainText(s.at("id"));
        }
        std::optional<json::value> v;
        if (existing) {
            v = o->call.json(http::Method::kPut, "/v0/secrets/" + *existing,
                             json::serialize(json::object{{"value", value}}));
        } else {
            json::object body{
                {"name", o->name}, {"value", value}, {"type", o->variable ? "variable" : "secret"}};
            v = o->call.json(http::Method::kPost, "/v0/secrets", json::serialize(body));
        }
        if (v) {
            output(*v, [&] {
                std::printf("%s %s\n", existing ? "Updated" : "Created",
                            PlainText(v->at("secret").at("id")).c_str());
            });
        }
    });

    CLI::App* remove = secrets->add_subcommand("delete", "Delete a secret no agent has attached");
    remove->add_option("secret", o->name, "Name or id")->required();
    remove->callback([o, output] {
        auto list = ListSecrets(*o);
        std::optional<std::string> id = list ? ResolveId(*o, *list, o->name) : std::nullopt;
        if (!id)
            return;
        auto v = o->call.json(http::Method::kDelete, "/v0/secrets/" + *id);
        if (v)
            output(*v, [&] { std::printf("Deleted %s\n", id->c_str()); });
    });

    CLI::App* attach = secrets->add_subcommand(
        "attach", "Attach secrets to an agent (its engine gets them when it restarts)");
    attach->add_option("agent-id", o->agentId, "Agent id")->required();
    attach->add_option("secrets", o->secrets, "Names or ids")->required();
    attach->callback([o, output] {
        auto list = ListSecrets(*o);
        if (!list)
            return;
        json::array ids;
        for (const auto& s : o->secrets) {
            auto id = ResolveId(*o, *list, s);
            if (!id)
                return;
            ids.push_back(json::string(*id));
        }
        auto v = o->call.json(http::Method::kPost, "/v0/agents/" + o->agentId + "/secrets",
                              json::serialize(json::object{{"secretIds", ids}}));
        if (v) {
            output(*v, [&] {
                std::printf("Attached %s; restart the agent to apply\n",
                            PlainText(v->at("attached")).c_str());
            });
        }
    });

    CLI::App* detach = secrets->add_subcommand("detach", "Detach a secret from an agent");
    detach->add_option("agent-id", o->agentId, "Agent id")->required();
    detach->add_option("secret", o->name, "Name or id")->required();
    detach->callback([o, output] {
        auto list = ListSecrets(*o);
        std::optional<std::string> id = list ? ResolveId(*o, *list, o->name) : std::nullopt;
        if (!id)
            return;
        auto v =
            o->call.json(http::Method::kDelete, "/v0/agents/" + o->agentId + "/secrets/" + *id);
        if (v)
            output(*v, [&] { std::printf("%s\n", PlainText(v->at("message")).c_str()); });
    });
    // --host, --jwt and --json may also follow the subcommand.
    for (CLI::App* sub : secrets->get_subcommands({}))
        sub->fallthrough();
}

}  // namespace pinfold::cli
