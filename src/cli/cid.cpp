// `pinfold cid PATH [--cid-version 0|1] [--raw-leaves true|false]`: prints the root CID of a
// file or folder as `ipfs add --only-hash -Q` would, storing nothing. For comparing with IPFS
// tools and for bench/cid.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>

#include "cli/commands.h"
#include "content/importer.h"

namespace pinfold::cli {
namespace {

struct CidOptions {
    std::string path;
    int cidVersion = 1;
    std::string rawLeaves;  // "" = the default for the CID version
};

Result<content::Cid> RootCid(const CidOptions& o) {
    content::ImportOptions options;
    options.cidVersion = o.cidVersion;
    // As in `ipfs add`: raw leaves come with CIDv1 unless asked otherwise.
    options.rawLeaves = o.rawLeaves.empty() ? o.cidVersion == 1 : o.rawLeaves == "true";
    content::NullBlockSink sink;
    struct stat st;
    if (::stat(o.path.c_str(), &st) != 0)
        return Status::NotFound(o.path + ": " + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        PINFOLD_ASSIGN_OR_RETURN(content::ImportResult imported,
                                 content::ImportFolder(o.path, sink, options));
        return imported.root;
    }
    int fd = ::open(o.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return Status::InvalidArgument(o.path + ": " + std::strerror(errno));
    Result<content::Cid> cid = content::ImportFile(fd, sink, options);
    ::close(fd);
    return cid;
}

}  // namespace

void AddCidCommand(CLI::App& app, int& exitCode) {
    auto options = std::make_shared<CidOptions>();
    CLI::App* cid = app.add_subcommand(
        "cid", "Print the IPFS CID of a file or folder (like `ipfs add --only-hash -Q`)");
    cid->add_option("path", options->path, "File or folder")->required();
    cid->add_option("--cid-version", options->cidVersion, "CID version")
        ->check(CLI::IsMember({0, 1}))
        ->capture_default_str();
    cid->add_option("--raw-leaves", options->rawLeaves,
                    "Store chunks as raw blocks (default: true with CIDv1, false with CIDv0)")
        ->check(CLI::IsMember({"true", "false"}));
    cid->callback([options, &exitCode] {
        Result<content::Cid> root = RootCid(*options);
        if (!root.ok()) {
            std::cerr << "pinfold cid: " << root.status().message() << "\n";
            exitCode = 1;
            return;
        }
        std::cout << root->ToString() << std::endl;
    });
}

}  // namespace pinfold::cli
