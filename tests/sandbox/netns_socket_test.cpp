#include "sandbox/netns_socket.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <fstream>

#include "sandbox/ns_exec.h"
#include "sandbox/sandbox_fixture.h"

namespace pinfold::sandbox {
namespace {

using std::chrono::milliseconds;

std::string NetNs(const std::string& self) {
    char buf[128];
    ssize_t n = ::readlink(self.c_str(), buf, sizeof buf);
    return n > 0 ? std::string(buf, n) : "";
}

// One HTTP/1.0 GET over `fd`; returns the body.
std::string HttpGet(int fd, const std::string& path) {
    std::string req = "GET " + path + " HTTP/1.0\r\nHost: x\r\n\r\n";
    ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    std::string resp;
    char buf[4096];
    ssize_t n;
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0)
        resp.append(buf, n);
    size_t body = resp.find("\r\n\r\n");
    return body == std::string::npos ? resp : resp.substr(body + 4);
}

class NetnsSocket : public test::SandboxFixture {
  protected:
    Box& startServer(const std::string& name, uint32_t k) {
        Box& box = start(name, k,
                         {"/usr/bin/python3", "-m", "http.server", "--bind", "127.0.0.1", "18789"});
        std::ofstream(box.home + "/clawd/name.txt") << "I am " << name << "\n";
        return box;
    }

    Result<int> connectWhenListening(pid_t pid) {
        Result<int> fd = Status::Unavailable("not tried");
        test::WaitFor([&] {
            fd = ConnectInNetns(pid, 18789, milliseconds(1000));
            return fd.ok();
        });
        return fd;
    }
};

TEST_F(NetnsSocket, TwoAgentsListenOnTheSamePortAndEachIsReached) {
    Box& one = startServer("agent-one", 0);
    Box& two = startServer("agent-two", 1);
    std::string ownNs = NetNs("/proc/thread-self/ns/net");

    Result<int> a = connectWhenListening(one.enginePid);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    Result<int> b = connectWhenListening(two.enginePid);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    EXPECT_EQ(HttpGet(*a, "/name.txt"), "I am agent-one\n");
    EXPECT_EQ(HttpGet(*b, "/name.txt"), "I am agent-two\n");
    ::close(*a);
    ::close(*b);
    // The calling thread never left its own network namespace.
    EXPECT_EQ(NetNs("/proc/thread-self/ns/net"), ownNs);
}

TEST_F(NetnsSocket, NothingListeningIsUnavailable) {
    Box& box = start("agent-one", 0, {"sleep", "100000"});
    Result<int> fd = ConnectInNetns(box.enginePid, 18789, milliseconds(1000));
    ASSERT_FALSE(fd.ok());
    EXPECT_EQ(fd.status().ToString(), "Unavailable: Nothing listens on port 18789");
    Result<int> gone = ConnectInNetns(999999999, 18789, milliseconds(1000));
    EXPECT_EQ(gone.status().ToString(), "NotFound: Sandbox process 999999999 not found");
}

TEST_F(NetnsSocket, TheServerCanListenInsideTheAgentsNamespace) {
    Box& box = start("agent-one", 0, {"sleep", "100000"});
    Result<int> listener = ListenInNetns(box.enginePid, 7000);
    ASSERT_TRUE(listener.ok()) << listener.status().ToString();
    Result<ProcessOutput> sent = ExecInNamespaces(
        box.enginePid, 1000,
        "python3 -c \"import socket; s=socket.create_connection(('127.0.0.1', 7000)); "
        "s.sendall(b'hello from inside'); s.close()\"",
        "/", milliseconds(10000), 4096);
    ASSERT_TRUE(sent.ok());
    EXPECT_EQ(sent->exitCode, 0) << sent->stderrText;
    pollfd p{*listener, POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 10000), 1);
    int conn = ::accept(*listener, nullptr, nullptr);
    ASSERT_GE(conn, 0);
    char buf[64];
    ssize_t n = ::recv(conn, buf, sizeof buf, 0);
    EXPECT_EQ(std::string(buf, n > 0 ? n : 0), "hello from inside");
    ::close(conn);
    ::close(*listener);
}

}  // namespace
}  // namespace pinfold::sandbox
