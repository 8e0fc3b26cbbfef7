// DataLayout: where each piece of the server's state lives under the data folder. One place,
// so the sandbox rules ("an agent never sees the server's data") can be checked against it.
#pragma once

#include <string>

namespace pinfold::services {

struct DataLayout {
    std::string root;  // --data, e.g. ./data (made absolute at start)

    std::string database() const { return root + "/pinfold.db"; }
    std::string masterKey() const { return root + "/master.key"; }
    std::string agentsDir() const { return root + "/agents"; }
    std::string agentDir(const std::string& id) const { return agentsDir() + "/" + id; }
    // Mounted at /home/node in the agent's sandbox; owned by the agent's host uid.
    std::string agentHome(const std::string& id) const { return agentDir(id) + "/home"; }
    // The git folder of the agent's repository (work tree: home/clawd). Outside the home, so the
    // agent cannot rewrite its history or plant hooks and config that the server's git would run.
    std::string agentRepository(const std::string& id) const { return agentDir(id) + "/repo.git"; }
    // Snapshot blocks of every agent, by CID (content/BlockStore).
    std::string blocks() const { return root + "/blocks"; }
    // Outside the home, so the agent cannot rewrite its own history.
    std::string agentLog(const std::string& id) const { return agentDir(id) + "/agent.log"; }
};

}  // namespace pinfold::services
