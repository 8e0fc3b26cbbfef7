// `pinfold serve`: opens the data folder, builds the services, reconciles the agents that should
// run, and serves the API until SIGINT or SIGTERM.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <system_error>

#include "cli/commands.h"
#include "cli/data_dir.h"
#include "core/clock.h"
#include "http/auth.h"
#include "http/routes.h"
#include "http/server.h"
#include "http/upstream.h"
#include "runtime/engine_registry.h"
#include "runtime/local_supervisor.h"
#include "services/agent_service.h"
#include "services/console_service.h"
#include "services/file_service.h"
#include "services/git_http_service.h"
#include "services/hub_catalog.h"
#include "services/key_service.h"
#include "services/script_service.h"
#include "services/skill_service.h"
#include "services/snapshot_service.h"
#include "services/template_service.h"

namespace pinfold::cli {
namespace {

struct ServeOptions {
    std::string dataDir = "./data";
    std::string masterKeyFile;  // default <data>/master.key
    std::string listen = "127.0.0.1:8080";
    std::string baseDomain = "agents.localhost";
    std::string enginesFile;
    std::string enginesDir;  // default <data>/engines
    size_t agentLimit = 10;
    uint32_t firstUid = 200000;
    uint64_t agentMemoryMb = 2048;
    uint32_t agentPids = 1024;
    int64_t snapshotIntervalSeconds = 60;
    int64_t buildTimeoutSeconds = 300;
    size_t secretLimit = 100;
    std::vector<std::string> templateFileRoots;  // folders file:// template URLs may name
    std::string hubDir;  // default: the hub/ folder of the checkout the binary was built in
};

// The starter catalog shipped with the source: the install layout is the repository checkout
// with the binary in build/, so it is <folder of the binary>/../hub. Empty when that is missing.
std::string DefaultHubDir() {
    std::error_code ec;
    std::filesystem::path binary = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec)
        return "";
    std::filesystem::path hub = binary.parent_path().parent_path() / "hub";
    return std::filesystem::is_directory(hub, ec) ? hub.lexically_normal().string() : "";
}

// The agent-host proxy reaches an agent's engine through the agent service.
class EngineUpstream final : public http::AgentUpstream {
  public:
    explicit EngineUpstream(services::AgentService& agents) : agents_(agents) {}
    Result<int> connectAgent(const std::string& agentId) override {
        return agents_.connectEngine(agentId);
    }

  private:
    services::AgentService& agents_;
};

Result<std::pair<std::string, uint16_t>> ParseListen(const std::string& listen) {
    size_t colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0) {
        return Status::InvalidArgument("--listen must be ADDR:PORT, got " + listen);
    }
    std::string host = listen.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    int port = 0;
    try {
        size_t used = 0;
        port = std::stoi(listen.substr(colon + 1), &used);
        if (used != listen.size() - colon - 1)
            port = -1;
    } catch (const std::exception&) {
        port = -1;
    }
    if (port < 0 || port > 65535)
        return Status::InvalidArgument("Bad port in --listen " + listen);
    return std::make_pair(host, static_cast<uint16_t>(port));
}

