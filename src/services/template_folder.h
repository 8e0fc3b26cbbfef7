// ValidateTemplateFolder: checks a template repository that is on disk (a checkout, or a folder
// the CLI is pointed at). A template must hold manifest.json (checked by ValidateManifest),
// README.md (the marketplace description) and a workspace/ folder.
//
// The folder is untrusted: nothing below it is followed through a symlink. A symlinked
// manifest.json, README.md or workspace/ is an error; other symlinks are listed as files.
// Reads are bounded (manifest 1 MiB, README 256 KiB, 10,000 files listed).
//
// Thread-safe: calls share nothing.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "services/manifest.h"

namespace pinfold::services {

inline constexpr size_t kMaxReadmeBytes = 256 << 10;
inline constexpr size_t kMaxTemplateFiles = 10'000;
inline constexpr int kMaxTemplateDepth = 64;

struct TemplateFolderCheck {
    // File problems and manifest errors, in this order: manifest.json, README.md, workspace/.
    std::vector<std::string> errors;
    std::optional<Manifest> manifest;  // set when manifest.json is valid
    std::string manifestText;          // manifest.json as read; "" when it could not be read
    std::string readme;  // README.md, cut at kMaxReadmeBytes, invalid UTF-8 replaced by U+FFFD
    // Paths of regular files and symlinks relative to the folder, sorted; `.git` folders (and
    // `.git` files) at any depth are left out. Names that are not UTF-8 get U+FFFD.
    std::vector<std::string> files;
    // More than kMaxTemplateFiles files, or folders deeper than kMaxTemplateDepth: `files`
    // holds only part of the tree.
    bool filesTruncated = false;

    bool valid() const { return errors.empty(); }
};

// Errors (the folder itself, not its content): NotFound "<dir>: No such file or directory",
// InvalidArgument "<dir>: Not a directory" or another reason it cannot be opened.
Result<TemplateFolderCheck> ValidateTemplateFolder(const std::string& dir);

}  // namespace pinfold::services
