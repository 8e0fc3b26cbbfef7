// `pinfold agents list|create|get|delete|restart|logs|exec|clone-url`: a client of a running
// server, over HTTP only (--host / PINFOLD_HOST, key from PINFOLD_JWT). Human tables by default,
// --json raw.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/server_call.h"

namespace pinfold::cli {
namespace {

namespace json = boost::json;

struct ClientOptions {
    ServerCall call{"agents"};
    bool json = false;
    std::string agentId;
    std::string name, description, vibe, emoji, engine;
    std::string command, cwd;
};

void PrintAgentTable(const json::array& agents) {
    std::printf("%-10s %-12s %-10s %-10s %s\n", "ID", "STATUS", "ENGINE", "VERSION", "NAME");
    for (const auto& a : agents) {
        std::printf("%-10s %-12s %-10s %-10s %s\n", PlainText(a.at("agentId")).c_str(),
                    PlainText(a.at("status")).c_str(), PlainText(a.at("engine")).c_str(),
                    PlainText(a.at("agentVersion")).c_str(), PlainText(a.at("name")).c_str());
    }
}

// The URL `git clone` takes for an agent's workspace: the server as the CLI reaches it, with the
// gateway token as the Basic password (git ignores the user name).
std::string CloneUrl(const std::string& server, const std::string& agentId,
                     const std::string& token) {
    std::string scheme = "http";
    std::string rest = server;
    if (size_t sep = server.find("://"); sep != std::string::npos) {
        scheme = server.substr(0, sep);
        rest = server.substr(sep + 3);
    }
    while (!rest.empty() && rest.back() == '/')
        rest.pop_back();
    return scheme + "://pinfold:" + token + "@" + rest + "/v0/agents/" + agentId + "/git";
}

void PrintFields(const json::object& o) {
    for (const auto& [key, value] : o) {
        if (value.is_object() || value.is_array())
            continue;
        std::printf("%-14s %s\n", std::string(key).c_str(), PlainText(value).c_str());
    }
}

}  // namespace

void AddAgentsCommand(CLI::App& app, int& exitCode) {
    auto o = std::make_shared<ClientOptions>();
    o->call.exitCode = &exitCode;
    CLI::App* agents = app.add_subcommand("agents", "Manage agents on a running server");
    agents->require_subcommand(1);
    agents->add_option("--host", o->call.host, "Server URL")
        ->envname("PINFOLD_HOST")
        ->capture_default_str();
    agents->add_option("--jwt", o->call.jwt, "API key")->envname("PINFOLD_JWT");
    agents->add_flag("--json", o->json, "Print the server's JSON as it is");

    auto output = [o](const json::value& v, const std::function<void()>& human) {
        if (o->json) {
            std::cout << json::serialize(v) << std::endl;
        } else {
            human();
        }
    };

    agents->add_subcommand("list", "List agents")->callback([o, output] {
        auto v = o->call.json(http::Method::kGet, "/v0/agents");
        if (v)
            output(*v, [&] { PrintAgentTable(v->at("agents").as_array()); });
    });

    CLI::App* create = agents->add_subcommand("create", "Create an agent");
    create->add_option("name", o->name, "Agent name")->required();
    create->add_option("--description", o->description);
    create->add_option("--vibe", o->vibe);
    create->add_option("--emoji", o->emoji);
    create->add_option("--engine", o->engine);
    create->callback([o, output] {
        json::object body{{"name", o->name}};
        if (!o->description.empty())
            body["description"] = o->description;
        if (!o->vibe.empty())
            body["vibe"] = o->vibe;
        if (!o->emoji.empty())
            body["emoji"] = o->emoji;
        if (!o->engine.empty())
            body["engine"] = o->engine;
        auto v = o->call.json(http::Method::kPost, "/v0/agents", json::serialize(body));
        if (v)
            output(*v, [&] { PrintFields(v->at("agent").as_object()); });
    });

    auto withId = [&](const char* name, const char* help) {
        CLI::App* cmd = agents->add_subcommand(name, help);
        cmd->add_option("agent-id", o->agentId, "Agent id")->required();
        return cmd;
    };
    withId("get", "Show one agent")->callback([o, output] {
        auto v = o->call.json(http::Method::kGet, "/v0/agents/" + o->agentId);
        if (v)
            output(*v, [&] {
                PrintFields(v->at("agent").as_object());
                std::printf("%-14s %s\n", "processStatus",
                            PlainText(v->at("processStatus")).c_str());
            });
    });
    withId("delete", "Delete an agent and its files")->callback([o, output] {
        auto v = o->call.json(http::Method::kDelete, "/v0/agents/" + o->agentId);
        if (v)
            output(*v, [&] { std::cout << PlainText(v->at("message")) << "\n"; });
    });
    withId("restart", "Restart an agent's engine")->callback([o, output] {
        json::object body;
        auto v = o->call.json(http::Method::kPost, "/v0/agents/" + o->agentId + "/restart",
                              json::serialize(body));
        if (v)
            output(*v, [&] { std::cout << PlainText(v->at("message")) << "\n"; });
    });
    withId("logs", "The agent's last 100 log lines")->callback([o, output] {
        auto v = o->call.json(http::Method::kGet, "/v0/agents/" + o->agentId + "/logs");
        if (v)
            output(*v, [&] { std::cout << PlainText(v->at("logs")); });
    });
    CLI::App* exec = withId("exec", "Run a shell command in the agent");
    exec->add_option("command", o->command, "Shell command")->required();
    exec->add_option("--cwd", o->cwd, "Working folder (default the workspace)");
    exec->callback([o, output, &exitCode] {
        json::object body{{"command", o->command}};
        if (!o->cwd.empty())
            body["cwd"] = o->cwd;
        auto v = o->call.json(http::Method::kPost, "/v0/agents/" + o->agentId + "/console/exec",
                              json::serialize(body));
        if (!v)
            return;
        output(*v, [&] {
            std::cout << PlainText(v->at("stdout"));
            std::cerr << PlainText(v->at("stderr"));
        });
        exitCode = static_cast<int>(v->at("exitCode").to_number<int64_t>());
    });
    withId("clone-url", "The agent's git clone URL (it holds the gateway token)")
        ->callback([o, output] {
            auto v = o->call.json(http::Method::kGet, "/v0/agents/" + o->agentId);
            if (!v)
                return;
            std::string url =
                CloneUrl(o->call.host, o->agentId, PlainText(v->at("agent").at("gatewayToken")));
            output(json::object{{"cloneUrl", url}}, [&] { std::cout << url << "\n"; });
        });
    // --host, --jwt and --json may also follow the subcommand: `pinfold agents list --json`.
    for (CLI::App* sub : agents->get_subcommands({}))
        sub->fallthrough();
}

}  // namespace pinfold::cli