int Serve(const ServeOptions& o) {
    auto fail = [](const Status& s) {
        spdlog::error("pinfold serve: {}", s.message());
        return 1;
    };
    auto listen = ParseListen(o.listen);
    if (!listen.ok())
        return fail(listen.status());
    auto data = OpenDataDir(o.dataDir, o.masterKeyFile);
    if (!data.ok())
        return fail(data.status());

    RealClock clock;
    std::string enginesDir = o.enginesDir.empty() ? data->layout.root + "/engines" : o.enginesDir;
    runtime::EngineRegistry engines(enginesDir);
    if (!o.enginesFile.empty()) {
        Status loaded = engines.loadFile(o.enginesFile);
        if (!loaded.ok())
            return fail(loaded);
    }

    runtime::LocalSupervisorOptions supervisorOptions;
    supervisorOptions.clock = &clock;
    supervisorOptions.firstHostUid = o.firstUid;
    runtime::LocalSupervisor supervisor(supervisorOptions);

    services::AgentServiceOptions agentOptions;
    agentOptions.agentLimit = o.agentLimit;
    agentOptions.firstHostUid = o.firstUid;
    agentOptions.memoryLimitBytes = o.agentMemoryMb * 1024 * 1024;
    agentOptions.pidsLimit = o.agentPids;
    services::SecretServiceOptions secretOptions;
    secretOptions.secretLimit = o.secretLimit;
    services::SecretService secrets(*data->db, data->masterKey, clock, secretOptions);
    content::BlockStore blocks(data->layout.blocks());
    // The hub's skill folders are imported into the block store, so installs only record CIDs.
    services::HubCatalog hub;
    std::string hubDir = o.hubDir.empty() ? DefaultHubDir() : o.hubDir;
    if (!hubDir.empty()) {
        auto loaded = services::HubCatalog::Load(hubDir, blocks);
        if (!loaded.ok())
            return fail(loaded.status());
        hub = std::move(*loaded);
    }
    services::SkillService skills(*data->db, blocks, hub, clock, data->layout);
    // Before the agents: it listens for their engines' boots.
    services::ScriptServiceOptions scriptOptions;
    scriptOptions.buildTimeout = std::chrono::seconds(o.buildTimeoutSeconds);
    services::ScriptService scripts(*data->db, supervisor, clock, data->layout, scriptOptions);
    Status recovered = scripts.recover();
    if (!recovered.ok())
        return fail(recovered);
    // Template repositories are fetched as the uid just below the agents' range.
    services::TemplateGitOptions gitOptions;
    gitOptions.uid = o.firstUid - 1;
    gitOptions.scratchDir = data->layout.root + "/tmp/templates";
    gitOptions.fileRoots = o.templateFileRoots;
    services::TemplateGit templateGit(gitOptions);
    services::TemplateService templates(*data->db, blocks, templateGit, clock);
    services::AgentService agents(*data->db, supervisor, engines, secrets, skills, templates,
                                  blocks, clock, data->layout, agentOptions);
    services::ConsoleService console(agents, supervisor, clock);
    services::FileService files(agents, supervisor, data->layout);
    services::KeyService keys(*data->db, clock, JwtSigningKey(data->masterKey));
    services::SnapshotServiceOptions snapshotOptions;
    snapshotOptions.autoInterval =
        std::chrono::seconds(std::max<int64_t>(0, o.snapshotIntervalSeconds));
    services::SnapshotService snapshots(*data->db, agents, blocks, clock, data->layout,
                                        snapshotOptions);

    services::GitHttpService git(
        agents, data->layout,
        [&snapshots](const store::AgentRecord& agent, bool write,
                     const std::function<Result<bool>()>& exchange) {
            return snapshots.guardRepository(agent, write, exchange);
        },
        [&scripts](const store::AgentRecord& agent) { scripts.afterPush(agent.id); });

    http::Services handlers{agents, console, files,  keys,      snapshots,
                            git,    secrets, skills, templates, scripts};
    http::ApiAuthenticator authenticator(keys, agents);
    EngineUpstream upstream(agents);
    http::HttpServerOptions serverOptions;
    serverOptions.listenAddress = listen->first;
    serverOptions.port = listen->second;
    serverOptions.baseDomain = o.baseDomain;
    serverOptions.forwardedHeaders = false;  // see HttpServerOptions::forwardedHeaders
    // Git pushes are the largest bodies; every other route sets its own, lower limit.
    serverOptions.maxBodyBytes = http::kGitPushMaxBodyBytes;
    http::HttpServer server(serverOptions, http::BuildRoutes(handlers),
                            http::HttpServerDeps{authenticator, &upstream, nullptr});

    // Signals are taken by sigwait below, so block them before any thread starts.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
    ::signal(SIGPIPE, SIG_IGN);

    Status started = server.start();
    if (!started.ok())
        return fail(started);
    auto reconciled = agents.reconcile();
    if (!reconciled.ok())
        return fail(reconciled.status());
    snapshots.startAutoSync();
    spdlog::info(
        "pinfold serving on http://{}:{} (agents at http://<id>.{}:{}), data in {}, "
        "{} agent(s) started, {} hub skill(s) from {}",
        listen->first, server.port(), o.baseDomain, server.port(), data->layout.root, *reconciled,
        hub.skills().size(), hubDir.empty() ? "nowhere" : hubDir);

    int signal = 0;
    sigwait(&stopSignals, &signal);
    spdlog::info("pinfold: signal {} received, stopping", signal);
    server.stop();
    return 0;  // the supervisor's destructor stops every agent
}

}  // namespace

