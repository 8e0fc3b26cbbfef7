#include "support/server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace pinfold::testing {
namespace {

bool CanConnect(uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

}  // namespace

std::string PinfoldBinary() {
    return PINFOLD_BINARY;
}
std::string SourceDir() {
    return PINFOLD_SOURCE_DIR;
}

uint16_t FreePort() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

ServerProcess::ServerProcess(ServerOptions options) : options_(std::move(options)) {
    dataDir_ = options_.dataDir.empty() ? temp_.file("data") : options_.dataDir;
    if (options_.enginesFile.empty()) {
        options_.enginesFile = SourceDir() + "/tests/engines/engines.json";
    }
    port_ = FreePort();
    start();
}

ServerProcess::~ServerProcess() {
    stop();
}

void ServerProcess::start() {
    std::vector<std::string> args = {PinfoldBinary(), "serve", "--data", dataDir_, "--listen",
                                     "127.0.0.1:" + std::to_string(port_), "--engines",
                                     options_.enginesFile,
                                     // Servers of parallel tests must not hand out the same uids.
                                     "--first-uid", std::to_string(300000 + port_ * 1000)};
    args.insert(args.end(), options_.extraArgs.begin(), options_.extraArgs.end());
    std::string logPath = temp_.file("server.log");
    pid_ = ::fork();
    if (pid_ == 0) {
        int log = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        ::dup2(log, STDOUT_FILENO);
        ::dup2(log, STDERR_FILENO);
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!CanConnect(port_)) {
        int status;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("pinfold serve exited at start:\n" + log());
        }
        if (std::chrono::steady_clock::now() > deadline) {
            throw std::runtime_error("pinfold serve did not listen within 20 s:\n" + log());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

void ServerProcess::stop() {
    if (pid_ <= 0)
        return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 300; ++i) {
        int status;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
}

void ServerProcess::restart() {
    stop();
    start();
}

std::string ServerProcess::log() const {
    std::ifstream in(temp_.file("server.log"));
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string ServerProcess::createKey(const std::string& workspace) const {
    int code = 0;
    std::string masterKey;
    const auto& args = options_.extraArgs;
    for (size_t i = 0; i + 1 < args.size(); ++i) {
        if (args[i] == "--master-key-file")
            masterKey = " --master-key-file " + args[i + 1];
    }
    std::string out = RunShell(PinfoldBinary() + " keys create --data " + dataDir_ + masterKey +
                                   " --workspace " + workspace + " 2>/dev/null",
                               &code);
    if (code != 0)
        throw std::runtime_error("pinfold keys create failed");
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
        out.pop_back();
    size_t nl = out.find_last_of('\n');
    return nl == std::string::npos ? out : out.substr(nl + 1);
}

}  // namespace pinfold::testing
