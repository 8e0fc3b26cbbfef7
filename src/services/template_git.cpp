#include "services/template_git.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "core/text.h"
#include "crypto/random.h"
#include "sandbox/agent_home.h"
#include "sandbox/tool_sandbox.h"

namespace pinfold::services {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxUrlBytes = 2048;
constexpr size_t kMaxRefBytes = 255;
constexpr size_t kMaxGitOutputBytes = 4 << 20;
constexpr const char* kHomeInside = "/home/node";
constexpr const char* kCheckoutInside = "/home/node/checkout";

Status BadUrl(const std::string& why) {
    return Status::InvalidArgument("Validation failed: gitUrl " + why);
}

// True when `path` is `root` or below it, comparing whole components.
bool IsUnder(const fs::path& path, const fs::path& root) {
    auto [rootEnd, pathIt] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
    return rootEnd == root.end();
}

void ReplaceAll(std::string& text, const std::string& from, const std::string& to) {
    if (from.empty())
        return;
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
}

// git's own message, first lines only, with the URL and its credentials masked.
std::string GitReason(const GitUrl& url, std::string stderrText) {
    ReplaceAll(stderrText, url.url, url.displayUrl);
    ReplaceAll(stderrText, url.password, "***");
    std::string reason;
    size_t lines = 0;
    size_t start = 0;
    while (start < stderrText.size() && lines < 3) {
        size_t end = stderrText.find('\n', start);
        std::string_view line = TrimAscii(std::string_view(stderrText).substr(start, end - start));
        if (!line.empty()) {
            reason += (reason.empty() ? "" : "; ") + std::string(line);
            ++lines;
        }
        if (end == std::string::npos)
            break;
        start = end + 1;
    }
    return reason.empty() ? "git failed" : ToValidUtf8(reason);
}

}  // namespace

GitCheckout::~GitCheckout() {
    if (scratch_.empty())
        return;
    std::error_code ec;
    fs::remove_all(scratch_, ec);
}

GitCheckout::GitCheckout(GitCheckout&& other) noexcept
    : scratch_(std::move(other.scratch_)),
      dir_(std::move(other.dir_)),
      commitSha_(std::move(other.commitSha_)) {
    other.scratch_.clear();
}

TemplateGit::TemplateGit(TemplateGitOptions options) : options_(std::move(options)) {}