void AddServeCommand(CLI::App& app, int& exitCode) {
    auto o = std::make_shared<ServeOptions>();
    CLI::App* serve = app.add_subcommand("serve", "Run the server");
    serve->add_option("--data", o->dataDir, "Data folder")
        ->envname("PINFOLD_DATA")
        ->capture_default_str();
    serve
        ->add_option("--master-key-file", o->masterKeyFile,
                     "The master key every secret and API key hangs on (created 0600 when "
                     "missing; default <data>/master.key)")
        ->envname("PINFOLD_MASTER_KEY_FILE");
    serve->add_option("--listen", o->listen, "Address and port")
        ->envname("PINFOLD_LISTEN")
        ->capture_default_str();
    serve->add_option("--base-domain", o->baseDomain, "Agents answer at <id>.<base domain>")
        ->envname("PINFOLD_BASE_DOMAIN")
        ->capture_default_str();
    serve->add_option("--engines", o->enginesFile, "Engines file (JSON) adding to the built-ins")
        ->envname("PINFOLD_ENGINES");
    serve->add_option("--engines-dir", o->enginesDir, "Installed engines (default <data>/engines)")
        ->envname("PINFOLD_ENGINES_DIR");
    serve->add_option("--agent-limit", o->agentLimit, "Agents per workspace")
        ->envname("PINFOLD_AGENT_LIMIT")
        ->capture_default_str();
    serve
        ->add_option("--template-file-root", o->templateFileRoots,
                     "A folder whose git repositories file:// template URLs may name "
                     "(repeatable; default: none, file:// URLs are refused)")
        ->envname("PINFOLD_TEMPLATE_FILE_ROOT");
    serve->add_option("--first-uid", o->firstUid, "First host uid given to agents")
        ->envname("PINFOLD_FIRST_UID")
        ->capture_default_str();
    serve->add_option("--agent-memory", o->agentMemoryMb, "Memory limit per agent, MB (0: none)")
        ->envname("PINFOLD_AGENT_MEMORY")
        ->capture_default_str();
    serve->add_option("--agent-pids", o->agentPids, "Process limit per agent (0: none)")
        ->envname("PINFOLD_AGENT_PIDS")
        ->capture_default_str();
    serve->add_option("--secret-limit", o->secretLimit, "Secrets per workspace")
        ->envname("PINFOLD_SECRET_LIMIT")
        ->capture_default_str();
    serve
        ->add_option("--hub-dir", o->hubDir,
                     "The ClawHub catalog (<owner>/<name>/{hub.json,skill/}; default: hub/ next "
                     "to the build folder of this binary, when present)")
        ->envname("PINFOLD_HUB_DIR");
    serve
        ->add_option("--snapshot-interval", o->snapshotIntervalSeconds,
                     "Seconds between automatic snapshots of changed workspaces (0: off)")
        ->envname("PINFOLD_SNAPSHOT_INTERVAL")
        ->capture_default_str();
    serve
        ->add_option("--build-timeout", o->buildTimeoutSeconds,
                     "Seconds an agent's build script may run before it is killed")
        ->envname("PINFOLD_BUILD_TIMEOUT")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    serve->callback([o, &exitCode] { exitCode = Serve(*o); });
}

}  // namespace pinfold::cli
