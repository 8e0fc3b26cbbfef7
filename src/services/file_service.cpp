#include "services/file_service.h"

#include "core/text.h"
#include "crypto/base64.h"
#include "sandbox/safe_files.h"
#include "services/console_service.h"

namespace pinfold::services {
namespace {

constexpr std::string_view kHome = "/home/node/";

bool SafeNameByte(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-' || c >= 0x80;  // UTF-8 letters are kept whole
}

}  // namespace

Result<std::string> SanitizeUploadName(const std::string& filename) {
    if (!Utf8Length(filename))
        return Status::InvalidArgument("Invalid filename: not UTF-8");
    std::string_view base = filename;
    size_t slash = base.find_last_of("/\\");
    if (slash != std::string_view::npos)
        base.remove_prefix(slash + 1);
    std::string safe;
    safe.reserve(base.size());
    for (char ch : base)
        safe += SafeNameByte(static_cast<unsigned char>(ch)) ? ch : '_';
    if (safe.empty() || safe == "." || safe == "..") {
        return Status::InvalidArgument("Invalid filename");
    }
    if (safe.size() > 255)
        return Status::InvalidArgument("Invalid filename: longer than 255 bytes");
    return safe;
}

FileService::FileService(AgentService& agents, runtime::Supervisor& supervisor, DataLayout layout)
    : agents_(agents), supervisor_(supervisor), layout_(std::move(layout)) {}

Result<std::string> FileService::read(const std::string& workspace, const std::string& agentId,
                                      const std::string& path) {
    if (path.empty() || path.find('\0') != std::string::npos) {
        return Status::InvalidArgument("Invalid path");
    }
    PINFOLD_ASSIGN_OR_RETURN(AgentView agent, agents_.get(workspace, agentId));
    std::string inAgent = ResolveAgentPath(path);
    if (inAgent.compare(0, kHome.size(), kHome) == 0) {
        // The home folder is the same files inside and outside the sandbox.
        return sandbox::ReadFileInRoot(layout_.agentHome(agent.record.id),
                                       inAgent.substr(kHome.size()), agent.record.hostUid,
                                       kMaxFileBytes);
    }
    auto root = supervisor_.sandboxRoot(agent.record.id);
    if (!root)
        return Status::NotFound("File not found");
    return sandbox::ReadFileInRoot(*root, inAgent, agent.record.hostUid, kMaxFileBytes);
}

Result<UploadedFile> FileService::upload(const std::string& workspace, const std::string& agentId,
                                         const std::string& filename,
                                         const std::string& contentBase64) {
    PINFOLD_ASSIGN_OR_RETURN(std::string name, SanitizeUploadName(filename));
    if (contentBase64.rfind("data:", 0) == 0) {
        return Status::InvalidArgument(
            "Invalid base64: send plain base64 without a data: URL prefix");
    }
    // Base64 grows 4/3; refuse before decoding what cannot fit.
    if (contentBase64.size() > (kMaxFileBytes + 2) / 3 * 4) {
        return Status::TooLarge("File too large");
    }
    auto bytes = crypto::Base64Decode(contentBase64);
    if (!bytes)
        return Status::InvalidArgument("Invalid base64 content");
    if (bytes->size() > kMaxFileBytes)
        return Status::TooLarge("File too large");

    PINFOLD_ASSIGN_OR_RETURN(AgentView agent, agents_.get(workspace, agentId));
    std::string relative = "clawd/workspace/uploads/" + name;
    auto written =
        sandbox::WriteFileInRoot(layout_.agentHome(agent.record.id), relative, agent.record.hostUid,
                                 *bytes, sandbox::WriteMode::kCreateParents);
    if (!written.ok())
        return written.status();
    return UploadedFile{std::string(kHome) + relative, name, bytes->size()};
}

}  // namespace pinfold::services
