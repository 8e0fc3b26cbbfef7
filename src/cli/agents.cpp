// `pinfold agents list|create|get|delete|restart|logs|exec`: a client of a running server, over
// HTTP only (--host / PINFOLD_HOST, key from PINFOLD_JWT). Human tables by default, --json raw.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "http/client.h"

namespace pinfold::cli {
namespace {

namespace json = boost::json;

struct ClientOptions {
    std::string host = "http://127.0.0.1:8080";
    std::string jwt;
    bool json = false;
    std::string agentId;
    std::string name, description, vibe, emoji, engine;
    std::string command, cwd;
};

std::string Text(const json::value& v) {
    if (v.is_string())
        return std::string(v.get_string());
    if (v.is_null())
        return "";
    return json::serialize(v);
}

// Sends one request; prints the error and returns nullopt on failure.
std::optional<json::value> Call(const ClientOptions& o, http::Method method,
                                const std::string& target, const json::object* body,
                                int* exitCode) {
    if (o.jwt.empty()) {
        std::cerr << "pinfold agents: set PINFOLD_JWT (or --jwt) to an API key\n";
        *exitCode = 2;
        return std::nullopt;
    }
    // "localhost:8080" is as good as "http://localhost:8080".
    std::string url = o.host.find("://") == std::string::npos ? "http://" + o.host : o.host;
    auto client = http::HttpClient::Connect(url);
    if (!client.ok()) {
        std::cerr << "pinfold agents: " << client.status().message() << "\n";
        *exitCode = 1;
        return std::nullopt;
    }
    auto response = (*client)->request(
        method, target, body ? json::serialize(*body) : "",
        {{"Authorization", "Bearer " + o.jwt}, {"Content-Type", "application/json"}});
    if (!response.ok()) {
        std::cerr << "pinfold agents: " << response.status().message() << "\n";
        *exitCode = 1;
        return std::nullopt;
    }
    boost::system::error_code ec;
    json::value parsed = json::parse(response->body, ec);
    if (response->status >= 400) {
        std::string message = !ec && parsed.is_object() && parsed.as_object().contains("error")
                                  ? Text(parsed.at("error"))
                                  : response->body;
        std::cerr << "pinfold agents: " << response->status << " " << message << "\n";
        *exitCode = 1;
        return std::nullopt;
    }
    if (ec) {
        std::cerr << "pinfold agents: the server sent a body that is not JSON\n";
        *exitCode = 1;
        return std::nullopt;
    }
    return parsed;
}

void PrintAgentTable(const json::array& agents) {
    std::printf("%-10s %-12s %-10s %-10s %s\n", "ID", "STATUS", "ENGINE", "VERSION", "NAME");
    for (const auto& a : agents) {
        std::printf("%-10s %-12s %-10s %-10s %s\n", Text(a.at("agentId")).c_str(),
                    Text(a.at("status")).c_str(), Text(a.at("engine")).c_str(),
                    Text(a.at("agentVersion")).c_str(), Text(a.at("name")).c_str());
    }
}

void PrintFields(const json::object& o) {
    for (const auto& [key, value] : o) {
        if (value.is_object() || value.is_array())
            continue;
        std::printf("%-14s %s\n", std::string(key).c_str(), Text(value).c_str());
    }
}

}  // namespace

void AddAgentsCommand(CLI::App& app, int& exitCode) {
    auto o = std::make_shared<ClientOptions>();
    CLI::App* agents = app.add_subcommand("agents", "Manage agents on a running server");
    agents->require_subcommand(1);
    agents->add_option("--host", o->host, "Server URL")
        ->envname("PINFOLD_HOST")
        ->capture_default_str();
    agents->add_option("--jwt", o->jwt, "API key")->envname("PINFOLD_JWT");
    agents->add_flag("--json", o->json, "Print the server's JSON as it is");

    auto output = [o](const json::value& v, const std::function<void()>& human) {
        if (o->json) {
            std::cout << json::serialize(v) << std::endl;
        } else {
            human();
        }
    };

    agents->add_subcommand("list", "List agents")->callback([o, &exitCode, output] {
        auto v = Call(*o, http::Method::kGet, "/v0/agents", nullptr, &exitCode);
        if (v)
            output(*v, [&] { PrintAgentTable(v->at("agents").as_array()); });
    });

    CLI::App* create = agents->add_subcommand("create", "Create an agent");
    create->add_option("name", o->name, "Agent name")->required();
    create->add_option("--description", o->description);
    create->add_option("--vibe", o->vibe);
    create->add_option("--emoji", o->emoji);
    create->add_option("--engine", o->engine);
    create->callback([o, &exitCode, output] {
        json::object body{{"name", o->name}};
        if (!o->description.empty())
            body["description"] = o->description;
        if (!o->vibe.empty())
            body["vibe"] = o->vibe;
        if (!o->emoji.empty())
            body["emoji"] = o->emoji;
        if (!o->engine.empty())
            body["engine"] = o->engine;
        auto v = Call(*o, http::Method::kPost, "/v0/agents", &body, &exitCode);
        if (v)
            output(*v, [&] { PrintFields(v->at("agent").as_object()); });
    });

    auto withId = [&](const char* name, const char* help) {
        CLI::App* cmd = agents->add_subcommand(name, help);
        cmd->add_option("agent-id", o->agentId, "Agent id")->required();
        return cmd;
    };
    withId("get", "Show one agent")->callback([o, &exitCode, output] {
        auto v = Call(*o, http::Method::kGet, "/v0/agents/" + o->agentId, nullptr, &exitCode);
        if (v)
            output(*v, [&] {
                PrintFields(v->at("agent").as_object());
                std::printf("%-14s %s\n", "processStatus", Text(v->at("processStatus")).c_str());
            });
    });
    withId("delete", "Delete an agent and its files")->callback([o, &exitCode, output] {
        auto v = Call(*o, http::Method::kDelete, "/v0/agents/" + o->agentId, nullptr, &exitCode);
        if (v)
            output(*v, [&] { std::cout << Text(v->at("message")) << "\n"; });
    });
    withId("restart", "Restart an agent's engine")->callback([o, &exitCode, output] {
        json::object body;
        auto v = Call(*o, http::Method::kPost, "/v0/agents/" + o->agentId + "/restart", &body,
                      &exitCode);
        if (v)
            output(*v, [&] { std::cout << Text(v->at("message")) << "\n"; });
    });
    withId("logs", "The agent's last 100 log lines")->callback([o, &exitCode, output] {
        auto v =
            Call(*o, http::Method::kGet, "/v0/agents/" + o->agentId + "/logs", nullptr, &exitCode);
        if (v)
            output(*v, [&] { std::cout << Text(v->at("logs")); });
    });
    CLI::App* exec = withId("exec", "Run a shell command in the agent");
    exec->add_option("command", o->command, "Shell command")->required();
    exec->add_option("--cwd", o->cwd, "Working folder (default the workspace)");
    exec->callback([o, &exitCode, output] {
        json::object body{{"command", o->command}};
        if (!o->cwd.empty())
            body["cwd"] = o->cwd;
        auto v = Call(*o, http::Method::kPost, "/v0/agents/" + o->agentId + "/console/exec", &body,
                      &exitCode);
        if (!v)
            return;
        output(*v, [&] {
            std::cout << Text(v->at("stdout"));
            std::cerr << Text(v->at("stderr"));
        });
        exitCode = static_cast<int>(v->at("exitCode").to_number<int64_t>());
    });
    // --host, --jwt and --json may also follow the subcommand: `pinfold agents list --json`.
    for (CLI::App* sub : agents->get_subcommands({}))
        sub->fallthrough();
}

}  // namespace pinfold::cli
