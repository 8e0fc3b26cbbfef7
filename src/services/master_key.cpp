#include "services/master_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "crypto/hash.h"
#include "crypto/random.h"

namespace pinfold::services {
namespace {

constexpr size_t kMasterKeyBytes = 32;

Result<std::string> ReadKeyFile(int fd, const std::string& path) {
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return Status::Internal("Master key " + path + " is not a regular file");
    // Like ssh with a private key: a key others can read is refused rather than used.
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
        return Status::Internal("Master key " + path + " is readable by other users (mode " + mode +
                                "); run chmod 600 on it");
    }
    std::string key(kMasterKeyBytes + 1, '\0');
    ssize_t n = ::read(fd, key.data(), key.size());
    if (n != static_cast<ssize_t>(kMasterKeyBytes)) {
        return Status::Internal("Master key file " + path + " is damaged: expected " +
                                std::to_string(kMasterKeyBytes) + " bytes");
    }
    key.resize(kMasterKeyBytes);
    return key;
}

}  // namespace

Result<std::string> LoadOrCreateMasterKey(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0) {
        auto key = ReadKeyFile(fd, path);
        ::close(fd);
        return key;
    }
    if (errno != ENOENT) {
        return Status::Internal("Cannot open master key " + path + ": " + std::strerror(errno));
    }
    // O_EXCL: two processes starting at once must not each write a different key.
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return LoadOrCreateMasterKey(path);
        return Status::Internal("Cannot create master key " + path + ": " + std::strerror(errno));
    }
    std::string key = crypto::RandomBytes(kMasterKeyBytes);
    bool written =
        ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!written) {
        ::unlink(path.c_str());
        return Status::Internal("Cannot write master key " + path);
    }
    return key;
}

std::string DeriveKey(const std::string& masterKey, const std::string& info) {
    return crypto::Hkdf(masterKey, "pinfold", info, 32);
}

}  // namespace pinfold::services