Result<GitUrl> TemplateGit::parseUrl(std::string_view text) const {
    if (text.empty())
        return BadUrl("is required");
    if (text.size() > kMaxUrlBytes)
        return BadUrl("must be at most " + std::to_string(kMaxUrlBytes) + " bytes");
    if (HasControlCharacter(text) || text.find(' ') != std::string_view::npos)
        return BadUrl("must not contain spaces or control characters");
    GitUrl url;
    size_t schemeEnd = text.find("://");
    if (schemeEnd != std::string_view::npos)
        url.scheme = std::string(text.substr(0, schemeEnd));
    std::transform(url.scheme.begin(), url.scheme.end(), url.scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (url.scheme == "file") {
        if (options_.fileRoots.empty())
            return BadUrl("file:// URLs are not enabled on this server (--template-file-root)");
        std::string_view rest = text.substr(schemeEnd + 3);
        // git decodes %xx in a file URL; the root check must see what git will open.
        if (rest.find('%') != std::string_view::npos)
            return BadUrl("file:// URLs must not be percent-encoded");
        fs::path path = fs::path(std::string(rest));
        if (!path.is_absolute())
            return BadUrl("must be file:// and an absolute path");
        std::error_code ec;
        fs::path real = fs::weakly_canonical(path, ec);
        if (ec)
            return BadUrl("points at a folder that cannot be read");
        if (!real.has_filename())  // "/a/b/" after a trailing ".."
            real = real.parent_path();
        for (const std::string& root : options_.fileRoots) {
            fs::path realRoot = fs::weakly_canonical(root, ec);
            if (!ec && IsUnder(real, realRoot)) {
                url.url = "file://" + real.string();
                url.displayUrl = url.url;
                url.fileRoot = realRoot.string();
                return url;
            }
        }
        return BadUrl("must lie under a template file root of this server");
    }
    if (url.scheme != "http" && url.scheme != "https")
        return BadUrl("must be an http://, https:// or file:// URL");
    std::string_view rest = text.substr(schemeEnd + 3);
    size_t authorityEnd = std::min(rest.find('/'), rest.size());
    std::string_view authority = rest.substr(0, authorityEnd);
    size_t at = authority.rfind('@');
    std::string_view host = at == std::string_view::npos ? authority : authority.substr(at + 1);
    if (host.empty())
        return BadUrl("has no host");
    if (at != std::string_view::npos) {
        std::string_view userinfo = authority.substr(0, at);
        size_t colon = userinfo.find(':');
        url.password =
            std::string(colon == std::string_view::npos ? userinfo : userinfo.substr(colon + 1));
    }
    url.url =
        url.scheme + std::string(text.substr(schemeEnd));  // git wants the scheme in lower case
    url.displayUrl =
        url.scheme + "://" + std::string(host) + std::string(rest.substr(authorityEnd));
    return url;
}

Result<std::string> TemplateGit::normalizeRef(std::string_view ref) {
    for (std::string_view prefix : {"refs/heads/", "refs/tags/"}) {
        if (ref.substr(0, prefix.size()) == prefix) {
            ref.remove_prefix(prefix.size());
            break;
        }
    }
    auto bad = [](const std::string& why) {
        return Status::InvalidArgument("Validation failed: ref " + why);
    };
    if (ref.empty() || ref.size() > kMaxRefBytes)
        return bad("must be 1-" + std::to_string(kMaxRefBytes) + " bytes");
    for (char c : ref) {
        bool allowed = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
                       c == '-' || c == '/' || c == '+';
        if (!allowed)
            return bad("may hold only letters, digits and . _ - / +");
    }
    if (ref.front() == '-' || ref.front() == '/' || ref.back() == '/' || ref.back() == '.' ||
        ref.find("..") != std::string_view::npos || ref.find("//") != std::string_view::npos ||
        (ref.size() >= 5 && ref.substr(ref.size() - 5) == ".lock")) {
        return bad("is not a valid branch or tag name");
    }
    return std::string(ref);
}

Result<TemplateGit::Scratch> TemplateGit::makeScratch() {
    if (options_.uid == 0)
        return Status::Internal("Template fetches never run as root");
    std::error_code ec;
    fs::create_directories(options_.scratchDir, ec);
    if (ec)
        return Status::Internal("cannot create " + options_.scratchDir + ": " + ec.message());
    PINFOLD_TRY(sandbox::MakeParentsTraversable(options_.scratchDir + "/x"));
    Scratch scratch{options_.scratchDir + "/fetch-" + crypto::NewUuidV4()};
    if (::mkdir(scratch.root.c_str(), 0700) != 0 ||
        ::chown(scratch.root.c_str(), options_.uid, options_.uid) != 0) {
        return Status::Internal("cannot create a scratch folder in " + options_.scratchDir);
    }
    // The only config git reads. safe.directory is honoured only there (not with -c): a file://
    // repository belongs to another uid, and only this sandbox sees it.
    std::ofstream config(scratch.root + "/.gitconfig");
    config << "[safe]\n\tdirectory = *\n";
    if (!config.flush())
        return Status::Internal("cannot write the scratch folder's git config");
    return scratch;
}

Result<std::string> TemplateGit::runGit(const GitUrl& url, const Scratch& scratch,
                                        const std::vector<std::string>& args) {
    sandbox::ToolSandboxSpec spec;
    spec.hostUid = options_.uid;
    spec.homeDir = scratch.root;
    spec.cwd = kHomeInside;
    spec.shareNetwork = url.scheme != "file";
    if (!url.fileRoot.empty())
        spec.binds.push_back({url.fileRoot, url.fileRoot, true});
    spec.env = {{"GIT_CONFIG_NOSYSTEM", "1"},
                {"GIT_CONFIG_GLOBAL", std::string(kHomeInside) + "/.gitconfig"},
                {"GIT_TERMINAL_PROMPT", "0"},
                {"GIT_ASKPASS", "/bin/false"}};
    // Only the URL's own protocol, no submodules, no hooks from anywhere: git fetches files.
    std::vector<std::string> argv = {"git",
                                     "-c",
                                     "protocol.allow=never",
                                     "-c",
                                     "protocol." + url.scheme + ".allow=always",
                                     "-c",
                                     "core.hooksPath=/dev/null"};
    argv.insert(argv.end(), args.begin(), args.end());
    sandbox::RunOptions run;
    run.timeout = options_.timeout;
    run.maxOutputBytes = kMaxGitOutputBytes;
    PINFOLD_ASSIGN_OR_RETURN(sandbox::ProcessOutput out,
                             sandbox::RunInAgentView(spec, argv, std::move(run)));
    if (out.timedOut)
        return Status::InvalidArgument("Could not fetch " + url.displayUrl + ": timed out");
    if (out.truncated) {
        return Status::TooLarge("Template repository is too large: git's answer passes " +
                                std::to_string(kMaxGitOutputBytes >> 20) + " MiB");
    }
    if (out.exitCode != 0) {
        return Status::InvalidArgument("Could not fetch " + url.displayUrl + ": " +
                                       GitReason(url, out.stderrText));
    }
    return out.stdoutText;
}

Status TemplateGit::checkTreeSize(const GitUrl& url, const Scratch& scratch) {
    // Sizes come from the tree, before any file is written: a small pack can hold a file of
    // gigabytes that compresses well.
    PINFOLD_ASSIGN_OR_RETURN(
        std::string listing,
        runGit(url, scratch, {"-C", kCheckoutInside, "ls-tree", "-r", "-l", "-z", "HEAD"}));
    uint64_t files = 0;
    uint64_t bytes = 0;
    for (size_t start = 0; start < listing.size();) {
        size_t end = std::min(listing.find('\0', start), listing.size());
        // "<mode> <type> <object> <size>\t<path>"; a submodule's size is "-".
        std::string_view entry = std::string_view(listing).substr(start, end - start);
        start = end + 1;
        std::string_view meta = entry.substr(0, entry.find('\t'));
        std::string_view size = TrimAscii(meta.substr(std::min(meta.rfind(' '), meta.size())));
        ++files;
        uint64_t n = 0;
        if (std::from_chars(size.data(), size.data() + size.size(), n).ec == std::errc())
            bytes += n;
    }
    if (files > options_.maxCheckoutFiles) {
        return Status::TooLarge("Template repository is too large: more than " +
                                std::to_string(options_.maxCheckoutFiles) + " files");
    }
    if (bytes > options_.maxCheckoutBytes) {
        return Status::TooLarge("Template repository is too large: more than " +
                                std::to_string(options_.maxCheckoutBytes) + " bytes of files");
    }
    return Status::Ok();
}

Result<GitCheckout> TemplateGit::fetch(const GitUrl& url, const std::optional<std::string>& ref) {
    PINFOLD_ASSIGN_OR_RETURN(Scratch scratch, makeScratch());
    GitCheckout checkout(scratch.root, scratch.root + "/checkout", "");
    std::vector<std::string> clone = {"clone", "--quiet",         "--no-checkout", "--depth",
                                      "1",     "--single-branch", "--no-tags"};
    if (ref)
        clone.insert(clone.end(), {"--branch", *ref});
    clone.insert(clone.end(), {"--", url.url, kCheckoutInside});
    PINFOLD_TRY(runGit(url, scratch, clone).status());
    PINFOLD_TRY(checkTreeSize(url, scratch));
    PINFOLD_TRY(runGit(url, scratch, {"-C", kCheckoutInside, "reset", "--quiet", "--hard", "HEAD"})
                    .status());
    PINFOLD_ASSIGN_OR_RETURN(std::string sha,
                             runGit(url, scratch, {"-C", kCheckoutInside, "rev-parse", "HEAD"}));
    std::error_code ec;
    fs::remove_all(checkout.dir() + "/.git", ec);
    if (ec)
        return Status::Internal("cannot remove the checkout's .git: " + ec.message());
    checkout.commitSha_ = std::string(TrimAscii(sha));
    return checkout;
}

Result<RemoteRefs> TemplateGit::listRefs(const GitUrl& url) {
    PINFOLD_ASSIGN_OR_RETURN(Scratch scratch, makeScratch());
    GitCheckout cleanup(scratch.root, "", "");
    PINFOLD_ASSIGN_OR_RETURN(std::string text,
                             runGit(url, scratch, {"ls-remote", "--symref", "--", url.url}));
    RemoteRefs refs;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = std::min(text.find('\n', start), text.size());
        std::string_view line = std::string_view(text).substr(start, end - start);
        start = end + 1;
        // "ref: refs/heads/main\tHEAD" names the default branch; "<sha>\t<ref>" lists refs.
        size_t tab = line.find('\t');
        if (tab == std::string_view::npos)
            continue;
        std::string_view left = line.substr(0, tab);
        std::string_view name = line.substr(tab + 1);
        if (left.substr(0, 5) == "ref: " && name == "HEAD") {
            std::string_view target = left.substr(5);
            if (target.substr(0, 11) == "refs/heads/")
                refs.defaultBranch = std::string(target.substr(11));
        } else if (name.substr(0, 11) == "refs/heads/") {
            refs.branches.emplace_back(name.substr(11));
        } else if (name.substr(0, 10) == "refs/tags/" && name.substr(name.size() - 3) != "^{}") {
            refs.tags.emplace_back(name.substr(10));
        }
    }
    std::sort(refs.branches.begin(), refs.branches.end());
    std::sort(refs.tags.begin(), refs.tags.end());
    return refs;
}

}  // namespace pinfold::services
