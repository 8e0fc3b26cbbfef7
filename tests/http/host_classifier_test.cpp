#include "http/host_classifier.h"

#include <gtest/gtest.h>

namespace pinfold::http {
namespace {

std::string Classify(const HostClassifier& c, std::string_view host) {
    HostInfo info = c.classify(host);
    return info.isAgentHost ? "agent " + info.agentId : "management";
}

TEST(HostClassifier, AgentHostsAreIdDotBaseDomain) {
    HostClassifier c("agents.localhost");
    EXPECT_EQ(Classify(c, "x1234abc.agents.localhost:8080"), "agent x1234abc");
    EXPECT_EQ(Classify(c, "x1234abc.agents.localhost"), "agent x1234abc");
    EXPECT_EQ(Classify(c, "X1234ABC.Agents.LocalHost:80"), "agent x1234abc");
    EXPECT_EQ(Classify(c, "x1234abc.agents.localhost.:8080"), "agent x1234abc");
    EXPECT_EQ(Classify(c, std::string(63, 'a') + ".agents.localhost"),
              "agent " + std::string(63, 'a'));
}

TEST(HostClassifier, EverythingElseIsManagement) {
    HostClassifier c("agents.localhost");
    for (std::string host : std::vector<std::string>{
             "agents.localhost:8080", "127.0.0.1:8080", "localhost", "", "[::1]:8080",
             "a.b.agents.localhost", "x-1.agents.localhost", "x_1.agents.localhost",
             ".agents.localhost", "xagents.localhost", "x1.agents.localhost.evil.com",
             "x1.agents.localhost:80x", std::string(64, 'a') + ".agents.localhost"}) {
        EXPECT_EQ(Classify(c, host), "management") << host;
    }
}

TEST(HostClassifier, BaseDomainIsNormalised) {
    HostClassifier c("Agents.Example.COM.");
    EXPECT_EQ(c.baseDomain(), "agents.example.com");
    EXPECT_EQ(Classify(c, "xa.agents.example.com"), "agent xa");
}

}  // namespace
}  // namespace pinfold::http
