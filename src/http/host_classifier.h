// HostClassifier: tells the management host from an agent's own host by the Host header.
//
// `{agentId}.<base domain>[:port]` (case-insensitive; agentId is [a-z0-9]{1,63}) is the host of
// agent `agentId`; every other host, IP literals included, is the management host. Immutable after
// construction, so classify() is safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace pinfold::http {

// Which host a request reached.
struct HostInfo {
    bool isAgentHost = false;
    std::string agentId;  // lower-cased; empty on the management host
};

class HostClassifier {
  public:
    // `baseDomain` like "agents.localhost"; compared case-insensitively, a trailing dot ignored.
    explicit HostClassifier(std::string baseDomain);

    HostInfo classify(std::string_view hostHeader) const;

    const std::string& baseDomain() const { return baseDomain_; }

  private:
    std::string baseDomain_;  // lower-cased, without a trailing dot
};

}  // namespace pinfold::http
