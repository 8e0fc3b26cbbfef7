// `pinfold snapshots list|sync|reset|export|import`: an agent's workspace snapshots on a running
// server (--host / PINFOLD_HOST, key from PINFOLD_JWT). Human output by default, --json raw.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>

#include "cli/commands.h"
#include "cli/server_call.h"

namespace pinfold::cli {
namespace {

namespace json = boost::json;

struct SnapshotOptions {
    ServerCall call{"snapshots"};
    bool json = false;
    std::string agentId;
    std::string cid;
    std::string file;
};

std::string Base(const SnapshotOptions& o) {
    return "/v0/agents/" + o.agentId + "/snapshots";
}

void PrintSync(const json::value& v) {
    std::printf("%s\n", PlainText(v.at("message")).c_str());
    std::printf("%-14s %s\n", "snapshotCid", PlainText(v.at("snapshotCid")).c_str());
    std::printf("%-14s %s\n", "commitSha", PlainText(v.at("commitSha")).c_str());
    if (v.as_object().contains("changeSummary"))
        std::printf("%-14s %s\n", "changes", PlainText(v.at("changeSummary")).c_str());
    if (v.as_object().contains("details"))
        std::fprintf(stderr, "%s\n", PlainText(v.at("details")).c_str());
}

}  // namespace

void AddSnapshotsCommand(CLI::App& app, int& exitCode) {
    auto o = std::make_shared<SnapshotOptions>();
    o->call.exitCode = &exitCode;
    CLI::App* snapshots =
        app.add_subcommand("snapshots", "List, take, restore and move workspace snapshots");
    snapshots->require_subcommand(1);
    snapshots->add_option("--host", o->call.host, "Server URL")
        ->envname("PINFOLD_HOST")
        ->capture_default_str();
    snapshots->add_option("--jwt", o->call.jwt, "API key")->envname("PINFOLD_JWT");
    snapshots->add_flag("--json", o->json, "Print the server's JSON as it is");
    auto output = [o](const json::value& v, const std::function<void()>& human) {
        if (o->json)
            std::cout << json::serialize(v) << std::endl;
        else
            human();
    };
    auto withId = [&](const char* name, const char* help) {
        CLI::App* cmd = snapshots->add_subcommand(name, help);
        cmd->add_option("agent-id", o->agentId, "Agent id")->required();
        return cmd;
    };

    withId("list", "The newest 10 snapshots")->callback([o, output] {
        auto v = o->call.json(http::Method::kGet, Base(*o));
        if (!v)
            return;
        output(*v, [&] {
            std::printf("%-24s %-61s %s\n", "CREATED", "CID", "CHANGES");
            for (const auto& s : v->at("snapshots").as_array()) {
                std::printf("%-24s %-61s %s\n", PlainText(s.at("createdAt")).c_str(),
                            PlainText(s.at("snapshotCid")).c_str(),
                            PlainText(s.at("changeSummary")).c_str());
            }
        });
    });
    withId("sync", "Snapshot the workspace now")->callback([o, output] {
        auto v = o->call.json(http::Method::kPost, Base(*o) + "/sync");
        if (v)
            output(*v, [&] { PrintSync(*v); });
    });
    CLI::App* reset = withId("reset", "Restore the workspace to a snapshot");
    reset->add_option("cid", o->cid, "Snapshot CID")->required();
    reset->callback([o, output] {
        auto v = o->call.json(http::Method::kPost, Base(*o) + "/reset",
                              json::serialize(json::object{{"snapshotCid", o->cid}}));
        if (v)
            output(*v, [&] { std::printf("%s\n", PlainText(v->at("message")).c_str()); });
    });
    CLI::App* exportCar = withId("export", "Write a snapshot as a CAR file");
    exportCar->add_option("cid", o->cid, "Snapshot CID")->required();
    exportCar->add_option("-o,--output", o->file, "CAR file to write (default <cid>.car)");
    exportCar->callback([o, &exitCode] {
        auto car = o->call.raw(http::Method::kGet, Base(*o) + "/" + o->cid + "/car", "",
                               "application/json");
        if (!car)
            return;
        std::string file = o->file.empty() ? o->cid + ".car" : o->file;
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out.write(car->data(), static_cast<std::streamsize>(car->size()));
        if (!out.flush()) {
            std::cerr << "pinfold snapshots: cannot write " << file << "\n";
            exitCode = 1;
            return;
        }
        std::cout << file << " (" << car->size() << " bytes)\n";
    });
    CLI::App* importCar = withId("import", "Restore the workspace from a CAR file");
    importCar->add_option("file", o->file, "CAR file")->required();
    importCar->callback([o, output, &exitCode] {
        std::ifstream in(o->file, std::ios::binary);
        if (!in) {
            std::cerr << "pinfold snapshots: cannot read " << o->file << "\n";
            exitCode = 1;
            return;
        }
        std::string car((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        auto text =
            o->call.raw(http::Method::kPost, Base(*o) + "/import", car, "application/vnd.ipld.car");
        if (!text)
            return;
        boost::system::error_code ec;
        json::value v = json::parse(*text, ec);
        if (!ec)
            output(v, [&] { PrintSync(v); });
    });
    // --host, --jwt and --json may also follow the subcommand.
    for (CLI::App* sub : snapshots->get_subcommands({}))
        sub->fallthrough();
}

}  // namespace pinfold::cli
