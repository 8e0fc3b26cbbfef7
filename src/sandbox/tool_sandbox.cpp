#include "sandbox/tool_sandbox.h"

#include "sandbox/bwrap_launcher.h"

namespace pinfold::sandbox {

std::vector<std::string> BuildToolSandboxArgs(const ToolSandboxSpec& spec) {
    std::vector<std::string> a = {
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--uid",
        std::to_string(kSandboxUid),
        "--gid",
        std::to_string(kSandboxUid),
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--setenv",
        "HOME",
        kSandboxHome,
        "--setenv",
        "PATH",
        kDefaultPath,
    };
    for (const auto& [key, value] : spec.env)
        a.insert(a.end(), {"--setenv", key, value});
    AppendSystemFolders(a);
    a.insert(a.end(), {"--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"});
    a.insert(a.end(), {"--bind", spec.homeDir, kSandboxHome});
    for (const auto& b : spec.binds)
        a.insert(a.end(), {b.readOnly ? "--ro-bind" : "--bind", b.hostPath, b.sandboxPath});
    if (spec.shareNetwork)
        a.push_back("--share-net");
    a.insert(a.end(), {"--chdir", spec.cwd});
    return a;
}

Result<ProcessOutput> RunInAgentView(const ToolSandboxSpec& spec,
                                     const std::vector<std::string>& argv, RunOptions options) {
    if (spec.hostUid == 0)
        return Status::InvalidArgument("Tools never run as root on an agent's files");
    std::vector<std::string> command = {"bwrap"};
    std::vector<std::string> args = BuildToolSandboxArgs(spec);
    command.insert(command.end(), args.begin(), args.end());
    command.push_back("--");
    command.insert(command.end(), argv.begin(), argv.end());
    options.env = {std::string("PATH=") + kDefaultPath};
    options.cwd.clear();
    options.runAsUid = spec.hostUid;
    return RunProcess(command, options);
}

}  // namespace pinfold::sandbox
