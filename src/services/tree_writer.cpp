#include "services/tree_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pinfold::services {

Status WriteAllToFd(int fd, std::string_view data, std::string_view what) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            return Status::Internal("cannot write " + std::string(what) + ": " +
                                    (n < 0 ? std::strerror(errno) : "no progress"));
        }
        data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
}

Status WriteTreeFromBlocks(sandbox::AgentFileAccess& files, const std::string& prefix,
                           const content::Cid& root, const content::BlockSource& blocks,
                           const TreeWriteOptions& options) {
    sandbox::UniqueFd current;
    content::ExportVisitor visitor;
    visitor.symlink = [&](const std::string& path, const std::string& target) {
        if (options.symlinks == TreeSymlinks::kRefuse) {
            return Status::InvalidArgument("Validation failed: " + options.what +
                                           " must not hold symlinks (" + path + ")");
        }
        return files.createSymlink(prefix + path, target);
    };
    visitor.beginFile = [&](const std::string& path) -> Status {
        PINFOLD_ASSIGN_OR_RETURN(current, files.createFile(prefix + path));
        return Status::Ok();
    };
    visitor.fileData = [&](std::string_view chunk) {
        return WriteAllToFd(current.get(), chunk, "a file of the agent");
    };
    visitor.endFile = [&]() {
        current.reset();
        return Status::Ok();
    };
    return content::ExportTree(root, blocks, visitor, options.limits);
}

}  // namespace pinfold::services
