#include "content/block_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "content/import_options.h"
#include "content/multibase.h"

namespace pinfold::content {
namespace {

std::string FileName(const Cid& cid) {
    return kBase32LowerPrefix + Base32LowerEncode(cid.bytes());
}

Status MakeFolder(const std::string& path) {
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
        return Status::Internal("Cannot create " + path + ": " + std::strerror(errno));
    return Status::Ok();
}

Status WriteAll(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return Status::Internal(std::string("Cannot write a block: ") + std::strerror(errno));
        data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
}

}  // namespace

BlockStore::BlockStore(std::string root, BlockStoreOptions options)
    : root_(std::move(root)), options_(options) {}

std::string BlockStore::pathOf(const Cid& cid) const {
    std::string name = FileName(cid);
    return root_ + "/" + name.substr(name.size() - 2) + "/" + name;
}

Status BlockStore::put(const Cid& cid, std::string_view block) {
    std::string path = pathOf(cid);
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && static_cast<uint64_t>(st.st_size) == block.size())
        return Status::Ok();
    std::string folder = path.substr(0, path.rfind('/'));
    PINFOLD_TRY(MakeFolder(root_));
    PINFOLD_TRY(MakeFolder(folder));

    std::string temp = folder + "/.tmp-XXXXXX";
    int fd = ::mkostemp(temp.data(), O_CLOEXEC);  // mode 0600
    if (fd < 0)
        return Status::Internal("Cannot create a block in " + folder + ": " + std::strerror(errno));
    Status s = WriteAll(fd, block);
    if (s.ok() && options_.syncWrites && ::fdatasync(fd) != 0)
        s = Status::Internal(std::string("Cannot sync a block: ") + std::strerror(errno));
    if (::close(fd) != 0 && s.ok())
        s = Status::Internal(std::string("Cannot write a block: ") + std::strerror(errno));
    if (s.ok() && ::rename(temp.c_str(), path.c_str()) != 0)
        s = Status::Internal("Cannot store block " + cid.ToString() + ": " + std::strerror(errno));
    if (!s.ok())
        ::unlink(temp.c_str());
    return s;
}

Result<std::string> BlockStore::get(const Cid& cid) const {
    std::string path = pathOf(cid);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT)
        return Status::NotFound("Block " + cid.ToString() + " not found");
    if (fd < 0)
        return Status::Internal("Cannot read block " + cid.ToString() + ": " +
                                std::strerror(errno));
    std::string block;
    struct stat st;
    bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
              static_cast<uint64_t>(st.st_size) <= kMaxBlockSize;
    if (ok) {
        block.resize(static_cast<size_t>(st.st_size));
        size_t done = 0;
        while (done < block.size()) {
            ssize_t n = ::read(fd, block.data() + done, block.size() - done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            done += static_cast<size_t>(n);
        }
        block.resize(done);
    }
    ::close(fd);
    if (!ok || !cid.Matches(block))
        return Status::Internal("Block " + cid.ToString() + " is corrupt");
    return block;
}

bool BlockStore::has(const Cid& cid) const {
    struct stat st;
    return ::stat(pathOf(cid).c_str(), &st) == 0;
}

}  // namespace pinfold::content
