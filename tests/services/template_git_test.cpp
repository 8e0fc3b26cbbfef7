// TemplateGit's URL and ref checks, and template slugs: pure functions, no git run. Fetches
// are covered end to end in tests/api/templates_api_test.cpp.
#include "services/template_git.h"

#include <gtest/gtest.h>

#include "services/template_service.h"
#include "support/temp_dir.h"

namespace pinfold::services {
namespace {

std::string Describe(const Result<GitUrl>& url) {
    if (!url.ok())
        return url.status().ToString();
    return url->scheme + " " + url->url + " shown as " + url->displayUrl +
           " password=" + url->password + " root=" + url->fileRoot;
}

TEST(TemplateGit, HttpUrlsKeepTheirCredentialsOutOfTheDisplayForm) {
    TemplateGit git({});
    EXPECT_EQ(Describe(git.parseUrl("https://example.org/a/b.git")),
              "https https://example.org/a/b.git shown as https://example.org/a/b.git "
              "password= root=");
    EXPECT_EQ(Describe(git.parseUrl("http://user:s3cr3t@127.0.0.1:8080/v0/agents/x/git")),
              "http http://user:s3cr3t@127.0.0.1:8080/v0/agents/x/git shown as "
              "http://127.0.0.1:8080/v0/agents/x/git password=s3cr3t root=");
    EXPECT_EQ(Describe(git.parseUrl("HTTPS://tok@host")),
              "https https://tok@host shown as https://host password=tok root=");
    EXPECT_EQ(Describe(git.parseUrl("https://a:b@/x")),
              "InvalidArgument: Validation failed: gitUrl has no host");
}

TEST(TemplateGit, OtherSchemesAndFileUrlsOutsideTheRootsAreRefused) {
    testing::TempDir root;
    TemplateGit none({});
    EXPECT_EQ(Describe(none.parseUrl("file://" + root.path())),
              "InvalidArgument: Validation failed: gitUrl file:// URLs are not enabled on this "
              "server (--template-file-root)");
    TemplateGitOptions options;
    options.fileRoots = {root.path()};
    TemplateGit git(options);
    EXPECT_EQ(Describe(git.parseUrl("file://" + root.path() + "/repo/./x/..")),
              "file file://" + root.path() + "/repo shown as file://" + root.path() +
                  "/repo password= root=" + root.path());
    EXPECT_EQ(Describe(git.parseUrl("file://" + root.path() + "/../etc")),
              "InvalidArgument: Validation failed: gitUrl must lie under a template file root "
              "of this server");
    EXPECT_EQ(Describe(git.parseUrl("file://" + root.path() + "x")),
              "InvalidArgument: Validation failed: gitUrl must lie under a template file root "
              "of this server");
    EXPECT_EQ(Describe(git.parseUrl("file://" + root.path() + "/%2e%2e/x")),
              "InvalidArgument: Validation failed: gitUrl file:// URLs must not be "
              "percent-encoded");
    EXPECT_EQ(Describe(git.parseUrl("file://relative")),
              "InvalidArgument: Validation failed: gitUrl must be file:// and an absolute path");
    for (const char* url : {"ssh://host/r", "git://host/r", "host:repo", "/abs/path", "-u"}) {
        EXPECT_EQ(Describe(git.parseUrl(url)),
                  "InvalidArgument: Validation failed: gitUrl must be an http://, https:// or "
                  "file:// URL")
            << url;
    }
    EXPECT_EQ(Describe(git.parseUrl("")), "InvalidArgument: Validation failed: gitUrl is required");
    EXPECT_EQ(Describe(git.parseUrl("https://h/a\nb")),
              "InvalidArgument: Validation failed: gitUrl must not contain spaces or control "
              "characters");
    EXPECT_EQ(Describe(git.parseUrl("https://h/" + std::string(2048, 'a'))),
              "InvalidArgument: Validation failed: gitUrl must be at most 2048 bytes");
}

TEST(TemplateGit, RefsAreBranchOrTagNames) {
    EXPECT_EQ(*TemplateGit::normalizeRef("main"), "main");
    EXPECT_EQ(*TemplateGit::normalizeRef("refs/heads/feature/x"), "feature/x");
    EXPECT_EQ(*TemplateGit::normalizeRef("refs/tags/v1.0.0"), "v1.0.0");
    for (const char* bad : {"-b", "a..b", "/a", "a/", "a//b", "x.lock", "a b", "a~1", "a:b", ""}) {
        Result<std::string> r = TemplateGit::normalizeRef(bad);
        EXPECT_FALSE(r.ok()) << bad;
    }
    EXPECT_EQ(TemplateGit::normalizeRef("a~1").status().message(),
              "Validation failed: ref may hold only letters, digits and . _ - / +");
    EXPECT_EQ(TemplateGit::normalizeRef("refs/heads/").status().message(),
              "Validation failed: ref must be 1-255 bytes");
}

TEST(TemplateSlug, ComesFromTheNameAndHasOneShape) {
    EXPECT_EQ(SlugFromName("Research Helper"), "research-helper");
    EXPECT_EQ(SlugFromName("  Ünïcode -- Agent!! "), "n-code-agent");
    EXPECT_EQ(SlugFromName("!!!"), "template");
    EXPECT_EQ(SlugFromName(std::string(100, 'a')), std::string(64, 'a'));
    EXPECT_TRUE(IsTemplateSlug("a-b-1"));
    for (const char* bad : {"", "-a", "a-", "a--b", "A", "a_b", "a b", "é"})
        EXPECT_FALSE(IsTemplateSlug(bad)) << bad;
    EXPECT_FALSE(IsTemplateSlug(std::string(65, 'a')));
}

}  // namespace
}  // namespace pinfold::services
