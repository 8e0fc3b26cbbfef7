// Skill packages: a skill is a folder holding SKILL.md (YAML front matter with `name` and an
// optional `description`) and an optional `.env.example` naming the environment variables it
// needs. Its identity is the folder's UnixFS CID (CIDv1, the importer's defaults).
//
// ExtractSkillArchive unpacks an uploaded tar or tar.gz, treating it as hostile; ReadSkillFolder
// reads and checks a skill folder; ImportSkillFolder adds its blocks to a sink and names its CID.
// Stateless functions; calls are independent and may run concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "content/blocks.h"
#include "core/result.h"

namespace pinfold::services {

struct SkillArchiveLimits {
    uint64_t maxTotalBytes = 32 << 20;  // file bytes, all entries together
    uint64_t maxFileBytes = 16 << 20;   // one file
    uint64_t maxEntries = 2000;         // every entry read, folders and skipped junk included
    // Headers, pax records and padding, all entries together: bounds the work an archive can
    // cause with metadata alone.
    uint64_t maxHeaderBytes = 8 << 20;
    size_t maxDepth = 16;        // folders above a file, after stripping (see below)
    size_t maxNameBytes = 1024;  // an entry's whole name as stored in the archive
};

// Unpacks a tar archive, gzip-compressed or not, into destDir, an existing empty folder.
//
// Only regular files (written 0644) and folders (0755) are created; archive modes, owners and
// times are dropped, as the skill's CID does not record them. Every entry is read and checked
// before anything is written, so a refused archive leaves destDir empty; the whole unpacked
// content is held in memory meanwhile (at most maxTotalBytes). Files are created with
// O_EXCL | O_NOFOLLOW through folders opened with O_NOFOLLOW, so nothing is ever followed.
//
// Names: leading "./" and "." parts are dropped and "a//b" reads as "a/b"; the entry "./" itself
// is the root and adds nothing. When every entry lies in one top-level folder ("my-skill/..."),
// that folder is stripped, so destDir receives its contents. Skipped as junk: macOS AppleDouble
// files (a last part starting with "._") and anything under a top-level "__MACOSX" folder. pax
// and GNU extension headers are consumed by libarchive and never appear as entries.
//
// Limits are checked on each header before its data is read or skipped (libarchive decompresses
// skipped data too), so a compression bomb costs no more than the limits allow.
//
// Errors: InvalidArgument "Invalid skill archive: <reason>" when the bytes are not a tar or
// tar.gz; InvalidArgument naming the entry for a symlink, hardlink, device, FIFO or socket, an
// absolute name, a ".." part, an empty name, a name over maxNameBytes or with a part over 255
// bytes, nesting deeper than maxDepth, a file listed twice or both a file and a folder;
// TooLarge for maxTotalBytes, maxFileBytes, maxEntries and maxHeaderBytes; Internal when
// writing fails.
Status ExtractSkillArchive(std::string_view archive, const std::string& destDir,
                           const SkillArchiveLimits& limits = {});

struct SkillEnvVar {
    std::string name;
    std::optional<std::string> description;
};

struct SkillManifest {
    std::string name;
    std::optional<std::string> description;  // absent, or empty after trimming: nullopt
    std::vector<SkillEnvVar> envVars;        // in .env.example order
};

inline constexpr size_t kMaxSkillNameLength = 64;
inline constexpr size_t kMaxSkillDescriptionLength = 1024;  // code points
inline constexpr size_t kMaxSkillMdBytes = 1 << 20;
inline constexpr size_t kMaxEnvExampleBytes = 64 << 10;

// Reads <dir>/SKILL.md and, when present, <dir>/.env.example (both must be regular files; a
// symlink is refused, never followed).
//
// SKILL.md starts with front matter between two "---" lines (a UTF-8 BOM and CRLF line ends are
// accepted). Its top-level keys are read as a small YAML subset: `name` and `description` take a
// plain, 'single-' or "double-quoted" scalar (which may continue on more-indented lines, folded
// with spaces) or a `|` / `>` block scalar; any other key, and whatever is nested under it
// (`metadata:` maps), is skipped. `name` must be 1-64 letters, digits, hyphens or underscores;
// `description` must be UTF-8 of at most 1024 characters and is trimmed.
//
// .env.example: each `NAME=value` line (optionally `export NAME=value`) declares a variable whose
// name must match [A-Za-z_][A-Za-z0-9_]*; a `# comment` on the line right above describes it.
// Values are never read. Blank lines and other comments are ignored.
//
// Errors are InvalidArgument naming the file and the field or line: "SKILL.md is missing",
// "SKILL.md: front matter is missing", "SKILL.md: name is missing", "SKILL.md: name must use
// letters, digits, hyphens and underscores", ".env.example: line 3: "a-b" is not a valid
// environment variable name"; TooLarge "SKILL.md is larger than 1048576 bytes".
Result<SkillManifest> ReadSkillFolder(const std::string& dir);

// The same checks on text already in memory, for callers (and tests) without a folder.
Result<SkillManifest> ParseSkillMd(std::string_view text);
Result<std::vector<SkillEnvVar>> ParseEnvExample(std::string_view text);

struct ImportedSkill {
    SkillManifest manifest;
    std::string skillCid;     // CIDv1 base32, "bafy..."
    uint64_t totalBytes = 0;  // sum of the files' sizes
};

// ReadSkillFolder, then content::ImportFolder with default options: every block goes to sink.
Result<ImportedSkill> ImportSkillFolder(const std::string& dir, content::BlockSink& sink);

}  // namespace pinfold::services
