// FileService: reads files from an agent's view and stores uploads in its workspace/uploads/.
// Every path is resolved inside the agent's root with the agent's own file-system uid (see
// sandbox/safe_files.h), so `..`, absolute paths and symlinks never reach the host. Thread-safe.
#pragma once

#include <string>

#include "core/result.h"
#include "runtime/supervisor.h"
#include "services/agent_service.h"
#include "services/data_layout.h"

namespace pinfold::services {

constexpr size_t kMaxFileBytes = 5 * 1024 * 1024;

struct UploadedFile {
    std::string path;  // where it is inside the agent: /home/node/clawd/workspace/uploads/<name>
    std::string filename;  // the sanitised name
    size_t size = 0;
};

class FileService {
  public:
    FileService(AgentService& agents, runtime::Supervisor& supervisor, DataLayout layout);

    // path: relative to /home/node/clawd, or absolute in the agent's view. Files under /home/node
    // are readable while the agent is stopped; the rest of its view only while it runs.
    Result<std::string> read(const std::string& workspace, const std::string& agentId,
                             const std::string& path);
    Result<UploadedFile> upload(const std::string& workspace, const std::string& agentId,
                                const std::string& filename, const std::string& contentBase64);

  private:
    AgentService& agents_;
    runtime::Supervisor& supervisor_;
    const DataLayout layout_;
};

// "my report.pdf" -> "my_report.pdf"; "../../x" -> "x"; InvalidArgument for "", ".", "..".
Result<std::string> SanitizeUploadName(const std::string& filename);

}  // namespace pinfold::services
