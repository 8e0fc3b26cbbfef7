// Helpers for the content tests: hex, pseudo-random bytes, files on disk and in memory, DAGs
// rendered as text, and the npm reference tools in tests/node.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <string_view>

#include "content/cid.h"
#include "core/result.h"
#include "crypto/hash.h"
#include "support/temp_dir.h"

namespace pinfold::content::testutil {

inline std::string Hex(std::string_view bytes) {
    return crypto::ToHex(bytes);
}

inline std::string Unhex(std::string_view hex) {
    std::string out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2)
        out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
    return out;
}

// The same bytes for the same seed on every machine (mt19937_64 is fully specified).
inline std::string PseudoRandomBytes(size_t size, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::string out(size, '\0');
    for (size_t i = 0; i < size; i += 8) {
        uint64_t v = rng();
        for (size_t j = 0; j < 8 && i + j < size; ++j)
            out[i + j] = static_cast<char>(v >> (8 * j));
    }
    return out;
}

// Writes `bytes` to `path`, making its folders.
inline void WriteFile(const std::string& path, std::string_view bytes) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// A TreeEntry::open that serves `bytes` from a memfd (a regular file in memory).
inline std::function<Result<int>()> MemoryContent(std::string bytes) {
    return [bytes]() -> Result<int> {
        int fd = ::memfd_create("content-test", MFD_CLOEXEC);
        if (fd < 0 || ::write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size()))
            return Status::Internal("memfd failed");
        return fd;
    };
}

inline const std::string kNodeDir = std::string(PINFOLD_SOURCE_DIR) + "/tests/node";
inline const std::string kNodeSetupHint =
    "node and the npm packages in tests/node are required: run scripts/install-test-deps "
    "(or `npm install --prefix tests/node`) from the repository root";

// Fails the test unless node and the packages the content tests compare against are there.
inline void RequireNodePackages() {
    int exitCode = -1;
    testing::RunShell("node --version 2>&1", &exitCode);
    ASSERT_EQ(exitCode, 0) << kNodeSetupHint;
    for (const char* package : {"ipfs-unixfs-importer", "blockstore-core", "@ipld/car"}) {
        ASSERT_TRUE(
            std::filesystem::exists(kNodeDir + "/node_modules/" + package + "/package.json"))
            << package << " is missing. " << kNodeSetupHint;
    }
}

// Runs a script in tests/node with arguments (paths quoted by the caller's choice of names:
// temp folders only); returns stdout without the trailing newline.
inline std::string RunNode(const std::string& script, const std::string& args) {
    int exitCode = -1;
    std::string out =
        testing::RunShell("node '" + kNodeDir + "/" + script + "' " + args + " 2>&1", &exitCode);
    EXPECT_EQ(exitCode, 0) << out;
    while (!out.empty() && out.back() == '\n')
        out.pop_back();
    return out;
}

// The root CID npm ipfs-unixfs-importer computes for a file or folder.
inline std::string NodeCid(const std::string& path, const std::string& options = "") {
    return RunNode("unixfs_cid.mjs", "'" + path + "' " + options);
}

}  // namespace pinfold::content::testutil
