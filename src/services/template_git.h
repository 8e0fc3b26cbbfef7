// TemplateGit: reads template repositories with the stock git client — a shallow clone of one
// ref, or the list of a repository's branches and tags.
//
// A template's URL is the submitter's input, and what it points at is untrusted: git runs in a
// tool sandbox (sandbox/tool_sandbox.h) as an unprivileged uid of its own, seeing the system
// folders, a scratch folder and nothing of the server's data. http(s) URLs reach the network
// (any host git can reach, this server's own git endpoint included); file:// URLs are refused
// unless they lie under one of the file roots the operator named, which are bound read-only.
// Credentials in a URL (https://user:token@host/...) are used for the fetch and never appear
// in what this returns: not in displayUrl, not in an error.
//
// Thread-safe: each call clones into its own scratch folder.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace pinfold::services {

struct TemplateGitOptions {
    uint32_t uid = 0;        // the unprivileged host uid git runs as; never 0
    std::string scratchDir;  // where checkouts are made (root-owned, under the data folder)
    std::vector<std::string> fileRoots;  // folders file:// URLs may point into; none: refused
    std::chrono::milliseconds timeout{std::chrono::minutes(2)};  // per git command
    uint64_t maxCheckoutBytes = 100ull << 20;  // a template's files, .git excluded
    uint64_t maxCheckoutFiles = 10'000;        // files, symlinks and submodules of its tree
};

// A checked URL: `url` is what git is given, `displayUrl` the same without credentials.
struct GitUrl {
    std::string url;
    std::string displayUrl;
    std::string scheme;    // "http", "https" or "file"
    std::string password;  // the credential part, "" when none (for masking git's messages)
    std::string fileRoot;  // file: the root it lies under
};

struct RemoteRefs {
    std::vector<std::string> branches;  // sorted
    std::vector<std::string> tags;      // sorted
    std::optional<std::string> defaultBranch;
};

// A checkout in the scratch folder; the folder goes when this does.
class GitCheckout {
  public:
    GitCheckout(std::string scratch, std::string dir, std::string commitSha)
        : scratch_(std::move(scratch)), dir_(std::move(dir)), commitSha_(std::move(commitSha)) {}
    ~GitCheckout();
    GitCheckout(GitCheckout&& other) noexcept;
    GitCheckout& operator=(GitCheckout&&) = delete;
    GitCheckout(const GitCheckout&) = delete;

    const std::string& dir() const { return dir_; }  // the work tree, without .git
    const std::string& commitSha() const { return commitSha_; }

  private:
    friend class TemplateGit;  // sets the commit once git has named it
    std::string scratch_;
    std::string dir_;
    std::string commitSha_;
};

class TemplateGit {
  public:
    explicit TemplateGit(TemplateGitOptions options);

    // InvalidArgument "Validation failed: gitUrl ..." for anything but an http(s) URL or a
    // file:// URL under a file root.
    Result<GitUrl> parseUrl(std::string_view text) const;
    // InvalidArgument "Validation failed: ref ..." unless a branch or tag name, bare or as
    // refs/heads/<name> or refs/tags/<name>; returns the bare name.
    static Result<std::string> normalizeRef(std::string_view ref);

    // A shallow clone of `ref` (nullopt: the default branch). InvalidArgument "Could not fetch
    // <displayUrl>: <git's reason>" when git fails; TooLarge past maxCheckoutBytes or
    // maxCheckoutFiles, checked from the tree before any file is written.
    Result<GitCheckout> fetch(const GitUrl& url, const std::optional<std::string>& ref);
    Result<RemoteRefs> listRefs(const GitUrl& url);

  private:
    struct Scratch {
        std::string root;  // the folder bound as the sandbox's home
    };
    Result<Scratch> makeScratch();
    // Runs git in the sandbox with `scratch` as its home; a failure becomes InvalidArgument
    // "Could not fetch <displayUrl>: ..." with credentials masked.
    Result<std::string> runGit(const GitUrl& url, const Scratch& scratch,
                               const std::vector<std::string>& args);
    // TooLarge when the cloned commit's tree passes the file or byte limit.
    Status checkTreeSize(const GitUrl& url, const Scratch& scratch);

    const TemplateGitOptions options_;
};

}  // namespace pinfold::services
